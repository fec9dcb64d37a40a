"""A fast pre-check of records, equivalent to the JSON Schema for the common case.

jsonschema costs ~0.4 ms a record; this check costs a few µs. It answers only "certainly
valid": whenever it is not sure (a per-record handling or evaluation, any violation), the
record goes through the real JSON Schema validator, which produces the messages. A property
test (tests/ingest/test_fastcheck.py) checks that it never accepts what the schema rejects.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from mare.schema.limits import MAX_ID_CHARS, MAX_ITEMS, MAX_VALUE_CHARS
from mare.schema.model import load_model

MAX_TEXT = MAX_VALUE_CHARS
__all__ = ["MAX_ITEMS", "MAX_TEXT", "certainly_valid", "record_rules"]

# How a key's value is checked: (mode, allowed values, may be a list).
TEXT, LOOSE, NUMBER, BOOLEAN, FLAG, ENUM, ID, KIND, ANY_STRING = range(9)
Rule = tuple[int, frozenset[str], bool]


def _scalar_ok(mode: int, allowed: frozenset[str], v: Any) -> bool:
    if mode == TEXT:
        return type(v) is str and len(v) <= MAX_TEXT
    if mode == ENUM:
        return type(v) is str and v in allowed
    if mode == LOOSE:  # boolean fields: true/false or any string
        return type(v) is bool or type(v) is str
    if mode == NUMBER:
        return type(v) in (int, float, str)
    if mode == FLAG:
        return type(v) is bool
    if mode == ID:
        return type(v) is str and 1 <= len(v) <= MAX_ID_CHARS
    if mode == ANY_STRING:
        return type(v) is str
    return False


@cache
def record_rules(kind: str) -> tuple[dict[str, Rule], frozenset[str]]:
    """Per-key rules for records of one kind, and the keys that must be present."""
    model = load_model()
    spec = model.kinds[kind]
    none: frozenset[str] = frozenset()
    rules: dict[str, Rule] = {
        "id": (ID, none, False),
        "kind": (KIND, frozenset({kind}), False),
        "assessment": (FLAG, none, False),
        "observed_at": (ANY_STRING, none, False),
        "note": (TEXT, none, False),
    }
    if kind == "person":
        rules["category"] = (ENUM, frozenset(model.person_categories), False)
        rules["minor"] = (FLAG, none, False)
    for name, f in spec.fields.items():
        if f.type == "boolean":
            mode = LOOSE
        elif f.type in ("number", "latitude", "longitude"):
            mode = NUMBER
        elif f.type == "enum":
            mode = ENUM
        else:
            mode = TEXT
        rules[name] = (mode, frozenset(f.values), f.multiple)
    required = frozenset({"id", "kind"} | {n for n, f in spec.fields.items() if f.required})
    return rules, required


def certainly_valid(obj: dict[str, Any], kind: str) -> bool:
    """True when the record surely satisfies the JSON Schema of its kind (False = ask jsonschema)."""
    rules, required = record_rules(kind)
    if not required.issubset(obj):
        return False
    for key, value in obj.items():
        rule = rules.get(key)
        if rule is None:
            return False  # unknown key, or a per-record handling/evaluation: let jsonschema decide
        mode, allowed, multiple = rule
        if mode == KIND:
            if value not in allowed:
                return False
        elif multiple and type(value) is list:
            if len(value) > MAX_ITEMS:
                return False
            for item in value:
                if not _scalar_ok(mode, allowed, item):
                    return False
        elif not _scalar_ok(mode, allowed, value):
            return False
    return True
