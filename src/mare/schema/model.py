"""The schema as data: record kinds, fields, link kinds and codes, loaded from model.yaml."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

#: Property types; each is handled by one normaliser in mare.schema.types.
PROPERTY_TYPES = frozenset(
    {
        "text",
        "name",
        "org_name",
        "date",
        "datetime",
        "country",
        "phone",
        "email",
        "handle",
        "plate",
        "imo",
        "mmsi",
        "iban",
        "document_number",
        "mrz",
        "gender",
        "number",
        "url",
        "latitude",
        "longitude",
        "enum",
        "boolean",
    }
)

#: Keys every record may carry besides its kind's fields.
RECORD_RESERVED = ("id", "kind", "assessment", "handling", "evaluation", "observed_at", "note")
#: Keys only person records carry.
PERSON_RESERVED = ("category", "minor")
#: Keys every link carries besides its fields.
LINK_RESERVED = ("id", "kind", "source", "target", "assessment", "handling", "evaluation")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a record or link kind."""

    name: str
    type: str
    label: str = ""
    multiple: bool = False
    required: bool = False
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KindSpec:
    """A record kind (person, phone, vessel...) and its fields."""

    name: str
    label: str
    fields: dict[str, FieldSpec]

    def field(self, name: str) -> FieldSpec | None:
        """The field of that name, or None."""
        return self.fields.get(name)


@dataclass(frozen=True, slots=True)
class LinkSpec:
    """A link kind: which record kinds may be its source and target."""

    name: str
    source: tuple[str, ...]
    target: tuple[str, ...]
    directed: bool = True
    fields: dict[str, FieldSpec] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Model:
    """The whole vocabulary."""

    version: int
    kinds: dict[str, KindSpec]
    links: dict[str, LinkSpec]
    handling_codes: dict[str, str]
    evaluation_schemes: dict[str, dict[str, dict[str, str]]]
    person_categories: dict[str, str]
    crime_areas: tuple[str, ...]
    roles: tuple[str, ...]

    def kind(self, name: str) -> KindSpec | None:
        """The record kind of that name, or None."""
        return self.kinds.get(name)


def _field(name: str, spec: dict[str, Any], enums: dict[str, tuple[str, ...]]) -> FieldSpec:
    ftype = spec["type"]
    if ftype not in PROPERTY_TYPES:
        raise ValueError(f"model.yaml: field {name!r} has unknown type {ftype!r}")
    values: tuple[str, ...] = tuple(spec.get("values", ()))
    if "of" in spec:
        values = enums[spec["of"]]
    return FieldSpec(
        name=name,
        type=ftype,
        label=spec.get("label", name.replace("_", " ").capitalize()),
        multiple=bool(spec.get("multiple", False)),
        required=bool(spec.get("required", False)),
        values=values,
    )


def model_from_dict(data: dict[str, Any]) -> Model:
    """Build the model from its parsed YAML."""
    codes = data["codes"]
    enums = {"roles": tuple(codes["roles"]), "crime_areas": tuple(codes["crime_areas"])}
    kinds = {
        kname: KindSpec(
            name=kname,
            label=k.get("label", kname),
            fields={f: _field(f, s, enums) for f, s in k["fields"].items()},
        )
        for kname, k in data["kinds"].items()
    }
    common = {f: _field(f, s, enums) for f, s in data.get("link_fields", {}).items()}
    links: dict[str, LinkSpec] = {}
    for lname, spec in data["links"].items():
        for end in (*spec["source"], *spec["target"]):
            if end not in kinds:
                raise ValueError(f"model.yaml: link {lname!r} names unknown kind {end!r}")
        own = {f: _field(f, s, enums) for f, s in spec.get("fields", {}).items()}
        links[lname] = LinkSpec(
            name=lname,
            source=tuple(spec["source"]),
            target=tuple(spec["target"]),
            directed=bool(spec.get("directed", True)),
            fields={**common, **own},
        )
    return Model(
        version=int(data["version"]),
        kinds=kinds,
        links=links,
        handling_codes=dict(codes["handling"]),
        evaluation_schemes={
            name: {part: {str(k): v for k, v in grades.items()} for part, grades in s.items()}
            for name, s in codes["evaluation_schemes"].items()
        },
        person_categories=dict(codes["person_categories"]),
        crime_areas=tuple(codes["crime_areas"]),
        roles=tuple(codes["roles"]),
    )


@lru_cache(maxsize=1)
def load_model() -> Model:
    """The model shipped with Mare (parsed once)."""
    text = resources.files("mare.schema").joinpath("model.yaml").read_text(encoding="utf-8")
    return model_from_dict(yaml.safe_load(text))
