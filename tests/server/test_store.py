"""The server's store (issue 14): writes classified for the kept networks, read cursors kept between
requests, the search's slice filled."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from mare.hub import kept, search
from mare.server.store import DB_THREADS, WRITER_NICE, ServerStore
from mare.store.db import Store, open_store


@pytest.fixture
def served(tmp_path: Path) -> Iterator[ServerStore]:
    with open_store(tmp_path / "home"):
        pass
    opened = ServerStore(tmp_path / "home")
    try:
        yield opened
    finally:
        opened.close()


def running() -> int:
    return kept._ADDITIONS.running


def test_every_write_but_an_upload_is_a_withholding_change(served: ServerStore) -> None:
    """A write job runs inside `kept.withholding_change` unless it only adds (an upload)."""
    assert served.writer.submit(lambda store: running()).result() == 1
    assert served.writer.submit(lambda store: running(), adds_only=True).result() == 0
    assert running() == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own niceness is Linux's")
def test_reads_come_before_writes(served: ServerStore) -> None:
    """The writer thread runs at a lower priority than the threads serving reads (`WRITER_NICE`)."""
    writer = served.writer.submit(lambda store: threading.get_native_id()).result()
    reader = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert os.getpriority(os.PRIO_PROCESS, writer) == min(19, reader + WRITER_NICE)
    assert reader == 19 or os.getpriority(os.PRIO_PROCESS, writer) > reader


def threads(store: Store) -> int:
    row = store.con.execute("SELECT current_setting('threads')").fetchone()
    return int(row[0]) if row else 0


def test_a_statement_runs_on_the_threads_the_server_was_given(tmp_path: Path) -> None:
    """One DuckDB thread per statement by default (`DB_THREADS`), for the reads and the writer alike;
    `mare serve --db-threads N` gives more; none is refused with the option's name."""
    with open_store(tmp_path / "home"):
        pass
    assert DB_THREADS == 1
    for given, want in ((None, 1), (3, 3)):
        opened = ServerStore(tmp_path / "home") if given is None else ServerStore(tmp_path / "home", given)
        try:
            with opened.reading() as store:
                assert threads(store) == want
            assert opened.writer.submit(threads).result() == want
        finally:
            opened.close()
    with pytest.raises(ValueError, match="--db-threads"):
        ServerStore(tmp_path / "home", db_threads=0)


def test_the_server_serves_its_store_across_additions_while_open(tmp_path: Path) -> None:
    with open_store(tmp_path / "home"):
        pass
    where = str((tmp_path / "home").resolve())
    opened = ServerStore(tmp_path / "home")
    try:
        assert where in kept._ADDITIONS.windows and where in search._SLICED
    finally:
        opened.close()
    assert where not in kept._ADDITIONS.windows and where not in search._SLICED


def test_a_cursor_is_handed_on_without_its_open_transaction(served: ServerStore) -> None:
    """A request that left a transaction open (an error midway) does not hand it to the next one."""
    with served.reading() as store:
        first = store.con
        store.con.execute("BEGIN TRANSACTION")
        store.con.execute("CREATE TABLE scratch (a INTEGER)")
    with served.reading() as store:
        assert store.con is first  # kept for the next request
        assert not store.con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'scratch'"
        ).fetchone()[0]


def test_a_failed_request_closes_its_cursor(served: ServerStore) -> None:
    kept_before = len(served._idle)
    with pytest.raises(RuntimeError), served.reading() as store:
        assert isinstance(store, Store)
        raise RuntimeError("the view failed")
    assert len(served._idle) == kept_before
