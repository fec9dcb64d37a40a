"""Mare products layer."""
