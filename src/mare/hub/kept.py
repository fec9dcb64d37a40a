"""Computed data kept between requests, per viewer policy and state of the data it is computed from.

`policy_key` is what decides a kept result: the store, the read policy as the viewer's SQL with its
parameters (agency, roles, purpose, date) for each alias read, the consent granted to the viewer's
agency, today's date and a stamp of each table read (the rows and every column the computation or
the read policy reads: a change to any of them changes the key). `Kept` holds the latest results by
key (least recently used dropped) and builds each key once: requests asking for a key while it is
built wait for that build and take it. None as key (off DuckDB, where row-level security decides)
keeps nothing.

**Across additions** (`serve_across_additions`, turned on by the web server, which sees every write to its
store): a build may be served for up to `window` seconds after it was made, without reading the data
stamps, while nothing but additions (new contributions adding records, links, calls; their cross-check
and geocoding) reached the store since it was built. Every other change (a handling change, consent,
erasure, retention, judgements, a contribution replacing another) runs inside `withholding_change`, and
a build begun before such a change ended is never served after it: the next request reads the stamps and
builds again. When the window has passed, the next request starts a rebuild behind the requests
(`rebuild_behind`: on a thread of its own, in one read transaction, for the same viewer's policy) and
every request, that one included, is served the last build until the new one is kept: no request waits
for a rebuild (on the medium scenario, the hub's network takes about a minute of CPU to build and find
networks in). A build not renewed within `STALE_AFTER` windows (its rebuilds failing) is no longer
served: requests then build as off the web server. What is served says when it was built (`Served`).
Off by default (the command line and the tests read the stamps every time).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

import duckdb

from mare.hub.context import HubContext
from mare.store.db import Store

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
    base = policy_base(ctx, aliases, *options)
    if base is None:
        return None
    return with_stamp(ctx, base, stamps)


#: Where the data stamp sits in a key (`policy_key`); the rest is its `policy_base`.
STAMP_AT = 4


def policy_base(ctx: HubContext, aliases: Iterable[str], *options: Any) -> Key | None:
    """A key without its data stamp: the store, the viewer's policy, grants, today, the options."""
    if ctx.store.backend != "duckdb":
        return None
    policy = [ctx.visibility_sql(alias) for alias in aliases]
    return (
        str(ctx.store.home.resolve()),
        tuple((sql, tuple(map(str, params))) for sql, params in policy),
        ctx.grants,
        date.today().isoformat(),
        *options,
    )


def with_stamp(ctx: HubContext, base: Key, stamps: str) -> Key:
    """The full key: the base with the data stamps read now."""
    stamp = ctx.store.con.execute(stamps).fetchone()
    return (*base[:STAMP_AT], tuple(stamp or ()), *base[STAMP_AT:])


def base_of(key: Key) -> Key:
    """A full key's `policy_base`."""
    return (*key[:STAMP_AT], *key[STAMP_AT + 1 :])


# --- serving the last build across additions ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Served:
    """Which build a request got: its key, when it was built (UTC), whether data may have been added
    since (served across additions), whether a newer build is being made, and whether one is due."""

    key: Key | None
    built_at: datetime | None
    across_additions: bool = False
    rebuilding: bool = False
    due: bool = False  # older than the window and no rebuild under way: start one (`rebuild_behind`)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form, for the page saying how current it is."""
        return {
            "as_of": self.built_at.isoformat(timespec="seconds") if self.built_at else None,
            "across_additions": self.across_additions,
            "rebuilding": self.rebuilding,
        }


@dataclass(frozen=True, slots=True)
class _Build:
    key: Key
    epoch: int
    made: float  # monotonic
    built_at: datetime


@dataclass(slots=True)
class _Additions:
    windows: dict[str, float]  # the stores (resolved home) served across additions, and their windows
    epoch: int = 0  # moved at the start and at the end of every withholding change
    running: int = 0  # withholding changes under way


_ADDITIONS = _Additions({})
_LAST: dict[tuple[str, Key], _Build] = {}
_REBUILDING: set[tuple[str, Key]] = set()
#: Builds remembered for serving across additions, at most (the oldest forgotten).
LAST_BUILDS = 64
#: Windows after which a build whose rebuilds behind the requests keep failing is no longer served.
STALE_AFTER = 5
_LOG = logging.getLogger(__name__)


def serve_across_additions(home: Path, window: float | None = 120.0) -> None:
    """Let builds from the store in `home` be served for `window` seconds across additions (None: no
    longer). Only for a process that sees every write to that store and runs each one that is not an
    addition inside `withholding_change`: the web server, which holds the store open for writing."""
    where = str(home.resolve())
    with _LOCK:
        if window is None:
            _ADDITIONS.windows.pop(where, None)
        else:
            _ADDITIONS.windows[where] = window
        for slot in [slot for slot in _LAST if slot[1][0] == where]:
            del _LAST[slot]


@contextmanager
def withholding_change() -> Iterator[None]:
    """Around a change that may withhold or alter what a build shows: no build begun before its end is
    served after it without the stamps being read again."""
    begin_withholding()
    try:
        yield
    finally:
        end_withholding()


def begin_withholding() -> None:
    """The start of a withholding change (`withholding_change`; end it with `end_withholding`)."""
    with _LOCK:
        _ADDITIONS.epoch += 1
        _ADDITIONS.running += 1


def end_withholding() -> None:
    """The end of a withholding change begun with `begin_withholding`."""
    with _LOCK:
        _ADDITIONS.epoch += 1
        _ADDITIONS.running -= 1


def _epoch() -> int | None:
    """The current epoch, None while a withholding change is under way (caller holds `_LOCK`)."""
    return None if _ADDITIONS.running else _ADDITIONS.epoch


def last_build(name: str, base: Key | None) -> Served | None:
    """The last build of `name` for this base if it may be served without reading the stamps: serving
    across additions is on and no withholding change began since it began (None otherwise: read the
    stamps). Older than the window, it is served `due`: the caller starts a rebuild (`rebuild_behind`);
    older than `STALE_AFTER` windows with no rebuild under way, it is not served."""
    if base is None:
        return None
    with _LOCK:
        found = _LAST.get((name, base))
        window = _ADDITIONS.windows.get(str(base[0]))
        if window is None or found is None or _epoch() != found.epoch:
            return None
        rebuilding = (name, base) in _REBUILDING
        age = time.monotonic() - found.made
        if age >= STALE_AFTER * window and not rebuilding:
            return None
        return Served(found.key, found.built_at, True, rebuilding, age >= window and not rebuilding)


def rebuild_behind(name: str, served: Served, ctx: HubContext, rebuild: Callable[[HubContext], None]) -> None:
    """Rebuild `name` behind the requests: `rebuild` on a thread of its own, given a context of the
    same viewer, purpose and day as `ctx` on a cursor of its own inside one read transaction (so what it
    builds is the data at the stamps it reads, whatever is added meanwhile). The context is never closed:
    a rebuild is the hub's own work, audited by no one; each request served the result notes what it
    shows in its own consultation entry. Requests go on being served the last build meanwhile (its slot is
    rebuilding from now); only one rebuild of a slot runs at a time. DuckDB only (a key is never None
    there)."""
    if served.key is None:
        return
    slot = (name, base_of(served.key))
    with _LOCK:
        if slot in _REBUILDING:
            return
        _REBUILDING.add(slot)
    try:
        cursor = ctx.store.con.cursor()
    except BaseException:
        with _LOCK:
            _REBUILDING.discard(slot)
        raise

    def run() -> None:
        store = Store(home=ctx.store.home, con=cursor, archive=ctx.store.archive)
        try:
            cursor.execute("BEGIN TRANSACTION")
            behind = HubContext(store, ctx.viewer, ctx.via, ctx.purpose, ctx.why, ctx.what, ctx.today)
            rebuild(behind)
        except Exception:  # the last build goes on being served; the next request due starts another
            _LOG.exception("rebuilding %s behind the requests failed", name)
        finally:
            with _LOCK:
                _REBUILDING.discard(slot)
            with suppress(duckdb.Error):
                cursor.execute("ROLLBACK")
            cursor.close()

    threading.Thread(target=run, name=f"mare-rebuild-{name}", daemon=True).start()


def epoch_now() -> int | None:
    """The epoch to give `building`, read BEFORE the data stamps (None while a withholding change is
    under way: nothing built then becomes the last build)."""
    with _LOCK:
        return _epoch()


@contextmanager
def building(name: str, key: Key | None, epoch: int | None) -> Iterator[Callable[[], None]]:
    """Around reading or building the result for `key` (its stamps read after `epoch_now` gave `epoch`):
    requests for the same base arriving meanwhile are served the last build (`last_build`). Call the
    yielded `done()` once the result for `key` is kept: it becomes the last build, unless a withholding
    change began since `epoch` was read."""
    if key is None:
        yield lambda: None
        return
    slot = (name, base_of(key))
    with _LOCK:
        _REBUILDING.add(slot)

    try:
        yield lambda: mark_built(name, key, epoch)
    finally:
        with _LOCK:
            _REBUILDING.discard(slot)


def mark_built(name: str, key: Key, epoch: int | None) -> None:
    """`key` (its stamps read after `epoch_now` gave `epoch`) is the last build of `name` for its base,
    unless a withholding change began since or the store is not served across additions."""
    slot = (name, base_of(key))
    with _LOCK:
        if epoch is None or _epoch() != epoch or str(key[0]) not in _ADDITIONS.windows:
            return
        _LAST.pop(slot, None)
        _LAST[slot] = _Build(key, epoch, time.monotonic(), datetime.now(UTC))
        while len(_LAST) > LAST_BUILDS:
            del _LAST[next(iter(_LAST))]


def forget_last(name: str, key: Key) -> None:
    """Forget the last build of `name` for this key's base (its result is no longer kept)."""
    with _LOCK:
        found = _LAST.get((name, base_of(key)))
        if found is not None and found.key == key:
            del _LAST[(name, base_of(key))]


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

    def kept_keys(self) -> list[Key]:
        """The keys kept, least recently used first."""
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        """Forget everything kept."""
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
