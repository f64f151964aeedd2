"""Ward floor plans: upload, room placement and ligature-point pins."""
