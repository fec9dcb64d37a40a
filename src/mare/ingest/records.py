"""Checking one record or link object against the schema and turning it into a RawRecord."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import jsonschema

from mare.ingest.envelope import (
    evaluation_from,
    evaluation_problems,
    handling_from,
    handling_problems,
    schema_problems,
)
from mare.ingest.fastcheck import certainly_valid
from mare.ingest.parsed import RawLink, RawRecord, RecordBlock
from mare.ingest.problems import Problem
from mare.schema.contribution_schema import contribution_schema
from mare.schema.limits import MAX_VALUE_CHARS, too_long
from mare.schema.model import LINK_RESERVED, PERSON_RESERVED, RECORD_RESERVED, load_model

_RESERVED = frozenset(RECORD_RESERVED + PERSON_RESERVED)


def _with_defs(node: dict[str, Any]) -> dict[str, Any]:
    full = contribution_schema()
    return {"$schema": full["$schema"], "$defs": full["$defs"], **node}


@lru_cache(maxsize=64)
def record_validator(kind: str) -> jsonschema.Draft202012Validator:
    """A compiled validator for records of one kind."""
    return jsonschema.Draft202012Validator(_with_defs({"$ref": f"#/$defs/record_{kind}"}))


@lru_cache(maxsize=1)
def link_validator() -> jsonschema.Draft202012Validator:
    """A compiled validator for links."""
    return jsonschema.Draft202012Validator(_with_defs({"$ref": "#/$defs/link"}))


def _unknown_kind(kind: Any, file: str, row: int | None) -> Problem:
    import difflib

    kinds = list(load_model().kinds)
    close = difflib.get_close_matches(str(kind), kinds, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return Problem(file, row, "kind", f"unknown record kind {kind!r}", f"{hint}kinds are: {', '.join(kinds)}")


def value_problems(key: str, values: list[Any], file: str, row: int | None) -> list[Problem]:
    """A value too long, or holding a NUL character, rejects its row (limits in mare.schema.limits)."""
    for v in values:
        if not isinstance(v, str):
            continue
        if len(v) > MAX_VALUE_CHARS:
            return [
                Problem(
                    file, row, key, too_long(len(v)), "shorten it, or send the rest as a separate document"
                )
            ]
        if "\x00" in v:
            return [
                Problem(
                    file,
                    row,
                    key,
                    f"holds a NUL character (byte 0x00, at character {v.index(chr(0)) + 1:,}); "
                    "the row was rejected",
                    "remove it: it is never part of a value (was the file saved as UTF-16 or binary?)",
                )
            ]
    return []


def record_from_dict(obj: Any, file: str, row: int | None) -> tuple[RawRecord | None, list[Problem]]:
    """Validate one record object; return it as a RawRecord, or None with the problems."""
    if not isinstance(obj, dict):
        return None, [
            Problem(file, row, None, "a record must be a JSON object", 'write {"id": ..., "kind": ..., ...}')
        ]
    kind = obj.get("kind")
    if not isinstance(kind, str) or kind not in load_model().kinds:
        return None, [_unknown_kind(kind, file, row)]
    problems = [] if certainly_valid(obj, kind) else schema_problems(record_validator(kind), obj, file, row)
    if isinstance(obj.get("evaluation"), dict):
        problems += evaluation_problems(obj["evaluation"], file, row, "evaluation")
    problems += handling_problems(obj.get("handling"), file, row, "handling")
    reported = {p.field for p in problems}
    fields: dict[str, list[Any]] = {}
    for key, value in obj.items():
        values = value if isinstance(value, list) else [value]
        if key not in reported:
            problems += value_problems(key, values, file, row)
        if key in _RESERVED:
            continue
        kept = [v for v in values if v is not None and v != ""]
        if kept:
            fields[key] = kept
    if problems:
        return None, problems
    return RawRecord(
        local_id=str(obj["id"]),
        kind=kind,
        fields=fields,
        category=obj.get("category"),
        minor=bool(obj.get("minor", False)),
        assessment=bool(obj.get("assessment", False)),
        handling=handling_from(obj["handling"]) if "handling" in obj else None,
        evaluation=evaluation_from(obj["evaluation"]) if "evaluation" in obj else None,
        observed_at=obj.get("observed_at"),
        note=obj.get("note"),
        file=file,
        row=row,
    ), []


def link_from_dict(
    obj: Any, file: str, row: int | None, kinds_by_id: dict[str, str]
) -> tuple[RawLink | None, list[Problem]]:
    """Validate one link object against the schema and the kinds of its ends."""
    if not isinstance(obj, dict):
        return None, [
            Problem(
                file,
                row,
                None,
                "a link must be a JSON object",
                'write {"kind": ..., "source": ..., "target": ...}',
            )
        ]
    problems = schema_problems(link_validator(), obj, file, row)
    problems += handling_problems(obj.get("handling"), file, row, "handling")
    for key, value in obj.items():
        if not any(p.field == key for p in problems):
            problems += value_problems(key, value if isinstance(value, list) else [value], file, row)
    if problems:
        return None, problems
    spec = load_model().links[obj["kind"]]
    for end, allowed in (("source", spec.source), ("target", spec.target)):
        ref = str(obj[end])
        kind = kinds_by_id.get(ref)
        if kind is None:
            problems.append(
                Problem(
                    file,
                    row,
                    end,
                    f"{end} {ref!r} is not a record of this contribution (or it was rejected)",
                    "check the record id",
                )
            )
        elif kind not in allowed:
            problems.append(
                Problem(
                    file,
                    row,
                    end,
                    f"a {spec.name} link cannot have a {kind} as its {end}",
                    f"its {end} must be one of: {', '.join(allowed)}",
                )
            )
    for key in obj:
        if key not in LINK_RESERVED and key not in spec.fields:
            problems.append(
                Problem(
                    file,
                    row,
                    key,
                    f"{spec.name} links have no field {key!r}",
                    f"fields are: {', '.join(spec.fields)}",
                )
            )
    if problems:
        return None, problems
    fields = {k: v for k, v in obj.items() if k not in LINK_RESERVED and v not in (None, "")}
    return RawLink(
        local_id=str(obj.get("id") or f"link{row}"),
        kind=obj["kind"],
        source=str(obj["source"]),
        target=str(obj["target"]),
        fields=fields,
        assessment=bool(obj.get("assessment", False)),
        handling=handling_from(obj["handling"]) if "handling" in obj else None,
        file=file,
        row=row,
    ), []


def collect_records(
    objects: list[tuple[Any, str, int | None]],
    link_objects: list[tuple[Any, str, int | None]],
    blocks: Sequence[RecordBlock] = (),
) -> tuple[list[RawRecord], list[RawLink], list[Problem]]:
    """Validate records then links; duplicate ids and dangling links are problems.

    The records of `blocks` are valid already, and their ids used by no other record (the
    reader checks): they are only known here as the ends links may name.
    """
    records: list[RawRecord] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for block in blocks:
        seen.update(dict.fromkeys(block.local_ids, block.kind))
    for obj, file, row in objects:
        if type(obj) is RawRecord:  # already built and checked (a CSV bundle's fast path)
            record: RawRecord | None = obj
        else:
            record, found = record_from_dict(obj, file, row)
            problems += found
        if record is None:
            continue
        if record.local_id in seen:
            problems.append(
                Problem(
                    file,
                    row,
                    "id",
                    f"record id {record.local_id!r} is used twice",
                    "give every record of a contribution its own id",
                )
            )
            continue
        seen[record.local_id] = record.kind
        records.append(record)
    links: list[RawLink] = []
    link_ids: set[str] = set()
    for obj, file, row in link_objects:
        link, found = link_from_dict(obj, file, row, seen)
        problems += found
        if link is None:
            continue
        if link.local_id in link_ids:
            link.local_id = f"{link.local_id}~{row}"
        link_ids.add(link.local_id)
        links.append(link)
    return records, links, problems
