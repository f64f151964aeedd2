"""Ligature incidents: recorded by hand or imported from the incident system, linked to the point."""
