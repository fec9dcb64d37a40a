"""Name symbols cached on disk, for `mare link` (no store to keep them in).

Building rigour's name tagger costs seconds (a minute on a busy 2-core machine) in every process
that asks it anything. In the hub, `SymbolSource` keeps each token's symbols in the store's
`name_symbols` table; `mare link` has no store, so `DiskSymbolSource` keeps them in one file in
the user's cache folder (`$MARE_CACHE_DIR`, else `$XDG_CACHE_HOME/mare`, else `~/.cache/mare`),
one per rigour version. A run whose tokens are all in the file never builds the tagger.

What the file holds: the tokens rigour knows as Wikidata given or family names (public name
forms, with their Wikidata ids), and, for the tokens it does not know — which may be a rare
surname or a typo of one — only a keyed hash (BLAKE2b), so that the cache lists no name that is
not already public. The file is a cache: unreadable, it is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from mare.resolve.symbols import SymbolSource

_KEY = b"mare-name-symbols"
VERSION = 1


def cache_dir() -> Path:
    """Where Mare keeps caches for the user."""
    given = os.environ.get("MARE_CACHE_DIR")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "mare"


def _rigour_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("rigour")
    except PackageNotFoundError:
        return "unknown"


def _hashed(token: str) -> str:
    return hashlib.blake2b(token.encode("utf-8"), key=_KEY, digest_size=12).hexdigest()


class DiskSymbolSource(SymbolSource):
    """`SymbolSource` whose tokens' symbols are looked up in, and added to, a file on disk."""

    def __init__(self, enabled: bool | None = None, path: Path | None = None) -> None:
        super().__init__(None, enabled)
        self.path = path or cache_dir() / f"name-symbols-rigour-{_rigour_version()}.json"
        self._known: dict[str, list[str]] | None = None  # token -> Wikidata ids (never empty)
        self._unknown: set[str] = set()  # hashes of tokens rigour has no symbol for
        self.built_tagger = False

    def _load(self) -> None:
        if self._known is not None:
            return
        self._known = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("version") == VERSION:
                self._known = {str(k): [str(s) for s in v] for k, v in data["known"].items() if v}
                self._unknown = {str(h) for h in data["unknown"]}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass  # no cache yet, or not one we can read: it is rewritten below

    def _save(self) -> None:
        assert self._known is not None
        data = {"version": VERSION, "known": self._known, "unknown": sorted(self._unknown)}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=self.path.parent, prefix=".symbols-", delete=False
            ) as fh:
                json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
            os.replace(fh.name, self.path)  # whole or not at all, whoever writes last
        except OSError:
            return  # a read-only home: the run works, the next one builds the tagger again

    def prefetch(self, tokens: Iterable[str]) -> None:
        """Symbols of these tokens: memory, then the file, then rigour (whose answers join the file)."""
        if not self.enabled:
            return
        missing = {str(t) for t in tokens} - self._memory.keys()
        if not missing:
            return
        self._load()
        assert self._known is not None
        rest = []
        for token in missing:
            if token in self._known:
                self._memory[token] = tuple(self._known[token])
            elif _hashed(token) in self._unknown:
                self._memory[token] = ()
            else:
                rest.append(token)
        if not rest:
            return
        super().prefetch(rest)
        self.built_tagger = True
        for token in rest:
            symbols = self._memory.get(token, ())
            if symbols:
                self._known[token] = list(symbols)
            else:
                self._unknown.add(_hashed(token))
        self._save()
