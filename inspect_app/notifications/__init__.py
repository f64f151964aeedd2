"""Email notifications: queued in the database, then delivered by ``flask notify`` with retries."""
