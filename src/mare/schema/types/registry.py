"""Which normaliser handles which property type of the schema."""

from __future__ import annotations

import importlib
from functools import cache

from mare.schema.types.result import (
    EMPTY_CONTEXT,
    NormaliseContext,
    Normalised,
    Normaliser,
    failed,
)

#: property type -> (module in mare.schema.types, function)
NORMALISER_NAMES: dict[str, tuple[str, str]] = {
    "name": ("names", "normalise_person_name"),
    "org_name": ("names", "normalise_organisation_name"),
    "date": ("dates", "normalise_birth_date"),
    "datetime": ("dates", "normalise_datetime"),
    "country": ("countries", "normalise_country"),
    "phone": ("phones", "normalise_phone"),
    "email": ("identifiers", "normalise_email"),
    "handle": ("identifiers", "normalise_handle"),
    "plate": ("identifiers", "normalise_plate"),
    "imo": ("identifiers", "normalise_imo"),
    "mmsi": ("identifiers", "normalise_mmsi"),
    "iban": ("identifiers", "normalise_iban"),
    "document_number": ("identifiers", "normalise_document_number"),
    "gender": ("identifiers", "normalise_gender"),
    "mrz": ("mrz", "normalise_mrz"),
    "text": ("simple", "normalise_text"),
    "number": ("simple", "normalise_number"),
    "url": ("simple", "normalise_url"),
}

_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}


def normalise_boolean(text: str, ctx: NormaliseContext = EMPTY_CONTEXT) -> Normalised:
    """'true'/'false' (and 1/0, yes/no) as 'true' or 'false'."""
    low = text.strip().lower()
    if low in _TRUE:
        return Normalised(text, "true")
    if low in _FALSE:
        return Normalised(text, "false")
    return failed(text, f"{text[:50]!r} is not true or false")


def normalise_enum(text: str, ctx: NormaliseContext = EMPTY_CONTEXT) -> Normalised:
    """An enumerated code (already checked by the schema), trimmed and lower-cased."""
    return Normalised(text, text.strip().lower())


def _coordinate(limit: float, axis: str) -> Normaliser:
    def normalise(text: str, ctx: NormaliseContext = EMPTY_CONTEXT) -> Normalised:
        base = normaliser_for("_coordinate")(text, ctx)
        if base.value is None:
            return base
        if abs(float(base.value)) > limit:
            return failed(
                text,
                f"{axis} {base.value} is outside ±{limit:g}",
                hint="check that latitude and longitude are not swapped",
            )
        return base

    normalise.__doc__ = f"A {axis} in decimal degrees."
    return normalise


@cache
def normaliser_for(value_type: str) -> Normaliser:
    """The normaliser for a property type (enum values are checked by the schema)."""
    if value_type == "boolean":
        return normalise_boolean
    if value_type == "enum":
        return normalise_enum
    if value_type == "latitude":
        return _coordinate(90.0, "latitude")
    if value_type == "longitude":
        return _coordinate(180.0, "longitude")
    if value_type == "_coordinate":
        module_name, func = "simple", "normalise_coordinate"
    else:
        module_name, func = NORMALISER_NAMES[value_type]
    module = importlib.import_module(f"mare.schema.types.{module_name}")
    fn: Normaliser = getattr(module, func)
    return fn


def normalise_value(value_type: str, text: str, ctx: NormaliseContext = EMPTY_CONTEXT) -> Normalised:
    """Normalise one value of the given type; never raises."""
    try:
        return normaliser_for(value_type)(text, ctx)
    except Exception as exc:  # a normaliser bug must not lose the value
        return failed(text, f"internal error in the {value_type} normaliser: {exc!r}")
