"""Mare store layer."""
