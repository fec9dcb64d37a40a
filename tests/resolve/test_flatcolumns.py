"""`mare link`'s feature table built column by column equals the one built person by person."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from mare.resolve import flatfile
from mare.resolve.flatcolumns import link_feature_table
from mare.resolve.symbols import SymbolSource
from mare.resolve.table import feature_table

_NAMES = [
    "Mohammed Al-Hassan",
    "HADDAD Omar",
    "محمد الحسن",
    "Abdul Rahman Kaya",
    "Tesfaye",
    "Dr. Ali Darwish",
    "",
    "1234",
]
_GIVEN = ["Ahmad", "Umar", "", "أحمد", "Yonas"]
_FAMILY = ["Tesfay", "Al Shanem", "", "Darwich", "Кая"]
_DATES = [
    "12.03.1980",
    "1980",
    "03/1980",
    "1980-03-12",
    "01.01.1975",
    "31.02.1990",
    "07.05.1988",
    "",
    "unknown",
]
_COUNTRIES = ["SY", "Syria", "IQ;ER", "ER; SY", "", "Atlantis", "sy;SY"]
_PHONES = ["+4915112345678", "0151 1234567", "+963 933 123 456;+4915112345678", "", "abc"]
_DOCS = ["P1234567", "p 123 4567;X9", "", "AB-12345"]


def _rows(n: int, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    return [
        {
            "record_id": f" r{i} ",
            "source": rng.choice(["S1", "S2 ", "", "S3"]),
            "name": rng.choice(_NAMES),
            "given_name": rng.choice(_GIVEN),
            "family_name": rng.choice(_FAMILY),
            "birth_date": rng.choice(_DATES),
            "nationality": rng.choice(_COUNTRIES),
            "gender": rng.choice(["m", "f", "F", "", "x"]),
            "birth_place": rng.choice(["Aleppo", " Dér ez-Zór ", "", "!!"]),
            "phone": rng.choice(_PHONES),
            "document_number": rng.choice(_DOCS),
        }
        for i in range(n)
    ]


@pytest.mark.parametrize("seed", [1, 2])
def test_column_wise_table_equals_person_by_person(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "persons.csv"
    rows = _rows(600, seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    persons, _ = flatfile.read_persons(path)
    want = feature_table(persons, SymbolSource(enabled=False))
    records, ids = flatfile.read_records(path)
    got = link_feature_table(records, ids, SymbolSource(enabled=False), flatfile._value, flatfile._normalised)
    assert got.schema == want.schema
    for name in want.column_names:
        assert got.column(name).to_pylist() == want.column(name).to_pylist(), name
    assert got.equals(want)
    # the cells vary: the table is no constant
    assert len(set(got.column("birth_precision").to_pylist())) >= 3
    assert any(got.column("identifiers").to_pylist()) and any(got.column("name_parts").to_pylist())


def test_a_name_column_alone(tmp_path: Path) -> None:
    path = tmp_path / "persons.csv"
    path.write_text("record_id,given_name\n1,Omar\n2,\n3,Umar\n", encoding="utf-8")
    persons, _ = flatfile.read_persons(path)
    records, ids = flatfile.read_records(path)
    got = link_feature_table(records, ids, SymbolSource(enabled=False), flatfile._value, flatfile._normalised)
    assert got.equals(feature_table(persons, SymbolSource(enabled=False)))
    assert got.column("name_key").to_pylist() == ["omar", None, "umar"]
