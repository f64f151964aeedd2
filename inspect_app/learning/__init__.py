"""Learning across the trust: checks launched from an incident or a failed product check."""
