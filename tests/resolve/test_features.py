"""Person features and blocking keys from normalised values."""

from __future__ import annotations

from mare.resolve.features import PersonInput, Value, blocking_keys, build_row, fold_text
from mare.resolve.symbols import SymbolSource
from mare.schema.types.dates import normalise_birth_date
from mare.schema.types.names import normalise_person_name


def _value(field: str, text: str) -> Value:
    n = normalise_birth_date(text) if field == "birth_date" else normalise_person_name(text)
    assert n.value is not None
    return Value(field, n.value, tuple(n.flags), dict(n.extra or {}))


def test_row_holds_order_free_names_dates_and_identifiers() -> None:
    person = PersonInput(
        "c:p1",
        "c",
        "DE-BKA",
        [
            _value("name", "ALI, Hasan"),
            _value("alias", "محمد الحسن"),
            _value("birth_date", "03.04.1985"),
            Value("nationality", "SY"),
            Value("gender", "m"),
            Value("birth_place", "Alep (Ḥalab)"),
        ],
        [("phone", "+4915112345678"), ("document", "P1234567")],
    )
    row = build_row(person, SymbolSource(enabled=False))
    assert row["name_key"] == "ali hasan"
    assert row["name_keys"] == ["ali hasan"]  # the alias is kept apart: a kunya is not a name
    assert "hasan muhammad" in row["alias_keys"]
    assert [p["t"] for p in row["name_parts"]] == ["ali", "hasan"]
    assert (row["birth_date"], row["birth_precision"], row["birth_alt"]) == (
        "1985-04-03",
        "day",
        "1985-03-04",
    )
    assert row["birth_place"] == "alep halab"
    assert row["identifiers"] == ["document:P1234567", "phone:+4915112345678"]
    assert row["phones"] == ["+4915112345678"] and row["documents"] == ["P1234567"]
    keys = blocking_keys(row)
    assert {
        "n:ali hasan",
        "n:hasan muhammad",
        "d:1985-04-03",
        "d:1985-03-04",
        "i:phone:+4915112345678",
    } <= keys
    assert "y:1985:hsn" in keys


def test_given_and_family_names_combine_and_placeholder_dates_count_as_year() -> None:
    person = PersonInput(
        "c:p2",
        values=[
            _value("given_name", "Aman"),
            _value("family_name", "Tesfay"),
            _value("birth_date", "01.01.1990"),
        ],
    )
    row = build_row(person, SymbolSource(enabled=False))
    assert row["name_key"] == "aman tesfay"
    assert row["name_latin"] == "Aman Tesfay"
    assert (row["birth_year"], row["birth_precision"], row["birth_month"]) == (1990, "year", None)


def test_person_without_values_has_empty_features() -> None:
    row = build_row(PersonInput("c:p3"), SymbolSource(enabled=False))
    assert row["name_parts"] is None and row["birth_year"] is None
    assert blocking_keys(row) == set()


def test_fold_text() -> None:
    assert fold_text("  Saint-Étienne ") == "saint etienne"


def test_role_residence_and_associates_of_linked_persons() -> None:
    from mare.resolve.features import build_rows

    people = [
        PersonInput(
            "c:p1",
            "c",
            "A",
            [_value("name", "Hasan Ali"), Value("role", "driver"), Value("residence_country", "AT")],
            associates=["c:p2"],
        ),
        PersonInput("c:p2", "c", "A", [_value("name", "Omar Darwish")], associates=["c:p1"]),
    ]
    one, two = build_rows(people, SymbolSource(enabled=False))
    assert one["role"] == "driver" and one["residence"] == ["AT"]
    assert one["associates"] == two["phon_keys"] and two["associates"] == one["phon_keys"]
