"""Mare: an open-source intelligence hub against migrant-smuggling networks."""

__version__ = "0.1.0"
