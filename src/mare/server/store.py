"""One open store per server process: reads on per-request cursors, writes through one writer thread.

DuckDB lets many cursors of one connection read at once (each its own snapshot), and one process
write. Reads (pages, API calls) each get a fresh cursor wrapped as a `Store`, so they run side by
side. Writes (uploads and their ingest, judgements, consent, acknowledgements, watchlist edits,
sessions) are queued to a single worker thread with its own cursor, so two writes never race and a
long ingest runs beside the reads instead of in front of them.

The audit chain is appended to from both (every read writes its consultation entry), one append at a
time (`mare.hub.audit.APPEND_LOCK`). A short write job holds that lock while it runs, because some hub
writes chain audit entries inside their own transaction. An upload holds it only from its first
in-transaction entry to that transaction's COMMIT (`mare.hub.audit.appends_held`: the contribution's
collection entry, the cross-check's entry), and each entry continues from the newest committed head,
not from its transaction's snapshot; so page reads go on while it ingests and cross-checks, and the
chain stays whole (`benchmarks/load.py` found the race: two entries given one number).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from mare.hub.audit import APPEND_LOCK, trail_key
from mare.store.db import Store, open_store

T = TypeVar("T")
Job = tuple[Callable[[Store], Any], bool, "Future[Any]"]


class Writer:
    """A single thread that runs write jobs one after the other on its own cursor."""

    def __init__(self, store: Store) -> None:
        self._base = store
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="mare-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        cursor = self._base.con.cursor()
        store = Store(home=self._base.home, con=cursor, archive=self._base.archive)
        try:
            while (job := self._jobs.get()) is not None:
                work, serial, done = job
                if not done.set_running_or_notify_cancel():
                    continue
                try:
                    with APPEND_LOCK if serial else nullcontext():
                        done.set_result(work(store))
                except BaseException as exc:  # handed to the waiting request
                    with suppress(duckdb.Error):  # no transaction open: nothing to undo
                        store.con.execute("ROLLBACK")
                    done.set_exception(exc)
        finally:
            cursor.close()

    def submit(self, work: Callable[[Store], T], serial: bool = True) -> Future[T]:
        """Queue a write; serial=False for long jobs that append to the audit trail only between
        their transactions (an upload), so reads' audit entries are not held up behind them."""
        done: Future[T] = Future()
        self._jobs.put((work, serial, done))
        return done

    def close(self) -> None:
        """Finish the queued jobs and stop the thread."""
        self._jobs.put(None)
        self._thread.join()


class ServerStore:
    """The process's open store, its read cursors and its writer."""

    def __init__(self, home: Path) -> None:
        self.base = open_store(home, create=False)
        trail_key(self.base)  # made only for an empty trail: a missing key is refused, never replaced
        self._cursor_lock = threading.Lock()
        self.writer = Writer(self.base)

    @property
    def home(self) -> Path:
        """The data folder."""
        return self.base.home

    @contextmanager
    def reading(self) -> Iterator[Store]:
        """A store on a fresh cursor for one request (closed afterwards)."""
        with self._cursor_lock:
            cursor = self.base.con.cursor()
        try:
            yield Store(home=self.base.home, con=cursor, archive=self.base.archive)
        finally:
            cursor.close()

    def write(self, work: Callable[[Store], T], serial: bool = True) -> T:
        """Run a write on the writer thread and wait for it (its exception is raised here)."""
        return self.writer.submit(work, serial).result()

    def close(self) -> None:
        """Stop the writer, then close the connection."""
        self.writer.close()
        self.base.close()
