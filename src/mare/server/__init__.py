"""Mare server layer."""
