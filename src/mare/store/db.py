"""Opening the embedded store: where it lives, its connection, its migrations."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

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


@dataclass
class Store:
    """An open store: the DuckDB connection and the raw-file archive beside it."""

    home: Path
    con: duckdb.DuckDBPyConnection
    archive: RawArchive

    @property
    def db_path(self) -> Path:
        """The DuckDB file."""
        return self.home / DB_NAME

    def close(self) -> None:
        """Checkpoint and close the connection."""
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(home: Path | None = None, *, create: bool = True, read_only: bool = False) -> Store:
    """Open (and by default create and migrate) the store in HOME."""
    root = mare_home(home)
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
