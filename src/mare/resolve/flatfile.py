"""`mare link`: deduplicate a flat CSV of person records with the hub's engine, no hub needed."""

from __future__ import annotations

import csv
import gc
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from mare.resolve.dedupe import DedupeResult, Progress, dedupe
from mare.resolve.features import PersonInput, Value
from mare.resolve.flatcolumns import link_feature_table
from mare.resolve.metrics import Accuracy, accuracy
from mare.resolve.symbol_cache import DiskSymbolSource
from mare.resolve.thresholds import DEFAULT_THRESHOLDS, Thresholds
from mare.schema.types.result import EMPTY_CONTEXT

COLUMNS = (
    "record_id",
    "source",
    "name",
    "given_name",
    "family_name",
    "birth_date",
    "nationality",
    "gender",
    "birth_place",
    "phone",
    "document_number",
)
_TYPES = {
    "name": "name",
    "given_name": "name",
    "family_name": "name",
    "birth_date": "date",
    "nationality": "country",
    "gender": "gender",
    "birth_place": "text",
}
_MULTI = ("nationality", "phone", "document_number")


class LinkInputError(ValueError):
    """The CSV cannot be linked (the message names the file, row and fix)."""


@dataclass(slots=True)
class LinkResult:
    """Clusters per record, the dedupe run, and accuracy when a truth column was given."""

    rows: list[dict[str, str]]
    result: DedupeResult
    accuracy: Accuracy | None


def _normaliser(kind: str) -> Callable[..., Any]:
    from mare.schema.types.registry import normaliser_for

    return normaliser_for(kind)


@lru_cache(maxsize=200_000)
def _normalised(kind: str, text: str) -> Any:
    """A value normalised once per distinct text (names, dates and countries repeat across rows);
    the normalisers are pure functions of the text here (no per-record context)."""
    return _normaliser(kind)(text, EMPTY_CONTEXT)


@lru_cache(maxsize=200_000)
def _value(column: str, kind: str, text: str) -> Value | None:
    """The feature value of one cell, built once per distinct text (shared by the persons that
    carry it: nothing changes a Value once built)."""
    n = _normalised(kind, text)
    return None if n.value is None else Value(column, n.value, tuple(n.flags), dict(n.extra or {}))


def read_records(path: Path) -> tuple[list[dict[str, str]], list[str]]:
    """Read and check the CSV: its rows and their record ids (raises LinkInputError on an
    unusable file)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            records = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise LinkInputError(f"{path}: cannot read it as UTF-8 CSV ({exc})") from exc
    if not records:
        raise LinkInputError(f"{path}: no rows (the first line must be a header with record_id)")
    header = set(records[0])
    if "record_id" not in header:
        raise LinkInputError(f"{path}: no record_id column; add one with a unique id per row")
    if not header & {"name", "given_name", "family_name"}:
        raise LinkInputError(f"{path}: no name column; add name, or given_name and family_name")
    ids, seen = [], set()
    for line, rec in enumerate(records, start=2):
        rid = (rec.get("record_id") or "").strip()
        if not rid or rid in seen:
            raise LinkInputError(
                f"{path}: row {line}: record_id {rid!r} is empty or repeated; give every row its own id"
            )
        seen.add(rid)
        ids.append(rid)
    return records, ids


def read_persons(path: Path) -> tuple[list[PersonInput], list[dict[str, str]]]:
    """Read and normalise the CSV's persons (raises LinkInputError on an unusable file)."""
    records, ids = read_records(path)
    return [_person(rid, rec) for rid, rec in zip(ids, records, strict=True)], records


def _person(rid: str, rec: dict[str, str]) -> PersonInput:
    source = (rec.get("source") or "").strip()
    person = PersonInput(record_uid=rid, contribution=source, agency=source)
    for column, kind in _TYPES.items():
        raw = (rec.get(column) or "").strip()
        for text in raw.split(";") if column in _MULTI else [raw]:
            if not text.strip():
                continue
            value = _value(column, kind, text.strip())
            if value is not None:
                person.values.append(value)
    for text in (rec.get("phone") or "").split(";"):
        if text.strip():
            n = _normalised("phone", text.strip())
            if n.value:
                person.identifiers.append(("phone", n.value))
    for text in (rec.get("document_number") or "").split(";"):
        if text.strip():
            n = _normalised("document_number", text.strip())
            if n.value:
                person.identifiers.append(("document", str((n.extra or {}).get("key") or n.value)))
    return person


def _quiet(stage: str, done: float) -> None:
    return None


def _reasons(explanation: str) -> str:
    data = json.loads(explanation)
    top = sorted(data["features"], key=lambda f: -f["match_weight"])
    return "; ".join(
        f"{f['feature']}: {f['level']} ({f['match_weight']:+.1f})" for f in top if f["match_weight"] > 0
    )


#: Allocations between young-generation collections while `link_csv` runs (Python's default: 700).
GC_YOUNG = 100_000


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Python's cyclic garbage collector run less often, restored after: a run holds hundreds of
    thousands of long-lived values, rows and caches (none of them in cycles that need freeing
    soon), and at the default thresholds the collector walked them all over and over: at 50 000
    persons a third of reading the CSV and of building the features (CPU 4.5 -> 2.7 s and
    3.9 -> 2.2 s). Only when memory is reclaimed changes, nothing that is computed."""
    before = gc.get_threshold()
    gc.set_threshold(max(GC_YOUNG, before[0]), max(50, before[1]), max(100, before[2]))
    try:
        yield
    finally:
        gc.set_threshold(*before)


def link_csv(path: Path, progress: Progress | None = None, symbols: bool | None = None) -> LinkResult:
    """Deduplicate the persons of a CSV; output rows record_id, cluster_id, match_probability, reasons."""
    with _fewer_collections():
        return _link_csv(path, progress, symbols)


def _link_csv(path: Path, progress: Progress | None, symbols: bool | None) -> LinkResult:
    records, ids = read_records(path)
    # column by column: each distinct cell normalised and featured once, no Python row per person
    table = link_feature_table(records, ids, DiskSymbolSource(enabled=symbols), _value, _normalised)
    # only links make the output (clusters, each record's best link and its reasons): pairs below
    # the link threshold are neither kept nor explained, and the scoring prunes them before the
    # costly comparisons (at 50 000 persons, 213 000 kept pairs became the links alone)
    thresholds = Thresholds(keep=DEFAULT_THRESHOLDS.link)
    result = dedupe(table, thresholds=thresholds, progress=progress or _quiet)
    del table
    best: dict[str, tuple[float, str]] = {}
    for a, b, _, p, expl in result.pairs:
        if result.clusters.get(a) != result.clusters.get(b):
            continue
        for uid in (a, b):
            if p > best.get(uid, (-1.0, ""))[0]:
                best[uid] = (p, expl)
    out = []
    reasons: dict[str, str] = {}  # per explanation: both records of a pair usually share it
    for rec in records:
        rid = rec["record_id"].strip()
        p, expl = best.get(rid, (0.0, ""))
        if expl and expl not in reasons:
            reasons[expl] = _reasons(expl)
        out.append(
            {
                "record_id": rid,
                "cluster_id": result.clusters.get(rid, rid),
                "match_probability": f"{p:.4f}" if expl else "",
                "reasons": reasons[expl] if expl else "",
            }
        )
    truth = {r["record_id"].strip(): r["truth"].strip() for r in records if (r.get("truth") or "").strip()}
    acc = accuracy(result.clusters, truth) if truth else None
    return LinkResult(out, result, acc)


def write_links(rows: list[dict[str, str]], out: Path) -> None:
    """Write record_id,cluster_id,match_probability,reasons."""
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["record_id", "cluster_id", "match_probability", "reasons"])
        writer.writeheader()
        writer.writerows(rows)
