"""Reading and checking the envelope of a contribution, in any format."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import jsonschema

from mare.ingest.parsed import Envelope, Evaluation, Handling, Restrictions
from mare.ingest.problems import ContributionError, Problem
from mare.schema.contribution_schema import FORMAT_ID, contribution_schema
from mare.schema.limits import too_long
from mare.schema.model import load_model

DEFAULT_SCHEME = "4x4"


@lru_cache(maxsize=1)
def _envelope_validator() -> jsonschema.Draft202012Validator:
    schema = dict(contribution_schema())
    props = dict(schema["properties"])
    props.pop("records")
    props.pop("links")
    schema["properties"] = props
    return jsonschema.Draft202012Validator(schema)


def _path(error: jsonschema.ValidationError) -> str:
    return ".".join(str(p) for p in error.absolute_path) or "(envelope)"


def schema_problems(
    validator: jsonschema.Draft202012Validator, data: Any, file: str, row: int | None
) -> list[Problem]:
    """Every JSON Schema violation of `data`, as problems naming the field and a fix."""
    problems = []
    for err in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        field = _path(err)
        fix = ""
        if err.validator == "additionalProperties":
            fix = "remove the field or check its spelling against docs/formats/contribution.md"
        elif err.validator == "enum":
            allowed = err.validator_value
            fix = f"use one of: {', '.join(map(str, allowed))}"
        elif err.validator == "required":
            fix = "add the missing field"
        elif err.validator == "const":
            fix = f"set it to {err.validator_value!r}"
        elif err.validator == "pattern":
            fix = "agency ids are upper-case letters, digits, '-', '_' or '.', e.g. DE-BKA"
        elif err.validator in ("maxLength", "maxItems") and isinstance(err.instance, str | list):
            unit = "characters" if err.validator == "maxLength" else "values"
            problems.append(
                Problem(
                    file,
                    row,
                    field,
                    too_long(len(err.instance), err.validator_value, unit),
                    "shorten it, or send the rest as a separate document",
                )
            )
            continue
        elif err.validator == "type":
            fix = f"give it as {' or '.join(_types(err.validator_value))}"
        elif err.validator == "minLength":
            fix = "give a value, or leave the field out"
        else:
            fix = "see docs/formats/contribution.md"
        message = err.message if len(err.message) < 200 else err.message[:200] + "…"
        problems.append(Problem(file, row, field, message, fix))
    return problems


def _types(names: Any) -> list[str]:
    words = {"string": "text", "array": "a list", "object": "an object", "boolean": "true or false"}
    return [words.get(str(n), str(n)) for n in (names if isinstance(names, list) else [names])]


def _holds_nul(value: Any) -> bool:
    """True when a string anywhere in this (schema-checked, shallow) JSON value holds a NUL."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def parse_timestamp(value: str) -> datetime:
    """An ISO 8601 timestamp as an aware UTC datetime (naive taken as UTC)."""
    stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC)


def handling_problems(data: Any, file: str, row: int | None, where: str) -> list[Problem]:
    """Check what the schema cannot: that an H3 `expires` is a real calendar date."""
    rules = data.get("restrictions") if isinstance(data, dict) else None
    expires = rules.get("expires") if isinstance(rules, dict) else None
    if not isinstance(expires, str) or not expires:
        return []
    try:
        date.fromisoformat(expires)
    except ValueError:
        return [
            Problem(
                file,
                row,
                f"{where}.restrictions.expires",
                f"{expires[:40]!r} is not a calendar date",
                "write the last day the restrictions hold as YYYY-MM-DD, e.g. 2028-12-31",
            )
        ]
    return []


def handling_from(data: dict[str, Any]) -> Handling:
    """A Handling from its JSON form (already schema-checked)."""
    rules = data.get("restrictions") or {}
    expires = rules.get("expires")
    return Handling(
        code=data["code"],
        restrictions=Restrictions(
            agencies_allowed=tuple(rules.get("agencies_allowed", ())),
            agencies_denied=tuple(rules.get("agencies_denied", ())),
            expires=date.fromisoformat(expires) if expires else None,
            ask_first=bool(rules.get("ask_first", False)),
            text=rules.get("text", ""),
        ),
    )


def evaluation_problems(data: dict[str, Any], file: str, row: int | None, where: str) -> list[Problem]:
    """Check that source and information codes belong to the declared scheme."""
    scheme_name = data.get("scheme", DEFAULT_SCHEME)
    scheme = load_model().evaluation_schemes.get(scheme_name) if isinstance(scheme_name, str) else None
    if scheme is None:
        return [
            Problem(
                file,
                row,
                f"{where}.scheme",
                f"unknown scheme {scheme_name!r}",
                f"use one of: {', '.join(load_model().evaluation_schemes)}",
            )
        ]
    problems = []
    for part in ("source", "information"):
        code = str(data.get(part, ""))
        if code not in scheme[part]:
            problems.append(
                Problem(
                    file,
                    row,
                    f"{where}.{part}",
                    f"{code!r} is not a {part} code of the {scheme_name} scheme",
                    f"use one of: {', '.join(scheme[part])} (or declare the scheme you use)",
                )
            )
    return problems


def evaluation_from(data: dict[str, Any]) -> Evaluation:
    """An Evaluation from its JSON form (already checked)."""
    return Evaluation(
        scheme=data.get("scheme", DEFAULT_SCHEME),
        source=str(data["source"]),
        information=str(data["information"]),
    )


def parse_envelope(data: Any, file: str) -> Envelope:
    """Check an envelope dict and turn it into an Envelope, or raise ContributionError."""
    if not isinstance(data, dict):
        raise ContributionError(
            [
                Problem(
                    file,
                    None,
                    None,
                    "the envelope is not a JSON object",
                    "send an object with format, id, agency, sent_at, handling",
                )
            ]
        )
    head = {k: v for k, v in data.items() if k not in ("records", "links")}
    head.setdefault("format", FORMAT_ID)
    problems = schema_problems(_envelope_validator(), head, file, None)
    if "evaluation" in head and isinstance(head["evaluation"], dict):
        problems += evaluation_problems(head["evaluation"], file, None, "evaluation")
    if not problems:
        problems += handling_problems(head.get("handling"), file, None, "handling")
    problems += [
        Problem(
            file, None, key, "holds a NUL character (byte 0x00)", "remove it: it is never part of a value"
        )
        for key, value in head.items()
        if _holds_nul(value)
    ]
    sent_at = None
    if not problems and head.get("sent_at"):
        try:
            sent_at = parse_timestamp(head["sent_at"])
        except ValueError:
            problems.append(
                Problem(
                    file,
                    None,
                    "sent_at",
                    f"not an ISO 8601 time: {head['sent_at']!r}",
                    "write it like 2026-11-01T10:00:00Z",
                )
            )
    if problems:
        raise ContributionError(problems)
    return Envelope(
        id=head["id"],
        agency=head["agency"],
        sent_at=sent_at,
        handling=handling_from(head["handling"]),
        evaluation=evaluation_from(head["evaluation"]) if "evaluation" in head else None,
        supersedes=head.get("supersedes"),
        crime_areas=tuple(head.get("crime_areas", ())),
        case_refs=tuple(head.get("case_refs", ())),
        language=head.get("language"),
    )
