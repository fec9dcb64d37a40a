"""Mare access layer."""
