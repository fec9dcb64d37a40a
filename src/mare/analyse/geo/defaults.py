"""Default parameters of the geo analyses, importable without loading the analyses themselves."""

from __future__ import annotations

DEFAULT_ALPHA = 0.05  # false-discovery rate for Gi* hotspots
DEFAULT_RESOLUTION = 6  # H3 resolution (cells of ~36 km²)
STEPS = ("year", "quarter", "month", "week")  # time steps of emerging-hotspot analysis
