"""The fast pre-check never accepts a record the JSON Schema rejects."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mare.ingest.fastcheck import certainly_valid
from mare.ingest.records import record_validator
from mare.schema.model import load_model

MODEL = load_model()
KINDS = sorted(MODEL.kinds)
SCALARS = st.one_of(
    st.text(max_size=5),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.sampled_from(["suspect", "victim", "van", "passport", "EUR", "x" * 201]),
)
VALUES = st.one_of(
    SCALARS, st.lists(SCALARS, max_size=3), st.dictionaries(st.text(max_size=3), SCALARS, max_size=2)
)


@st.composite
def records(draw: Any) -> tuple[str, dict[str, Any]]:
    kind = draw(st.sampled_from(KINDS))
    keys = [
        "id",
        "kind",
        "category",
        "minor",
        "assessment",
        "note",
        "observed_at",
        "bogus",
        *MODEL.kinds[kind].fields,
    ]
    obj: dict[str, Any] = {}
    for key in draw(st.lists(st.sampled_from(keys), max_size=6, unique=True)):
        obj[key] = draw(VALUES)
    if draw(st.booleans()):
        obj["id"] = draw(st.text(min_size=1, max_size=10))
    obj["kind"] = kind if draw(st.integers(0, 9)) else draw(st.sampled_from(KINDS))
    return kind, obj


@settings(max_examples=3000, deadline=None)
@given(records())
def test_fast_check_is_never_laxer_than_the_schema(case: tuple[str, dict[str, Any]]) -> None:
    kind, obj = case
    if certainly_valid(obj, kind):
        errors = list(record_validator(kind).iter_errors(obj))
        assert not errors, (obj, [e.message for e in errors])


def test_fast_check_accepts_ordinary_records() -> None:
    assert certainly_valid(
        {
            "id": "p1",
            "kind": "person",
            "name": "Ali",
            "alias": ["A", "B"],
            "category": "suspect",
            "minor": False,
            "nationality": "SY",
        },
        "person",
    )
    assert certainly_valid(
        {"id": "v1", "kind": "vessel", "length_m": 9.5, "vessel_type": "rubber_dinghy"}, "vessel"
    )
    assert not certainly_valid({"id": "v1", "kind": "vessel", "vessel_type": "spaceship"}, "vessel")
    assert not certainly_valid({"id": "p1", "kind": "person", "handling": {"code": "H0"}}, "person")
