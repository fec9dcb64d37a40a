"""Decision thresholds on the match probability: automatic link, analyst review, no link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Decision = Literal["link", "review", "no_link"]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """At or above `link`: linked automatically; at or above `review`: an analyst decides."""

    link: float = 0.95
    review: float = 0.5
    keep: float = 0.05  # pairs below this are not stored at all

    def decide(self, probability: float) -> Decision:
        """The decision for one match probability."""
        if probability >= self.link:
            return "link"
        if probability >= self.review:
            return "review"
        return "no_link"


DEFAULT_THRESHOLDS = Thresholds()

#: Once the weights are learnt from judgements (`learning`), probabilities are calibrated on the
#: analysts' verdicts: 0.5 means as likely the same person as not. The unsupervised model's 0.95
#: is not calibrated — on the medium scenario the pairs judged around it were about 58 % matches —
#: so a calibrated model links from 0.5 (precision measured above the unsupervised model's at 0.95:
#: docs/benchmarks.md) and sends pairs from 0.2 to an analyst.
CALIBRATED_THRESHOLDS = Thresholds(link=0.5, review=0.2)
