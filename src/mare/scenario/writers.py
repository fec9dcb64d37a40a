"""Write contributions: JSON envelope, CSV bundle, FollowTheMoney lines, CDR sidecars."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import numpy as np

from mare.scenario.agencies import HANDLING_SHARES, INFO_SHARES, SCHEME_3X5X2, SOURCE_SHARES
from mare.scenario.ftm import to_ftm
from mare.scenario.people import iso_date, iso_datetime, pick
from mare.scenario.records import Contribution

FORMAT_ID = "mare.contribution/1"
_NOT_IN_CSV = ("id", "kind", "evaluation", "handling")
_LANG = {"de": "de", "it": "it", "es": "es", "fr": "fr", "en": "en"}


def envelope(c: Contribution, rng: np.random.Generator, all_agencies: list[str]) -> dict[str, Any]:
    """The envelope of a contribution: handling code, grading, crime areas, case reference."""
    ag = c.agency
    code = pick(rng, HANDLING_SHARES)
    handling: dict[str, Any] = {"code": code}
    if code == "H3":
        others = [a for a in all_agencies if a != ag.id]
        allowed = sorted({others[int(i)] for i in rng.integers(0, len(others), 3)})
        handling["restrictions"] = {
            "agencies_allowed": allowed,
            "agencies_denied": [],
            "expires": iso_date(c.sent_at + int(rng.integers(365, 1100)) * 86_400),
            "ask_first": bool(rng.random() < 0.7),
            "text": f"Ask {ag.id} before any operational use; not for "
            f"{'judicial proceedings' if rng.random() < 0.5 else 'onward transmission'}.",
        }
    env: dict[str, Any] = {
        "format": FORMAT_ID,
        "id": c.id,
        "agency": ag.id,
        "sent_at": iso_datetime(c.sent_at),
        "handling": handling,
        "evaluation": evaluation(rng, ag.scheme),
        "crime_areas": sorted(c.crime_areas),
        "case_refs": [c.case_ref],
        "language": _LANG.get(ag.language, "en"),
    }
    return env


def evaluation(rng: np.random.Generator, scheme: str) -> dict[str, str]:
    """A grading in the agency's scheme."""
    if scheme == "3x5x2":
        return {
            "scheme": "3x5x2",
            "source": pick(rng, SCHEME_3X5X2[0]),
            "information": pick(rng, SCHEME_3X5X2[1]),
        }
    return {"scheme": "4x4", "source": pick(rng, SOURCE_SHARES), "information": pick(rng, INFO_SHARES)}


def grade_records(c: Contribution, rng: np.random.Generator) -> None:
    """Give some records their own grading or handling code."""
    for rec in c.records:
        if rng.random() < 0.1:
            rec["evaluation"] = evaluation(rng, c.agency.scheme)
        if rec["kind"] == "person" and rng.random() < 0.03:
            rec["handling"] = {"code": "H2"}


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=None, separators=(",", ":"))


def write(c: Contribution, env: dict[str, Any], folder: Path) -> tuple[Path, list[Path], dict[str, str]]:
    """Write a contribution in its format: main path, all files, record id -> true id."""
    folder.mkdir(parents=True, exist_ok=True)
    if c.fmt == "json":
        path = folder / f"{c.id}.json"
        body = dict(env, records=c.records, links=c.links)
        path.write_text(_dump(body) + "\n", encoding="utf-8")
        return path, [path], c.truth
    if c.fmt == "csv":
        main, files = _write_csv(c, env, folder / c.id)
        return main, files, c.truth
    path = folder / f"{c.id}.ftm.jsonl"
    lines, truth = to_ftm(c)
    path.write_text("".join(_dump(x) + "\n" for x in lines), encoding="utf-8")
    side = folder / f"{c.id}.ftm.jsonl.envelope.json"
    side.write_text(_dump(env) + "\n", encoding="utf-8")
    return path, [path, side], truth


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return " | ".join(_cell(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _write_csv(c: Contribution, env: dict[str, Any], folder: Path) -> tuple[Path, list[Path]]:
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / "envelope.json"]
    files[0].write_text(_dump(env) + "\n", encoding="utf-8")
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for rec in c.records:
        by_kind.setdefault(rec["kind"], []).append(rec)
    for kind in sorted(by_kind):
        rows = by_kind[kind]
        cols: list[str] = []
        for r in rows:
            cols.extend(k for k in r if k not in cols and k not in _NOT_IN_CSV)
        reserved = [k for k in ("category", "minor", "assessment") if k in cols]
        rest = [k for k in cols if k not in reserved]
        header = ["id", *reserved, *rest]
        files.append(folder / f"{kind}.csv")
        files[-1].write_text(_csv_text(header, rows), encoding="utf-8")
    if c.links:
        cols = ["id", "kind", "source", "target"]
        for ln in c.links:
            cols.extend(k for k in ln if k not in cols)
        rows = [dict(ln, id=f"l{i + 1}") for i, ln in enumerate(c.links)]
        files.append(folder / "links.csv")
        files[-1].write_text(_csv_text(cols, rows), encoding="utf-8")
    return folder, files


def _csv_text(header: list[str], rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([_cell(r[k]) if k in r else "" for k in header])
    return buf.getvalue()


def write_cdr_envelope(path: Path, env: dict[str, Any]) -> Path:
    """The sidecar FILE.envelope.json of a CDR file."""
    side = path.with_name(path.name + ".envelope.json")
    side.write_text(_dump(env) + "\n", encoding="utf-8")
    return side
