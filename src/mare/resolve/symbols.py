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

#: Cross-script keys. An Arabic-script name's phonetic key is its consonant skeleton, a Latin
#: name's its consonants: `mohammed` and محمد both key `mhmd`. Where the scripts write a sound
#: differently — Arabic has no p, v or g and writes them ب, ف, ج; Latin ll and y, s and z vary —
#: the keys differ (`villena` vln, فيينا fn). These letter classes (from, to: each letter of `from`
#: becomes the letter of `to` at its place; letters past the end of `to` are dropped) make the
#: two keys of one name equal. They were learnt (`learn_letter_classes`) from the Latin/Arabic
#: Wikidata name pairs of the training half (`benchmarks/crosscheck.py names`, which re-learns
#: them and reports the held-out half).
CROSS_SCRIPT_CLASSES = ("jpvyz", "gbfls")
#: Against an Arabic-script token whose key differs, the similarity of the two cross-script keys
#: counts at this share (chosen on the training half as well).
CROSS_SCRIPT_WEIGHT = 0.9
#: An Arabic-script token carries its cross-script key among its symbols, marked with this.
CROSS_SCRIPT_MARK = "~"
CROSS_SCRIPTS = frozenset({"Arabic", "Persian"})


def cross_script_key(key: str, classes: tuple[str, str] = CROSS_SCRIPT_CLASSES) -> str:
    """A phonetic key with the letters the scripts confuse put in one class (SQL: translate)."""
    source, target = classes
    return key.translate(str.maketrans(source[: len(target)], target, source[len(target) :]))


def cross_script_symbols(key: str, classes: tuple[str, str] = CROSS_SCRIPT_CLASSES) -> list[str]:
    """The symbol an Arabic-script token carries: its marked cross-script key (none without a key)."""
    return [CROSS_SCRIPT_MARK + cross_script_key(key, classes)] if key else []


def _alignment(a: str, b: str) -> list[tuple[str, str]]:
    """Letter pairs of a minimal edit alignment of two keys ('' for an insertion or deletion)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i]
        for j in range(1, len(b) + 1):
            row.append(min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] != b[j - 1])))
        rows.append(row)
    i, j, out = len(a), len(b), []
    while i > 0 or j > 0:
        if i > 0 and j > 0 and rows[i][j] == rows[i - 1][j - 1] + (a[i - 1] != b[j - 1]):
            out.append((a[i - 1], b[j - 1]))
            i, j = i - 1, j - 1
        elif i > 0 and rows[i][j] == rows[i - 1][j] + 1:
            out.append((a[i - 1], ""))
            i -= 1
        else:
            out.append(("", b[j - 1]))
            j -= 1
    return out


def learn_letter_classes(
    pairs: Iterable[tuple[str, str]], min_count: int = 30, min_share: float = 0.2
) -> tuple[str, str]:
    """Letter classes (from, to) learnt from pairs of phonetic keys of one name in two scripts
    (Latin key, Arabic-script key): two letters aligned in place of each other in at least
    `min_count` pairs and in at least `min_share` of the rarer letter's occurrences join one class;
    a letter that one script leaves out as often is dropped."""
    aligned: dict[tuple[str, str], int] = {}
    seen: dict[tuple[int, str], int] = {}
    for latin, other in pairs:
        if not latin or not other:
            continue
        for x, y in _alignment(latin, other):
            aligned[(x, y)] = aligned.get((x, y), 0) + 1
            for side, letter in ((0, x), (1, y)):
                if letter:
                    seen[(side, letter)] = seen.get((side, letter), 0) + 1
    parent: dict[str, str] = {}

    def find(c: str) -> str:
        parent.setdefault(c, c)
        while parent[c] != c:
            c = parent[c]
        return c

    dropped: set[str] = set()
    for (x, y), count in sorted(aligned.items(), key=lambda item: (-item[1], item[0])):
        if count < min_count or x == y:
            continue
        if x and y:
            if count / min(seen[(0, x)], seen[(1, y)]) >= min_share:
                a, b = find(x), find(y)
                if a != b:
                    parent[max(a, b)] = min(a, b)
        elif (x or y) and count / seen[(0, x) if x else (1, y)] >= min_share:
            dropped.add(x or y)
    moved = "".join(c for c in sorted(parent) if c not in dropped and find(c) != c)
    return moved + "".join(sorted(dropped)), "".join(find(c) for c in moved)


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
