"""The ligature hot-spot briefing: its version, derived from the data, and who has read it."""
