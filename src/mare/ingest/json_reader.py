"""Reader for the JSON contribution format (mare.contribution/1)."""

from __future__ import annotations

import json
from pathlib import Path

from mare.ingest.decode import NESTING_FIX, NestingError, decode_bytes, load_json, read_limited
from mare.ingest.envelope import parse_envelope
from mare.ingest.parsed import ParsedContribution
from mare.ingest.problems import ContributionError, Problem
from mare.ingest.records import collect_records


def read_json_contribution(path: Path, encoding: str | None = None) -> ParsedContribution:
    """Read one JSON contribution file; bad records become problems, the rest is kept."""
    name = path.name
    text, warnings = decode_bytes(read_limited(path, name), name, encoding)
    try:
        data = load_json(text)
    except NestingError as exc:
        raise ContributionError([Problem(name, None, None, str(exc), NESTING_FIX)]) from None
    except json.JSONDecodeError as exc:
        raise ContributionError(
            [
                Problem(
                    name,
                    exc.lineno,
                    None,
                    f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                    "fix the JSON syntax; the file was not stored",
                )
            ]
        ) from exc
    envelope = parse_envelope(data, name)
    raw_records = data.get("records", []) if isinstance(data, dict) else []
    raw_links = data.get("links", []) if isinstance(data, dict) else []
    for key, items in (("records", raw_records), ("links", raw_links)):
        if not isinstance(items, list):
            raise ContributionError(
                [Problem(name, None, key, f"{key!r} must be a list", f'write "{key}": [{{...}}, ...]')]
            )
    records, links, problems = collect_records(
        [(obj, name, i + 1) for i, obj in enumerate(raw_records)],
        [(obj, f"{name}#links", i + 1) for i, obj in enumerate(raw_links)],
    )
    return ParsedContribution(
        envelope=envelope,
        format="json",
        files=[(name, path)],
        records=records,
        links=links,
        problems=warnings + problems,
    )
