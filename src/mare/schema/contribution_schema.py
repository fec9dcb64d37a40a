"""JSON Schema of the contribution envelope, records and links, derived from the model."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from mare.schema.limits import MAX_ID_CHARS, MAX_ITEMS, MAX_VALUE_CHARS
from mare.schema.model import FieldSpec, Model, load_model

FORMAT_ID = "mare.contribution/1"
SCHEMA_ID = "https://mare.example/schemas/contribution-1.json"
AGENCY_PATTERN = r"^[A-Z0-9][A-Z0-9_.-]{1,63}$"
LOCAL_ID = {"type": "string", "minLength": 1, "maxLength": MAX_ID_CHARS}


def _value_schema(spec: FieldSpec) -> dict[str, Any]:
    if spec.type == "boolean":
        one: dict[str, Any] = {"type": ["boolean", "string"]}
    elif spec.type in ("number", "latitude", "longitude"):
        one = {"type": ["number", "string"]}
    elif spec.type == "enum":
        one = {"type": "string", "enum": list(spec.values)}
    else:
        one = {"type": "string", "maxLength": MAX_VALUE_CHARS}
    schema: dict[str, Any] = dict(one)
    if spec.multiple:
        schema = {"anyOf": [one, {"type": "array", "items": one, "maxItems": MAX_ITEMS}]}
    if spec.label:
        schema["description"] = spec.label
    return schema


def _handling_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["code"],
        "properties": {
            "code": {"enum": ["H0", "H1", "H2", "H3"]},
            "restrictions": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "agencies_allowed": {
                        "type": "array",
                        "items": {"type": "string", "pattern": AGENCY_PATTERN},
                    },
                    "agencies_denied": {
                        "type": "array",
                        "items": {"type": "string", "pattern": AGENCY_PATTERN},
                    },
                    "expires": {"type": "string", "format": "date"},
                    "ask_first": {"type": "boolean"},
                    "text": {"type": "string", "maxLength": 10_000},
                },
            },
        },
    }


def _evaluation_schema(model: Model) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["source", "information"],
        "properties": {
            "scheme": {"enum": list(model.evaluation_schemes)},
            "source": {"type": "string", "minLength": 1, "maxLength": 2},
            "information": {"type": "string", "minLength": 1, "maxLength": 2},
        },
    }


def record_schema(model: Model, kind: str) -> dict[str, Any]:
    """Schema of one record of the given kind."""
    spec = model.kinds[kind]
    props: dict[str, Any] = {
        "id": LOCAL_ID,
        "kind": {"const": kind},
        "assessment": {"type": "boolean", "description": "An assessment, not a fact"},
        "handling": {"$ref": "#/$defs/handling"},
        "evaluation": {"$ref": "#/$defs/evaluation"},
        "observed_at": {"type": "string"},
        "note": {"type": "string", "maxLength": MAX_VALUE_CHARS},
    }
    if kind == "person":
        props["category"] = {"enum": list(model.person_categories)}
        props["minor"] = {"type": "boolean"}
    for name, fspec in spec.fields.items():
        props[name] = _value_schema(fspec)
    required = ["id", "kind"] + [n for n, f in spec.fields.items() if f.required]
    return {
        "type": "object",
        "title": spec.label,
        "additionalProperties": False,
        "required": required,
        "properties": props,
    }


def link_schema(model: Model) -> dict[str, Any]:
    """Schema of one link (any kind; fields are checked per kind by the validator)."""
    fields: dict[str, Any] = {}
    for link in model.links.values():
        for name, fspec in link.fields.items():
            fields[name] = _value_schema(fspec)
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["kind", "source", "target"],
        "properties": {
            "id": LOCAL_ID,
            "kind": {"enum": list(model.links)},
            "source": LOCAL_ID,
            "target": LOCAL_ID,
            "assessment": {"type": "boolean"},
            "handling": {"$ref": "#/$defs/handling"},
            "evaluation": {"$ref": "#/$defs/evaluation"},
            **fields,
        },
    }


def envelope_schema(model: Model) -> dict[str, Any]:
    """Schema of the whole contribution, records and links included."""
    kinds = list(model.kinds)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Mare contribution",
        "type": "object",
        "additionalProperties": False,
        "required": ["format", "id", "agency", "sent_at", "handling"],
        "properties": {
            "format": {"const": FORMAT_ID},
            "id": {
                "type": "string",
                "minLength": 1,
                "maxLength": 200,
                "description": "The sender's id; with the agency it makes re-sending harmless",
            },
            "agency": {"type": "string", "pattern": AGENCY_PATTERN},
            "sent_at": {"type": "string", "format": "date-time"},
            "supersedes": {"type": ["string", "null"], "maxLength": 200},
            "handling": {"$ref": "#/$defs/handling"},
            "evaluation": {"$ref": "#/$defs/evaluation"},
            "crime_areas": {"type": "array", "items": {"enum": list(model.crime_areas)}},
            "case_refs": {"type": "array", "items": {"type": "string", "maxLength": 200}},
            "language": {"type": "string", "pattern": "^[a-z]{2,3}$"},
            "records": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "kind"],
                    "properties": {"kind": {"enum": kinds}},
                    "allOf": [
                        {
                            "if": {"properties": {"kind": {"const": k}}},
                            "then": {"$ref": f"#/$defs/record_{k}"},
                        }
                        for k in kinds
                    ],
                },
            },
            "links": {"type": "array", "items": {"$ref": "#/$defs/link"}},
        },
        "$defs": {
            "handling": _handling_schema(),
            "evaluation": _evaluation_schema(model),
            "link": link_schema(model),
            **{f"record_{k}": record_schema(model, k) for k in kinds},
        },
    }


@lru_cache(maxsize=1)
def contribution_schema() -> dict[str, Any]:
    """The JSON Schema for Mare's contribution format (built once)."""
    return envelope_schema(load_model())
