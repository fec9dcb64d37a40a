"""Mare analyse layer."""
