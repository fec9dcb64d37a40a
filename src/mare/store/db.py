"""Opening the store: where it lives, its connection, its migrations.

The default store is one DuckDB file in the data folder. With `MARE_STORE=postgresql://…` (or a
`postgresql://` URL given for HOME) the store is a PostgreSQL database instead, reached through
`mare.store.postgres.PostgresConnection`, which speaks the part of DuckDB's API Mare uses; the raw
archive stays in the data folder ($MARE_HOME) either way (docs/server_store.md).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import duckdb

from mare.store.archive import RawArchive
from mare.store.migrations import migrate

DEFAULT_HOME = Path("mare-data")
DB_NAME = "mare.duckdb"


def os_account() -> tuple[str, int | None]:
    """The operating-system account running this process: (name, uid), from the process's real uid
    (not from LOGNAME/USER, which anyone may set); on systems without uids, the login name."""
    if hasattr(os, "getuid"):
        import pwd

        uid = os.getuid()
        try:
            return pwd.getpwuid(uid).pw_name, uid
        except KeyError:
            return f"uid{uid}", uid
    import getpass

    return getpass.getuser(), None


def mare_home(explicit: Path | None = None) -> Path:
    """The data folder: the argument, else $MARE_HOME, else ./mare-data."""
    if explicit is not None:
        return explicit
    env = os.environ.get("MARE_HOME")
    return Path(env) if env else DEFAULT_HOME


@contextmanager
def as_processing(store: Store) -> Iterator[None]:
    """The store's own processing (erasure, compaction) on a PostgreSQL store: it reaches every row,
    whoever the viewer of the request is (row-level security would hide rows an erasure must remove).
    No effect on DuckDB."""
    set_viewer = getattr(store.con, "set_viewer", None)
    if set_viewer is None:
        yield
        return
    from mare.store.postgres_rls import AGENCY, CLASS, SCOPE, SYSTEM

    before = store.con.viewer  # type: ignore[attr-defined]
    set_viewer({CLASS: SYSTEM, AGENCY: "HUB", SCOPE: "match"})
    try:
        yield
    finally:
        set_viewer(before)


class StoreUnavailable(RuntimeError):
    """The store cannot be reached or used (a server store down, refused, misnamed); says what to fix."""


def store_url(explicit: Path | str | None = None) -> str | None:
    """The PostgreSQL URL of the store, if it is one: HOME given as a URL, else $MARE_STORE."""
    from mare.store.postgres import is_postgres_url

    if isinstance(explicit, str) and is_postgres_url(explicit):
        return explicit
    env = os.environ.get("MARE_STORE", "").strip()
    if not env or env.lower() == "duckdb":
        return None
    if not is_postgres_url(env):
        raise StoreUnavailable(
            f"MARE_STORE={env[:60]!r} is not a store Mare knows: leave it unset (DuckDB in MARE_HOME) "
            "or set postgresql://USER:PASSWORD@HOST:5432/DATABASE"
        )
    return env


@dataclass
class Store:
    """An open store: the connection (DuckDB, or PostgreSQL behind the same API) and the raw archive.

    `con` is typed as DuckDB's connection; on PostgreSQL it is a `PostgresConnection` offering the
    same methods (`url` is then set)."""

    home: Path
    con: duckdb.DuckDBPyConnection
    archive: RawArchive
    url: str | None = None

    @property
    def db_path(self) -> Path:
        """The DuckDB file (on PostgreSQL: the file a DuckDB store would have here)."""
        return self.home / DB_NAME

    @property
    def backend(self) -> str:
        """duckdb or postgres."""
        return "postgres" if self.url else "duckdb"

    def close(self) -> None:
        """Checkpoint and close the connection."""
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(
    home: Path | str | None = None, *, create: bool = True, read_only: bool = False, url: str | None = None
) -> Store:
    """Open (and by default create and migrate) the store in HOME, or the PostgreSQL store at URL
    (else at HOME given as a URL, else at $MARE_STORE); the raw archive stays in HOME.
    URL "duckdb" opens the DuckDB store in HOME whatever $MARE_STORE says."""
    url = None if url == "duckdb" else (url or store_url(home))
    if url is not None:
        from mare.store.postgres import open_postgres

        root = mare_home(home if isinstance(home, Path) else None)
        server = open_postgres(url, create=create, read_only=read_only)
        if create and not root.exists():
            root.mkdir(parents=True)
            root.chmod(0o700)
        return Store(
            home=root, con=cast(duckdb.DuckDBPyConnection, server), archive=RawArchive(root / "raw"), url=url
        )
    root = mare_home(home if not isinstance(home, str) else Path(home))
    db = root / DB_NAME
    if not db.exists() and not create:
        raise FileNotFoundError(f"no Mare store at {db}: run `mare init` first (or set MARE_HOME)")
    if not root.exists():
        root.mkdir(parents=True)
        root.chmod(0o700)  # agencies' data: readable by the operator's account only
    con = duckdb.connect(str(db), read_only=read_only)
    if not read_only:
        con.execute("SET preserve_insertion_order = false")
        migrate(con)
        con.execute(
            "INSERT INTO store_operator SELECT ?, ?, now()::TIMESTAMP "
            "WHERE NOT EXISTS (SELECT 1 FROM store_operator)",
            [*os_account()],
        )
    return Store(home=root, con=con, archive=RawArchive(root / "raw"))
