"""Accuracy against a known truth: pairwise precision, recall, F1 and B-cubed F1."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Accuracy:
    """How well predicted clusters agree with true identities."""

    precision: float
    recall: float
    f1: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    true_pairs: int
    predicted_pairs: int

    def as_dict(self) -> dict[str, float | int]:
        """JSON-able form."""
        return {k: getattr(self, k) for k in self.__slots__}


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(counts: Counter[Any]) -> int:
    return sum(n * (n - 1) // 2 for n in counts.values())


def accuracy(predicted: Mapping[str, str], truth: Mapping[str, str]) -> Accuracy:
    """Compare predicted cluster ids with true identity ids (records present in both)."""
    records = [r for r in predicted if r in truth]
    pred = Counter(predicted[r] for r in records)
    true = Counter(truth[r] for r in records)
    both = Counter((predicted[r], truth[r]) for r in records)
    tp, n_pred, n_true = _pairs(both), _pairs(pred), _pairs(true)
    precision = tp / n_pred if n_pred else 1.0
    recall = tp / n_true if n_true else 1.0
    bp = sum(both[(predicted[r], truth[r])] / pred[predicted[r]] for r in records) / max(len(records), 1)
    br = sum(both[(predicted[r], truth[r])] / true[truth[r]] for r in records) / max(len(records), 1)
    return Accuracy(precision, recall, _f1(precision, recall), bp, br, _f1(bp, br), n_true, n_pred)
