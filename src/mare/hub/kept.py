"""Computed data kept between requests, per viewer policy and state of the data it is computed from.

`policy_key` is what decides a kept result: the store, the read policy as the viewer's SQL with its
parameters (agency, roles, purpose, date) for each alias read, the consent granted to the viewer's
agency, today's date and a stamp of each table read (the rows and every column the computation or
the read policy reads: a change to any of them changes the key). `Kept` holds the latest results by
key (least recently used dropped) and builds each key once: requests asking for a key while it is
built wait for that build and take it. None as key (off DuckDB, where row-level security decides)
keeps nothing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from typing import Any, Generic, TypeVar

from mare.hub.context import HubContext

Key = tuple[Any, ...]
V = TypeVar("V")

_LOCK = threading.Lock()
_BUILDING: dict[Key, threading.Lock] = {}


def stamp_sql(stamps: Mapping[str, str]) -> str:
    """One SELECT of every table's stamp (`name: query returning one value`)."""
    return "SELECT " + ", ".join(f"({sql}) AS {name}" for name, sql in stamps.items())


def policy_key(ctx: HubContext, stamps: str, aliases: Iterable[str], *options: Any) -> Key | None:
    """What decides a kept result for this viewer (see the module): `stamps` from `stamp_sql`,
    `aliases` the policy is applied on, `options` the computation's own. None off DuckDB."""
    if ctx.store.backend != "duckdb":
        return None
    stamp = ctx.store.con.execute(stamps).fetchone()
    policy = [ctx.visibility_sql(alias) for alias in aliases]
    return (
        str(ctx.store.home.resolve()),
        tuple((sql, tuple(map(str, params))) for sql, params in policy),
        ctx.grants,
        date.today().isoformat(),
        tuple(stamp or ()),
        *options,
    )


@contextmanager
def one_build(key: Key | None) -> Iterator[None]:
    """One build at a time of each kept item: requests asking for it while it is being built wait for
    that build and take it, instead of building it again side by side (after an ingest, every client
    asking for the same page rebuilt the same data at once)."""
    if key is None:
        yield
        return
    with _LOCK:
        lock = _BUILDING.setdefault(key, threading.Lock())
    try:
        with lock:
            yield
    finally:
        with _LOCK:
            if _BUILDING.get(key) is lock and not lock.locked():
                del _BUILDING[key]


class Kept(Generic[V]):
    """The latest `size` results by key, least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Key, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Key) -> V | None:
        """The kept result for `key`, or None."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Key, value: V) -> None:
        """Keep `value` for `key`."""
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def take_or_build(self, key: Key | None, build: Callable[[], V]) -> tuple[V, bool]:
        """(the kept result, False), or (a new one built once for all who ask meanwhile, True)."""
        if key is None:
            return build(), True
        with one_build(key):
            found = self.get(key)
            if found is not None:
                return found, False
            built = build()
            self.put(key, built)
            return built, True

    def clear(self) -> None:
        """Forget everything kept."""
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
