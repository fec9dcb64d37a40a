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

import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from mare.hub.audit import APPEND_LOCK, trail_key
from mare.hub.kept import serve_across_additions, withholding_change
from mare.hub.search import drop_slice, refresh_slice
from mare.store.db import Store, open_store

T = TypeVar("T")
#: Read cursors kept between requests, at most (the server's request threads: 40 by default).
IDLE_CURSORS = 64
Job = tuple[Callable[[Store], Any], bool, bool, "Future[Any]"]
#: Seconds a kept network may be served across additions (uploads) before a request rebuilds it.
ADDITIONS_WINDOW = 120.0
#: Seconds between fillings of the search's slice while uploads go on (its filling takes ~0.5 s of
#: DuckDB on the medium scenario): what they add is found by searches at most this much later.
SLICE_EVERY = 10.0
#: How much nicer the writer thread is than the reads (Linux: a thread's own niceness): reads come
#: first when the cores are busy, and an ingest goes on in what they leave (docs/web.md).
WRITER_NICE = 10
#: DuckDB threads per statement in the server (`mare serve --db-threads`). One: the server's concurrent
#: requests keep the cores busy, and a statement split over several threads costs more CPU in all (the
#: search and entity pages a quarter more on the medium scenario, docs/benchmarks.md) for the same answer.
DB_THREADS = 1


class Writer:
    """A single thread that runs write jobs one after the other on its own cursor."""

    def __init__(self, store: Store) -> None:
        self._base = store
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._sliced_at = time.monotonic()  # the search's slice was filled then (`refresh_slice`)
        self._behind = False  # writes since
        self._thread = threading.Thread(target=self._run, name="mare-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with suppress(AttributeError, OSError):  # not Linux, or not allowed: the same priority as reads
            me = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, me, min(19, os.getpriority(os.PRIO_PROCESS, me) + WRITER_NICE))
        cursor = self._base.con.cursor()
        store = Store(home=self._base.home, con=cursor, archive=self._base.archive)
        try:
            while (job := self._next(store)) is not None:
                work, serial, adds_only, done = job
                if not done.set_running_or_notify_cancel():
                    continue
                try:
                    # every write but an upload may withhold what a kept build shows (`hub.kept`)
                    with (
                        APPEND_LOCK if serial else nullcontext(),
                        nullcontext() if adds_only else withholding_change(),
                    ):
                        done.set_result(work(store))
                except BaseException as exc:  # handed to the waiting request
                    with suppress(duckdb.Error):  # no transaction open: nothing to undo
                        store.con.execute("ROLLBACK")
                    done.set_exception(exc)
                self._behind = True
                if not adds_only or time.monotonic() - self._sliced_at >= SLICE_EVERY:
                    self._slice(store)
        finally:
            cursor.close()

    def _next(self, store: Store) -> Job | None:
        """The next job; while none comes, the search's slice is brought up to date once."""
        while True:
            try:
                return self._jobs.get(timeout=SLICE_EVERY if self._behind else None)
            except queue.Empty:
                self._slice(store)

    def _slice(self, store: Store) -> None:
        """Fill the search's slice again (`hub.search.refresh_slice`): after each write that is not an
        upload, and after uploads at most every `SLICE_EVERY` seconds and once they stop."""
        self._behind = False
        self._sliced_at = time.monotonic()
        with suppress(duckdb.Error):  # searches then go on from the slice as it was (the policy is live)
            refresh_slice(store)

    def submit(self, work: Callable[[Store], T], serial: bool = True, adds_only: bool = False) -> Future[T]:
        """Queue a write; serial=False for long jobs that append to the audit trail only between
        their transactions (an upload), so reads' audit entries are not held up behind them;
        adds_only=True for a job that only adds (an upload: new contributions, their cross-check and
        geocoding; one replacing an older contribution marks itself, `hub.intake.receive`): kept
        networks may then be served across it (`hub.kept`); any other job is a withholding change."""
        done: Future[T] = Future()
        self._jobs.put((work, serial, adds_only, done))
        return done

    def close(self) -> None:
        """Finish the queued jobs and stop the thread."""
        self._jobs.put(None)
        self._thread.join()


class ServerStore:
    """The process's open store, its read cursors and its writer."""

    def __init__(self, home: Path, db_threads: int = DB_THREADS) -> None:
        if db_threads < 1:
            raise ValueError(f"--db-threads must be 1 or more, not {db_threads}")
        self.base = open_store(home, create=False)
        if self.base.backend == "duckdb":  # the whole database's setting: the writer's statements too
            self.base.con.execute(f"SET threads = {int(db_threads)}")
        trail_key(self.base)  # made only for an empty trail: a missing key is refused, never replaced
        with suppress(duckdb.Error):  # a store opened read-only: searches read its tables
            refresh_slice(self.base)  # the search's slice of the store, in memory (`Writer` keeps it filled)
        self._cursor_lock = threading.Lock()
        self._idle: list[Any] = []
        self.writer = Writer(self.base)
        # this process holds the store open for writing and sees every write: kept networks may be
        # served across uploads for a while (each other write withholds: `Writer`)
        serve_across_additions(self.base.home, ADDITIONS_WINDOW)

    @property
    def home(self) -> Path:
        """The data folder."""
        return self.base.home

    @contextmanager
    def reading(self) -> Iterator[Store]:
        """A store on a cursor of its own for one request. On DuckDB the cursors are kept for the next
        requests (a cursor is a connection: the temporary macros a search defines on it stay defined,
        where a fresh one failed its first search and defined them again); any transaction a request
        left open is rolled back before the cursor is handed on."""
        with self._cursor_lock:
            cursor = self._idle.pop() if self._idle else self.base.con.cursor()
        kept = False
        try:
            yield Store(home=self.base.home, con=cursor, archive=self.base.archive)
            kept = self.base.backend == "duckdb"
        finally:
            if kept:
                with suppress(duckdb.Error):  # none open: the usual case
                    cursor.execute("ROLLBACK")
                with self._cursor_lock:
                    kept = len(self._idle) < IDLE_CURSORS
                    if kept:
                        self._idle.append(cursor)
            if not kept:
                cursor.close()

    def write(self, work: Callable[[Store], T], serial: bool = True) -> T:
        """Run a write on the writer thread and wait for it (its exception is raised here)."""
        return self.writer.submit(work, serial).result()

    def close(self) -> None:
        """Stop the writer, close the idle cursors, then the connection."""
        serve_across_additions(self.base.home, None)
        self.writer.close()
        drop_slice(self.base)
        with self._cursor_lock:
            idle, self._idle = self._idle, []
        for cursor in idle:
            cursor.close()
        self.base.close()
