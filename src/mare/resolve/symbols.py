"""Wikidata name equivalents (rigour's name symbols) per name token, cached.

rigour tags a name part with the Wikidata items of the given or family name it spells
(``mohammed``, ``muhammad`` and ``محمد`` share Q5837762). Loading rigour's tagger costs several
seconds per process, so symbols are looked up once per distinct token and kept in the store's
``name_symbols`` table; tokens already seen never load the tagger again. Setting
``MARE_NAME_SYMBOLS=off`` (or ``enabled=False``) skips rigour: similarity then rests on exact
tokens, phonetic keys and Jaro-Winkler.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import duckdb

from mare.store.settle import settled


def _rigour_symbols(tokens: list[str]) -> dict[str, tuple[str, ...]]:
    from rigour.names import NameTypeTag, SymbolCategory, analyze_names

    out: dict[str, tuple[str, ...]] = {}
    for token in tokens:
        found: set[str] = set()
        try:
            for name in analyze_names(NameTypeTag.PER, [token], consolidate=False, phonetics=False):
                for span in name.spans:
                    if span.symbol.category == SymbolCategory.NAME and len(span.parts) == 1:
                        found.add(str(span.symbol.id))
        except Exception:  # rigour rejects some inputs: no symbols rather than no match
            found = set()
        out[token] = tuple(sorted(found))
    return out


class SymbolSource:
    """Name symbols per token: memory, then the store's cache table, then rigour."""

    def __init__(self, con: duckdb.DuckDBPyConnection | None = None, enabled: bool | None = None) -> None:
        self.con = con
        if enabled is None:
            enabled = os.environ.get("MARE_NAME_SYMBOLS", "on").lower() not in ("off", "0", "no")
        self.enabled = enabled
        self._memory: dict[str, tuple[str, ...]] = {}

    def prefetch(self, tokens: Iterable[str]) -> None:
        """Make sure these tokens' symbols are known (one batch to the cache and to rigour)."""
        if not self.enabled:
            return
        missing = sorted({str(t) for t in tokens} - self._memory.keys())
        if not missing:
            return
        if self.con is not None:
            rows: list[Any] = self.con.execute(
                "SELECT token, symbols FROM name_symbols WHERE token IN (SELECT unnest(?))", [missing]
            ).fetchall()
            self._memory.update({t: tuple(s) for t, s in rows})
            missing = [t for t in missing if t not in self._memory]
        if not missing:
            return
        found = _rigour_symbols(missing)
        self._memory.update(found)
        if self.con is not None and found:
            import pyarrow as pa

            batch = pa.table({"token": list(found), "symbols": [list(s) for s in found.values()]})
            settled(self.con).register("_mare_symbols", batch)
            self.con.execute("INSERT OR IGNORE INTO name_symbols SELECT token, symbols FROM _mare_symbols")
            self.con.unregister("_mare_symbols")

    def get(self, token: str) -> tuple[str, ...]:
        """Symbols of one token (empty when disabled or unknown to Wikidata)."""
        if not self.enabled:
            return ()
        if token not in self._memory:
            self.prefetch([token])
        return self._memory.get(token, ())
