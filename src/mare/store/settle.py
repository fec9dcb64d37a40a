"""Finish what a DuckDB connection left half-read before registering tables or building relations.

DuckDB 2 keeps the result of `execute()` open until it is read to its end: after a `fetchone()`,
`register()`, `sql()` and `from_arrow()` on the same connection raise `ResourceInUseException`
("connection has an unfinished result"). Hub and intake code read single rows with `fetchone()`
all over, so every register/relation call goes through `settled(con)`, which runs any open result
to its end (`complete()`: cheap for the one-row results left behind, harmless when none is open).
"""

from __future__ import annotations

import duckdb


def settled(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The same connection with any half-read result finished, ready for register/sql/from_arrow."""
    con.complete()
    return con
