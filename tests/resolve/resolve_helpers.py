"""Small hub fixtures for cross-check tests: two agencies' contributions with shared people."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from builders import write_contribution
from mare.ingest.pipeline import ingest_file
from mare.resolve.features import PersonInput, Value
from mare.schema.types.dates import normalise_birth_date
from mare.schema.types.names import normalise_person_name
from mare.store.db import Store

#: Name parts for random person fixtures: transliteration variants that the matcher should join.
GIVEN = ["Mohammed", "Muhammad", "Ahmad", "Ahmed", "Ali", "Hasan", "Hassan", "Omar", "Umar", "Aman"]
FAMILY = ["Al-Hassan", "Alhassan", "Tesfay", "Tesfaye", "Darwish", "Darwich", "Kaya", "Haddad"]


def normalised_value(field: str, text: str) -> Value:
    """A name or birth date as the feature builder receives it (normalised, with flags and extra)."""
    n = normalise_birth_date(text) if field == "birth_date" else normalise_person_name(text)
    assert n.value is not None
    return Value(field, n.value, tuple(n.flags), dict(n.extra or {}))


def random_people(n: int, seed: int, contributions: int = 5) -> list[PersonInput]:
    """Random persons from `GIVEN`/`FAMILY`: birth dates full, month or year only (1970–1975),
    nationality, gender, role, phones and associates each on some; ids `c<k>:p<i>`."""
    rng = random.Random(seed)
    people = []
    for i in range(n):
        values = [normalised_value("name", f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}")]
        if rng.random() < 0.8:
            year, month, day = rng.randint(1970, 1975), rng.randint(1, 12), rng.randint(1, 28)
            text = rng.choice([f"{day:02d}.{month:02d}.{year}", f"{year}", f"{month:02d}/{year}"])
            values.append(normalised_value("birth_date", text))
        if rng.random() < 0.7:
            values.append(Value("nationality", rng.choice(["SY", "IQ", "ER"])))
        if rng.random() < 0.5:
            values.append(Value("gender", rng.choice(["m", "f"])))
        if rng.random() < 0.3:
            values.append(Value("role", rng.choice(["driver", "organiser"])))
        phones = [("phone", f"+4915{rng.randint(0, 30)}")] if rng.random() < 0.3 else []
        associates = (
            [f"c{j % contributions}:p{j}" for j in rng.sample(range(n), 2)] if rng.random() < 0.2 else []
        )
        people.append(
            PersonInput(
                f"c{i % contributions}:p{i}", f"c{i % contributions}", f"A{i % 3}", values, phones, associates
            )
        )
    return people


BKA = [
    {
        "id": "p1",
        "kind": "person",
        "category": "suspect",
        "name": "Mohammed AL-HASSAN",
        "birth_date": "03.04.1985",
        "nationality": "Syrian",
        "gender": "m",
        "phone": ["+4915112345678"],
    },
    {"id": "p2", "kind": "person", "name": "Aman Tesfay", "birth_date": "2010", "nationality": "ER"},
    {"id": "p3", "kind": "person", "name": "Johann Weber", "birth_date": "1970-06-01", "nationality": "DE"},
    {"id": "v1", "kind": "vehicle", "plate": "MH 4521", "country": "DE"},
]
SCO = [
    {
        "id": "q1",
        "kind": "person",
        "name": "محمد الحسن",
        "birth_date": "1985-03-04",
        "nationality": "SY",
        "gender": "male",
    },
    {"id": "q2", "kind": "person", "name": "Yusuf Kaya", "birth_date": "1990", "phone": ["+4915112345678"]},
    {"id": "q3", "kind": "person", "name": "Giulia Bianchi", "birth_date": "1982-11-20", "nationality": "IT"},
]


def ingest(store: Store, tmp: Path, name: str, records: list[dict[str, Any]], **envelope: Any) -> str:
    """Ingest one JSON contribution; returns its uid."""
    report = ingest_file(store, write_contribution(tmp / f"{name}.json", records, id=name, **envelope))
    assert report.status == "stored", report.message
    assert report.contribution
    return report.contribution


def two_agencies(store: Store, tmp: Path, sco_handling: str = "H0") -> tuple[str, str]:
    """BKA (H0) and SCO (handling as given) contributions; returns their uids."""
    a = ingest(store, tmp, "BKA-1", BKA, agency="DE-BKA")
    b = ingest(store, tmp, "SCO-1", SCO, agency="IT-SCO", handling={"code": sco_handling})
    return a, b
