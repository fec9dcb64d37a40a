"""Cross-checking: identifier hits, person matching (Splink 5), judgements, entities, notifications."""

from mare.resolve.crosscheck import CrosscheckResult, crosscheck_all, crosscheck_contribution
from mare.resolve.judgements import judge
from mare.resolve.thresholds import DEFAULT_THRESHOLDS, Thresholds

__all__ = [
    "DEFAULT_THRESHOLDS",
    "CrosscheckResult",
    "Thresholds",
    "crosscheck_all",
    "crosscheck_contribution",
    "judge",
]
