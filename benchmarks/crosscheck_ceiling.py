"""How far any classifier could go on a cross-checked store: the ceiling behind Mare's pairwise F1.

Mare's model is unsupervised. To tell a weak model from missing information, this trains
classifiers *on the truth*, over the same evidence Mare has for each candidate pair, with 5-fold
cross-validation (folds by the left record, so no pair is scored by a model that saw it), and
clusters their predictions exactly as Mare clusters its own (`mare.resolve.clusters.cluster`, with
the birth-date check). The decision threshold is the best of several on the same data, which only
flatters the ceilings. Rows:

* truth on the candidate pairs: every blocked pair judged right (what blocking allows);
* Mare's model with each level's m counted on the true pairs (prior and u as trained): what the
  unsupervised estimation of m could at best give this Fellegi–Sunter model;
* a logistic regression over the comparison levels: the best weights a model that adds one weight
  per level, as Fellegi–Sunter does, could have;
* gradient boosting over the levels, the name-frequency figures and co-links (other resolved
  persons that the two records' contributions share): interactions between them too.

Used by `benchmarks/crosscheck.py scenario SCALE --ceiling`.
"""

from __future__ import annotations

import json
import math
import zlib
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from mare.resolve.blocking import table_rows
from mare.resolve.clusters import cluster
from mare.resolve.dedupe import dedupe, full_dates
from mare.resolve.metrics import Accuracy, accuracy
from mare.resolve.model import load_model
from mare.resolve.thresholds import Thresholds

THRESHOLDS = (0.3, 0.5, 0.7, 0.9, 0.95)
FOLDS = 5


@dataclass(slots=True)
class Ceiling:
    """One row of the ceiling table: what it is, its best accuracy, and at which threshold."""

    label: str
    accuracy: Accuracy
    threshold: float


def candidate_frame(store: Any, truth: Mapping[str, str]) -> tuple[pd.DataFrame, pa.Table, dict[str, Any]]:
    """Every candidate pair of the store (none dropped for a low score), scored by the stored model:
    its level and match weight per comparison, the name figures, co-links and the truth. Also the
    person feature table and the stored model."""
    features = store.con.sql("SELECT * FROM person_features").to_arrow_table()
    _, model = load_model(store)
    run = dedupe(features, model, train=False, thresholds=Thresholds(keep=0.0))
    rows = []
    for left, right, _, probability, text in run.pairs:
        row: dict[str, Any] = {"left": left, "right": right, "mare": probability}
        for f in json.loads(text)["features"]:
            row[f"level:{f['feature']}"] = f["level"]
            row[f"weight:{f['feature']}"] = f["match_weight"]
        row["truth"] = int(left in truth and truth.get(left) == truth.get(right))
        rows.append(row)
    pairs = pd.DataFrame(rows)
    persons = (
        features.select(["record_uid", "contribution", "name_frequency", "name_years"])
        .to_pandas()
        .set_index("record_uid")
    )
    for column, pick in (("frequency_min", np.fmin), ("frequency_max", np.fmax), ("years_max", np.fmax)):
        source = "name_years" if column == "years_max" else "name_frequency"
        pairs[column] = pick(
            persons[source].reindex(pairs.left).to_numpy(dtype=float),
            persons[source].reindex(pairs.right).to_numpy(dtype=float),
        )
    entities = dict(store.con.execute("SELECT record_uid, entity_id FROM entities").fetchall())
    pairs["colinks"] = co_links(pairs.left, pairs.right, persons["contribution"].to_dict(), entities)
    return pairs, features, model


def co_links(
    left: Sequence[str], right: Sequence[str], contribution: Mapping[str, str], entity: Mapping[str, str]
) -> list[int]:
    """Per pair: how many resolved persons, other than the pair's own, both records' contributions
    name (-1 when both records come from one contribution)."""
    members: dict[str, set[str]] = defaultdict(set)
    for uid, ent in entity.items():
        members[contribution[uid]].add(ent)
    out = []
    for a, b in zip(left, right, strict=True):
        ca, cb = contribution[a], contribution[b]
        if ca == cb:
            out.append(-1)
            continue
        out.append(len(members[ca] & members[cb] - {entity.get(a), entity.get(b)}))
    return out


def _clustered(
    pairs: pd.DataFrame, features: pa.Table, probability: np.ndarray, truth: Mapping[str, str], label: str
) -> Ceiling:
    dates = full_dates(table_rows(features, ("record_uid", "birth_date", "birth_alt", "birth_precision")))
    nodes = features.column("record_uid").to_pylist()
    best: Ceiling | None = None
    for threshold in THRESHOLDS:
        keep = probability >= threshold
        links = list(zip(pairs.left[keep], pairs.right[keep], probability[keep], strict=True))
        acc = accuracy(cluster(nodes, links, dates=dates), truth)
        if best is None or acc.f1 > best.accuracy.f1:
            best = Ceiling(label, acc, threshold)
    assert best is not None
    return best


def _cross_validated(
    pairs: pd.DataFrame, x: np.ndarray, fit: Callable[[np.ndarray, np.ndarray], Any]
) -> np.ndarray:
    fold = np.array([zlib.crc32(uid.encode()) % FOLDS for uid in pairs.left])
    y = pairs.truth.to_numpy()
    probability = np.zeros(len(pairs))
    for k in range(FOLDS):
        test = fold == k
        if len(set(y[~test])) < 2:  # a fold of small data may hold one class only: predict it
            probability[test] = float(y[~test][0]) if (~test).any() else 0.0
            continue
        model = fit(x[~test], y[~test])
        probability[test] = model.predict_proba(x[test])[:, 1]
    return probability


def with_true_m(pairs: pd.DataFrame, model: Mapping[str, Any]) -> np.ndarray:
    """Match probabilities from the model's prior and u, with each level's m counted on the true
    candidate pairs (levels that no true pair reaches get half a pair)."""
    prior = float(model["probability_two_random_records_match"])
    weight = np.full(len(pairs), math.log2(prior / (1 - prior)))
    true = pairs.truth.to_numpy() == 1
    for comparison in model["comparisons"]:
        column = f"level:{comparison['output_column_name']}"
        if column not in pairs:
            continue
        u = {
            lv["label_for_charts"]: lv["u_probability"]
            for lv in comparison["comparison_levels"]
            if not lv.get("is_null_level")
        }
        counts = pairs[column][true].value_counts()
        total = sum(counts.get(label, 0) for label in u) + 0.5 * len(u)
        lookup = {
            label: math.log2((counts.get(label, 0) + 0.5) / total / max(float(u[label] or 0.0), 1e-12))
            for label in u
        }
        weight += pairs[column].map(lambda level, lookup=lookup: lookup.get(level, 0.0)).to_numpy()
    return np.asarray(1.0 / (1.0 + np.exp2(-weight)))


def ceilings(
    pairs: pd.DataFrame, features: pa.Table, truth: Mapping[str, str], model: Mapping[str, Any]
) -> list[Ceiling]:
    """The ceiling rows (see the module docstring)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    out = [
        _clustered(pairs, features, pairs.truth.to_numpy(dtype=float), truth, "truth on candidate pairs"),
        _clustered(pairs, features, with_true_m(pairs, model), truth, "Mare, m from the truth"),
    ]
    levels = pd.get_dummies(pairs[[c for c in pairs.columns if c.startswith("level:")]].astype(str))
    out.append(
        _clustered(
            pairs,
            features,
            _cross_validated(
                pairs, levels.to_numpy(dtype=float), lambda x, y: LogisticRegression(max_iter=3000).fit(x, y)
            ),
            truth,
            "levels, linear (CV)",
        )
    )
    extra = ["frequency_min", "frequency_max", "years_max", "colinks"]
    x = pairs[[c for c in pairs.columns if c.startswith("weight:")] + extra].fillna(-9).to_numpy(dtype=float)
    out.append(
        _clustered(
            pairs,
            features,
            _cross_validated(
                pairs, x, lambda x, y: HistGradientBoostingClassifier(max_iter=300, random_state=1).fit(x, y)
            ),
            truth,
            "boosted, +context (CV)",
        )
    )
    return out
