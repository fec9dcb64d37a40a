"""Learning from analysts' judgements: the comparison levels' weights estimated on judged pairs.

The store's model is trained without labels (u by random sampling, m by EM). Each judgement is a
label, and `relearn` turns all of them into a better model for *every* pair:

* **Labelled estimation of the weights.** The model stays additive — a match weight per
  comparison level plus the prior, as Fellegi–Sunter has it — so explanations read as before (a
  waterfall of per-comparison weights). The weights are the maximum a posteriori estimate of a
  logistic regression over the levels the judged pairs reach, with a Gaussian prior centred on
  the unsupervised weights (`PRIOR_SD` natural-log units each): a level that no judged pair
  reaches keeps its unsupervised weight, one that many reach moves to what the analysts showed.
  This is the Bayesian update of the unsupervised estimates with the judged pairs as labelled
  data; 'unsure' judgements teach nothing.
* **Calibrated.** Fitted to the analysts' verdicts, the probabilities are calibrated on judged
  pairs (a logistic fit is Platt's calibration with a weight per level); `Learned.calibration`
  reports how far the unsupervised and the learned probabilities were from the verdicts (Brier
  score on the judged pairs) so that nobody has to take it on trust.
* **For all pairs.** The learned weights are kept per store (`resolve_learned`, migration 15,
  tied to the model version they were fitted on); every stored candidate pair is rescored from
  the levels its explanation names, decisions are taken again at the same thresholds, and the
  entities rebuilt. Later incremental checks score with the learned model (`scoring_model`); a
  full re-run retrains the unsupervised model and refits the weights on it.

Judged pairs are never contradicted: clustering joins 'same' pairs first and refuses any merge
across a 'not same' pair, whatever the scores (`clusters.cluster`).
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pyarrow as pa

from mare.resolve.model import load_model
from mare.resolve.settings import level_labels
from mare.resolve.sqlscore import level_weight, prior_weight, score_sql
from mare.resolve.thresholds import CALIBRATED_THRESHOLDS, DEFAULT_THRESHOLDS, Thresholds
from mare.store.db import Store
from mare.store.settle import settled

#: Standard deviation of the prior on each level's weight around its unsupervised value (natural
#: log units: 1.0 lets a level move by about 1.4 bits once a few dozen judged pairs reach it).
PRIOR_SD = 1.0
#: The prior's own weight (the intercept) may move further: judged pairs show how often pairs of
#: candidate quality match, which random sampling cannot.
INTERCEPT_SD = 2.0
LN2 = math.log(2.0)
#: Unsupervised weights beyond this (bits) are "never seen in random pairs" stand-ins (Splink's
#: 1e-6, or ±1000 where m or u came out 0): as prior means they are capped here.
WEIGHT_CAP = 30.0
#: Learned weights are kept within this many bits (a level 'never seen' stays all but certain).
FINAL_CAP = 200.0
#: Standard deviation of the prior on each level's correction (bits, on the model's own scale).
CORRECTION_SD = 1.5
#: Newton steps are damped to at most this much per weight (natural log units): with saturated
#: pairs the Hessian vanishes and undamped steps overshoot.
MAX_STEP = 2.0
#: Verdicts that label a pair; 'unsure' teaches nothing.
LABELS = {"same": 1, "not_same": 0}


@dataclass(slots=True)
class Learned:
    """Weights learnt from judgements (log2 units, as explanations show them)."""

    model_version: int
    same: int
    not_same: int
    prior: float
    weights: dict[str, dict[str, float]]  # comparison -> level label -> match weight
    calibration: dict[str, float] = field(default_factory=dict)
    version: int = 0

    def as_json(self) -> str:
        """The stored form."""
        return json.dumps(
            {"prior": self.prior, "weights": self.weights, "calibration": self.calibration}, sort_keys=True
        )


@dataclass(slots=True)
class LevelIndex:
    """The non-null levels of a model as columns of a design matrix."""

    columns: list[tuple[str, int, str]]  # (comparison, gamma, label)
    base: np.ndarray  # unsupervised weight of each column (log2)
    prior: float  # unsupervised prior weight (log2)

    @classmethod
    def of(cls, settings: dict[str, Any]) -> LevelIndex:
        columns, base = [], []
        labels = level_labels(settings)
        for comparison in settings["comparisons"]:
            name = comparison["output_column_name"]
            non_null = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
            for i, level in enumerate(non_null):
                gamma = len(non_null) - 1 - i
                columns.append((name, gamma, labels[name][gamma]))
                base.append(level_weight(level))
        return cls(columns, np.array(base, dtype=float), prior_weight(settings))

    def position(self) -> dict[tuple[str, int], int]:
        return {(c, g): i for i, (c, g, _) in enumerate(self.columns)}


def design(index: LevelIndex, predictions: pa.Table) -> np.ndarray:
    """One row per scored pair, 1 where the pair reaches that level (null levels: no column)."""
    x = np.zeros((predictions.num_rows, len(index.columns)))
    where = index.position()
    for comparison in {c for c, _, _ in index.columns}:
        column = f"gamma_{comparison}"
        if column not in predictions.column_names:
            continue
        for row, gamma in enumerate(predictions.column(column).to_pylist()):
            i = where.get((comparison, int(gamma))) if gamma is not None else None
            if i is not None:
                x[row, i] = 1.0
    return x


def fit_weights(
    x: np.ndarray,
    y: np.ndarray,
    base: np.ndarray,
    prior: float,
    prior_sd: float = PRIOR_SD,
    intercept_sd: float = INTERCEPT_SD,
) -> tuple[float, np.ndarray]:
    """MAP logistic regression (Newton's method) with a Gaussian prior centred on the unsupervised
    weights; weights in and out in log2 units. Returns (prior weight, level weights)."""
    n, k = x.shape
    design_matrix = np.hstack([np.ones((n, 1)), x])
    mean = np.clip(np.concatenate([[prior], base]), -WEIGHT_CAP, WEIGHT_CAP) * LN2
    precision = np.concatenate([[1.0 / intercept_sd**2], np.full(k, 1.0 / prior_sd**2)])
    beta = mean.copy()
    for _ in range(200):
        z = np.clip(design_matrix @ beta, -700, 700)
        p = 1.0 / (1.0 + np.exp(-z))
        gradient = design_matrix.T @ (p - y) + precision * (beta - mean)
        hessian = (design_matrix * (p * (1 - p))[:, None]).T @ design_matrix + np.diag(precision)
        step = np.linalg.solve(hessian, gradient)
        largest = float(np.max(np.abs(step))) if len(step) else 0.0
        if largest > MAX_STEP:
            step *= MAX_STEP / largest
        beta -= step
        if largest < 1e-6:
            break
    return float(beta[0] / LN2), beta[1:] / LN2


def _newton(
    design_matrix: np.ndarray, y: np.ndarray, offset: np.ndarray, mean: np.ndarray, precision: np.ndarray
) -> np.ndarray:
    """MAP logistic regression, logit = offset + design @ beta, beta ~ N(mean, 1/precision): damped
    Newton steps (natural log units)."""
    beta = mean.copy()
    for _ in range(200):
        z = np.clip(offset + design_matrix @ beta, -700, 700)
        p = 1.0 / (1.0 + np.exp(-z))
        gradient = design_matrix.T @ (p - y) + precision * (beta - mean)
        hessian = (design_matrix * (p * (1 - p))[:, None]).T @ design_matrix + np.diag(precision)
        step = np.linalg.solve(hessian, gradient)
        largest = float(np.max(np.abs(step))) if len(step) else 0.0
        if largest > MAX_STEP:
            step *= MAX_STEP / largest
        beta = beta - step
        if largest < 1e-7:
            break
    return beta


def fit_corrections(
    x: np.ndarray, y: np.ndarray, w0: np.ndarray, correction_sd: float = CORRECTION_SD
) -> tuple[float, float, np.ndarray]:
    """Level corrections on the model's own scale, and the calibration of that scale, fitted together
    on judged pairs: P(same) = sigmoid(a + b * (w0 + x @ delta)), w0 the pairs' unsupervised match
    weights (bits), delta per level (bits, prior N(0, correction_sd²)), a and b Platt's calibration
    (prior: a ~ N(0, 4²), b ~ N(ln 2, 1), i.e. the unsupervised probabilities). Alternating MAP fits.
    Returns (a, b, delta)."""
    k = x.shape[1]
    a, b, delta = 0.0, LN2, np.zeros(k)
    if len(y) == 0:
        return a, b, delta
    w0 = np.clip(w0, -2 * WEIGHT_CAP, 2 * WEIGHT_CAP)
    for _ in range(15):
        s = w0 + x @ delta
        a, b = _newton(
            np.column_stack([np.ones(len(s)), s]),
            y,
            np.zeros(len(s)),
            np.array([0.0, LN2]),
            np.array([1 / 16, 1.0]),
        )
        b = max(float(b), 0.05)  # the scale must keep its direction
        previous = delta
        delta = _newton(b * x, y, a + b * w0, np.zeros(k), np.full(k, 1.0 / correction_sd**2))
        if float(np.max(np.abs(delta - previous))) < 1e-4:
            break
    return float(a), float(b), delta


def _brier(weights: np.ndarray, y: np.ndarray) -> float:
    p = 1.0 / (1.0 + np.exp(-np.clip(weights * LN2, -35, 35)))
    return float(np.mean((p - y) ** 2)) if len(y) else 0.0


def judged_pairs(store: Store) -> list[tuple[str, str, int]]:
    """(left, right, 1 same / 0 not same) of every pair whose latest verdict labels it."""
    rows = store.con.execute(
        "SELECT left_uid, right_uid, arg_max(verdict, judged_at) FROM judgements GROUP BY 1, 2 ORDER BY 1, 2"
    ).fetchall()
    return [(a, b, LABELS[v]) for a, b, v in rows if v in LABELS]


def learn(store: Store, settings: dict[str, Any], model_version: int) -> Learned | None:
    """Fit the levels' weights on the judged pairs (None when no pair is labelled)."""
    labelled = judged_pairs(store)
    if not labelled:
        return None
    pairs = pa.table({"left_uid": [a for a, _, _ in labelled], "right_uid": [b for _, b, _ in labelled]})
    predictions = score_sql(store.con, settings, pairs, "person_features", 0.0)
    if predictions.num_rows == 0:
        return None
    verdict = {(a, b): y for a, b, y in labelled}
    y = np.array(
        [
            verdict[(a, b)]
            for a, b in zip(
                predictions.column("record_uid_l").to_pylist(),
                predictions.column("record_uid_r").to_pylist(),
                strict=True,
            )
        ],
        dtype=float,
    )
    index = LevelIndex.of(settings)
    x = design(index, predictions)
    w0 = np.array(predictions.column("match_weight").to_pylist(), dtype=float)
    a, b, delta = fit_corrections(x, y, w0)
    # the corrected weights, put on the calibrated scale: logit = a + b * (prior + sum of levels), so
    # each level's weight is scaled by b / ln 2 and the prior becomes (a + b * prior) / ln 2 (bits)
    scale = b / LN2
    by_level: dict[str, dict[str, float]] = {}
    for (comparison, _, label), w, d in zip(index.columns, index.base, delta, strict=True):
        final = float(np.clip(scale * (w + d), -FINAL_CAP, FINAL_CAP))
        by_level.setdefault(comparison, {})[label] = round(final, 4)
    prior = float(np.clip((a + b * index.prior) / LN2, -FINAL_CAP, FINAL_CAP))
    learned_w = np.clip(w0, -2 * WEIGHT_CAP, 2 * WEIGHT_CAP) + x @ delta
    calibrated = 1.0 / (1.0 + np.exp(-np.clip(a + b * learned_w, -35, 35)))
    calibration = {
        "a": round(a, 5),
        "b": round(b, 5),
        "brier_unsupervised": round(_brier(w0, y), 4),
        "brier_learned": round(float(np.mean((calibrated - y) ** 2)), 4),
        "matches_judged": round(float(y.mean()), 4),
        "levels_reached": int((x.sum(axis=0) > 0).sum()),
    }
    return Learned(model_version, int(y.sum()), int(len(y) - y.sum()), round(prior, 4), by_level, calibration)


def thresholds_in_force(store: Store) -> Thresholds:
    """The decision thresholds for the store's model: calibrated ones once weights are learnt."""
    version, _ = load_model(store)
    return CALIBRATED_THRESHOLDS if load_learned(store, version) is not None else DEFAULT_THRESHOLDS


def with_weights(settings: dict[str, Any], learned: Learned) -> dict[str, Any]:
    """The model with the learned weights: each level's m and u rewritten so that log2(m/u) is the
    learned weight (u kept where it allows), and the prior from the learned prior weight."""
    out = copy.deepcopy(settings)
    prior = 2.0**learned.prior
    out["probability_two_random_records_match"] = prior / (1.0 + prior)
    for comparison in out["comparisons"]:
        by_label = learned.weights.get(comparison["output_column_name"], {})
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level") or level["label_for_charts"] not in by_label:
                continue
            ratio = 2.0 ** by_label[level["label_for_charts"]]
            u = float(level_u(level))
            m = u * ratio
            if m > 1.0:
                m, u = 1.0, 1.0 / ratio
            level["m_probability"], level["u_probability"] = m, u
    out["mare_learned"] = {"same": learned.same, "not_same": learned.not_same, "version": learned.version}
    return out


def level_u(level: dict[str, Any]) -> float:
    """A level's u probability (Splink's stand-in where the level was never observed)."""
    u = level.get("u_probability")
    return 1e-6 if isinstance(u, str) or u is None else max(float(u), 1e-12)


def training_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """Settings as Splink accepts them (without the note of learned weights)."""
    if "mare_learned" not in settings:
        return settings
    out = dict(settings)
    out.pop("mare_learned")
    return out


def save_learned(store: Store, learned: Learned) -> int:
    """Keep the learned weights (a new version); returns it."""
    row = store.con.execute("SELECT coalesce(max(version), 0) + 1 FROM resolve_learned").fetchone()
    learned.version = int(row[0]) if row else 1
    store.con.execute(
        "INSERT INTO resolve_learned VALUES (?, ?, ?, ?, ?, ?)",
        [
            learned.version,
            learned.model_version,
            datetime.now(UTC).replace(tzinfo=None),
            learned.same,
            learned.not_same,
            learned.as_json(),
        ],
    )
    return learned.version


def load_learned(store: Store, model_version: int | None = None) -> Learned | None:
    """The latest learned weights (for this model version when given)."""
    where = "" if model_version is None else f"WHERE model_version = {int(model_version)} "
    row = store.con.execute(
        "SELECT version, model_version, same, not_same, CAST(weights AS VARCHAR) FROM resolve_learned "
        f"{where}ORDER BY version DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    data = json.loads(row[4])
    return Learned(
        int(row[1]), int(row[2]), int(row[3]), float(data["prior"]), data["weights"],
        data.get("calibration", {}), int(row[0]),
    )  # fmt: skip


def scoring_model(store: Store) -> tuple[int, dict[str, Any]]:
    """The model to score with: the latest trained model, with the weights learnt from judgements
    on it when there are any."""
    version, settings = load_model(store)
    learned = load_learned(store, version)
    return version, (with_weights(settings, learned) if learned is not None else settings)


@dataclass(slots=True)
class Relearned:
    """What one refit changed (counts only)."""

    learned: Learned | None
    rescored: int = 0
    links: int = 0
    reviews: int = 0
    changed: int = 0


def _rescore(explanation: dict[str, Any], prior: float, weights: dict[str, dict[str, float]]) -> float:
    total = prior
    for feature in explanation["features"]:
        level = weights.get(feature["feature"], {}).get(feature["level"])
        if level is not None:
            feature["match_weight"] = round(level, 3)
        total += float(feature["match_weight"])
    explanation["prior_match_weight"] = round(prior, 3)
    return total


def rescore_pairs(
    store: Store, settings: dict[str, Any], thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> tuple[int, int, int, int]:
    """Rescore every stored candidate pair with these settings' weights, from the levels each
    explanation names; returns (pairs, links, reviews, decisions changed)."""
    index = LevelIndex.of(settings)
    labels = {(c, label): float(w) for (c, _, label), w in zip(index.columns, index.base, strict=True)}
    weights: dict[str, dict[str, float]] = {}
    for (c, label), w in labels.items():
        weights.setdefault(c, {})[label] = w
    note = settings.get("mare_learned")
    table = (
        settled(store.con)
        .sql(
            "SELECT left_uid, right_uid, decision, CAST(explanation AS VARCHAR) AS explanation "
            "FROM candidate_pairs"
        )
        .to_arrow_table()
    )
    out_w, out_p, out_d, out_e = [], [], [], []
    changed = 0
    for old, text in zip(
        table.column("decision").to_pylist(), table.column("explanation").to_pylist(), strict=True
    ):
        explanation = json.loads(text)
        w = _rescore(explanation, index.prior, weights)
        p = 1.0 / (1.0 + 2.0**-w) if w >= 0 else 2.0**w / (1.0 + 2.0**w)
        explanation["match_weight"], explanation["match_probability"] = round(w, 3), round(p, 6)
        if note:
            explanation["learned"] = note
        else:
            explanation.pop("learned", None)
        decision = thresholds.decide(p)
        changed += decision != old
        out_w.append(round(w, 3))
        out_p.append(round(p, 6))
        out_d.append(decision)
        out_e.append(json.dumps(explanation))
    update = pa.table(
        {
            "left_uid": table.column("left_uid"),
            "right_uid": table.column("right_uid"),
            "match_weight": pa.array(out_w, pa.float64()),
            "match_probability": pa.array(out_p, pa.float64()),
            "decision": pa.array(out_d, pa.string()),
            "explanation": pa.array(out_e, pa.string()),
        }
    )
    con = store.con
    settled(con).register("_mare_rescored", update)
    con.execute(
        "UPDATE candidate_pairs c SET match_weight = r.match_weight, match_probability = "
        "r.match_probability, decision = r.decision, explanation = CAST(r.explanation AS JSON) "
        "FROM _mare_rescored r WHERE c.left_uid = r.left_uid AND c.right_uid = r.right_uid"
    )
    con.unregister("_mare_rescored")
    return table.num_rows, out_d.count("link"), out_d.count("review"), changed


def relearn(store: Store, thresholds: Thresholds | None = None, rebuild: bool = True) -> Relearned:
    """Refit the weights on every judgement so far, keep them, rescore all stored candidate pairs,
    and (with `rebuild`) recluster. With no labelled judgement the unsupervised model is used."""
    from mare.resolve.entities import rebuild_entities

    if store.url is not None:  # PostgreSQL: computed in DuckDB on the store's tables (mirror.py)
        from mare.resolve.mirror import on_mirror

        return on_mirror(store, lambda m, **_: relearn(m, thresholds, rebuild))

    version, settings = load_model(store)
    learned = learn(store, settings, version)
    if learned is not None:
        save_learned(store, learned)
        settings = with_weights(settings, learned)
    if thresholds is None:  # learnt weights are calibrated: decisions at the calibrated thresholds
        thresholds = CALIBRATED_THRESHOLDS if learned is not None else DEFAULT_THRESHOLDS
    pairs, links, reviews, changed = rescore_pairs(store, settings, thresholds)
    if rebuild:
        rebuild_entities(store)
    return Relearned(learned, pairs, links, reviews, changed)


def committee(
    x: np.ndarray,
    y: np.ndarray,
    index: LevelIndex,
    members: int = 5,
    seed: int = 1,
    w0: np.ndarray | None = None,
) -> np.ndarray:
    """Level weights of a committee of models fitted on bootstrap resamples of the judged pairs
    (one row per member: the prior, then each level's weight, log2): where they disagree on a pair,
    its judgement teaches most. `w0`: the judged pairs' unsupervised weights (from the levels when
    not given)."""
    rng = np.random.default_rng(seed)
    if w0 is None:
        w0 = index.prior + x @ np.clip(index.base, -WEIGHT_CAP, WEIGHT_CAP)
    rows = []
    for _ in range(members):
        pick = rng.integers(0, len(y), len(y)) if len(y) else np.array([], dtype=int)
        _, _, delta = fit_corrections(x[pick], y[pick], w0[pick])
        rows.append(np.concatenate([[index.prior], index.base + delta]))
    return np.array(rows)


def spread(members: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Per pair, the standard deviation of the committee's match weights (log2)."""
    totals = members[:, :1] + members[:, 1:] @ x.T
    return np.asarray(totals.std(axis=0))


def labelled_design(store: Store, settings: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """The judged pairs' design matrix and labels under these settings."""
    labelled = judged_pairs(store)
    index = LevelIndex.of(settings)
    if not labelled:
        return np.zeros((0, len(index.columns))), np.zeros(0)
    pairs = pa.table({"left_uid": [a for a, _, _ in labelled], "right_uid": [b for _, b, _ in labelled]})
    predictions = score_sql(store.con, settings, pairs, "person_features", 0.0)
    verdict = {(a, b): y for a, b, y in labelled}
    y = np.array(
        [
            verdict[(a, b)]
            for a, b in zip(
                predictions.column("record_uid_l").to_pylist(),
                predictions.column("record_uid_r").to_pylist(),
                strict=True,
            )
        ],
        dtype=float,
    )
    return design(index, predictions), y


def explanation_design(index: LevelIndex, explanations: Sequence[dict[str, Any]]) -> np.ndarray:
    """Design rows from stored explanations (the levels they name)."""
    where = {(c, label): i for i, (c, _, label) in enumerate(index.columns)}
    x = np.zeros((len(explanations), len(index.columns)))
    for row, e in enumerate(explanations):
        for f in e["features"]:
            i = where.get((f["feature"], f["level"]))
            if i is not None:
                x[row, i] = 1.0
    return x
