"""Mare schema layer."""
