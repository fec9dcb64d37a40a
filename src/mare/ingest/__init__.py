"""Reading contributions: parsers per format, validation, normalisation."""
