"""Mare scenario layer."""
