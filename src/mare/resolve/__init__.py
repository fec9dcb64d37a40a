"""Mare resolve layer."""
