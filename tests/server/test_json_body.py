"""The API's JSON encoder writes what FastAPI's own encoder wrote, for every kind of value a view returns.

(Every data route answers through it: the API leak sweep calls each one and fails on a 500.)
"""

from __future__ import annotations

import enum
import inspect
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any, NamedTuple

from fastapi.encoders import jsonable_encoder
from hypothesis import given
from hypothesis import strategies as st

from mare.server.json_body import JsonBody, answers_json, encode


class Grade(enum.Enum):
    A = "A"
    B = "B"


class Pair(NamedTuple):
    left: str
    right: int


@dataclass
class Row:
    uid: str
    seen: date
    tags: list[str] = field(default_factory=list)


def _fastapi(value: Any) -> Any:
    """What the API answered before: FastAPI's encoder, then Starlette's `json.dumps`."""
    return json.loads(json.dumps(jsonable_encoder(value), ensure_ascii=False, allow_nan=False))


leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=st.just(UTC)),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**9), max_value=10**9),
    st.sampled_from(list(Grade)),
    st.builds(Pair, st.text(max_size=5), st.integers(0, 9)),
    st.builds(Row, st.text(max_size=5), st.dates(), st.lists(st.text(max_size=3), max_size=3)),
    st.timedeltas(min_value=timedelta(days=-9), max_value=timedelta(days=9)),
    st.frozensets(st.integers(0, 5), max_size=1),
)
values = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=6), inner, max_size=4),
    ),
    max_leaves=20,
)


@given(values)
def test_encode_writes_what_fastapi_wrote(value: Any) -> None:
    assert json.loads(encode(value)) == _fastapi(value)


def test_the_values_views_return() -> None:
    answer = {
        "uid": "R1",
        "grade": Grade.B,
        "amount": Decimal("1200"),
        "share": Decimal("0.25"),
        "at": datetime(2026, 3, 13, 7, 30, tzinfo=UTC),
        "day": date(2026, 3, 13),
        "pairs": [Pair("a", 1)],
        "row": Row("R2", date(2026, 1, 2), ["x"]),
        "file": PurePosixPath("raw/a.csv"),
        "text": "<script>alert(1)</script> كريمي \u202e",
        3: "an int key",
    }
    assert json.loads(encode(answer)) == _fastapi(answer)
    assert json.loads(encode({"x": float("nan"), "y": float("inf")})) == {"x": None, "y": None}


def test_a_wrapped_view_keeps_its_signature_and_answers_json() -> None:
    def view(q: str, limit: int = 20) -> dict[str, Any]:
        return {"q": q, "limit": limit, "day": date(2026, 1, 1)}

    wrapped = answers_json(view)
    assert inspect.signature(wrapped) == inspect.signature(view)
    answer = wrapped("Karimi", limit=5)
    assert isinstance(answer, JsonBody)
    assert answer.media_type == "application/json"
    assert json.loads(answer.body) == {"q": "Karimi", "limit": 5, "day": "2026-01-01"}
