"""JSON bodies: a view's dict encoded once, in the view's worker thread, by orjson.

FastAPI's default path walks every value of an answer in Python (`jsonable_encoder`, then `json.dumps`):
about 25 ms for 2,000 small rows, ten times `json.dumps` alone, and it ran for every map, network and
search answer. `encode` writes the same JSON (ISO dates, decimals as numbers, sets and tuples as
lists, dataclasses and enums as FastAPI writes them) in one pass of compiled code; `answers_json`
wraps a view so that its dict leaves as a ready `Response`, which FastAPI sends as it is.
"""

from __future__ import annotations

import enum
import functools
from collections import deque
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import PurePath
from types import GeneratorType
from typing import Any
from uuid import UUID

import orjson
from fastapi.responses import Response

OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


def _default(value: Any) -> Any:
    """What orjson does not write itself, as FastAPI's `jsonable_encoder` writes it."""
    if isinstance(value, Decimal):
        return int(value) if value.as_tuple().exponent >= 0 else float(value)  # type: ignore[operator]
    if isinstance(value, set | frozenset | tuple | deque | GeneratorType):
        return list(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, PurePath | UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.decode()
    if hasattr(value, "model_dump"):  # a pydantic model (orjson writes dataclasses itself)
        return value.model_dump(mode="json")
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def encode(value: Any) -> bytes:
    """`value` as UTF-8 JSON (NaN and infinities as null, as JSON has no words for them)."""
    return orjson.dumps(value, default=_default, option=OPTIONS)


class JsonBody(Response):
    """A JSON answer whose body is encoded by `encode` (also usable as a route's response_class)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return encode(content)


def answers_json(view: Callable[..., Any]) -> Callable[..., Any]:
    """The view (a plain function: FastAPI runs it on a worker thread), answering with its dict encoded
    there; its signature kept for FastAPI."""

    @functools.wraps(view)
    def run(*args: Any, **kwargs: Any) -> Any:
        data = view(*args, **kwargs)
        return data if isinstance(data, Response) else JsonBody(data)

    return run
