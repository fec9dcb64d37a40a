"""The hub layer: everything that reads or changes hub data on behalf of a person, through one context."""
