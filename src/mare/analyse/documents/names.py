"""Name comparison for documents: the holder as written against the person presenting it.

The same scoring as the cross-check's `mare_name_sim` (mare.resolve.settings), in Python: each
token of one name scores its best counterpart in the other (1.0 the same token, 0.95 the same
phonetic key, else Jaro-Winkler), both directions, averaged over all tokens. Tokens come from the
project's name normaliser, so order, script and transliteration do not matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rigour.text import jaro_winkler

from mare.schema.types.names import normalise_person_name

#: At or above this similarity two names are taken for the same person's.
SAME_NAME = 0.85


@dataclass(frozen=True)
class NameKey:
    """A name's normalised tokens and their phonetic keys."""

    text: str
    tokens: tuple[str, ...]
    phonetic: tuple[str, ...]


@lru_cache(maxsize=65_536)
def name_key(text: str) -> NameKey | None:
    """The tokens of a written name (any script), or None when it holds no name."""
    result = normalise_person_name(text)
    extra = result.extra or {}
    tokens = tuple(str(t) for t in extra.get("tokens") or ())
    if not tokens:
        return None
    phonetic = tuple(str(p) for p in extra.get("phonetic") or ())
    if len(phonetic) != len(tokens):
        phonetic = ("",) * len(tokens)
    return NameKey(text, tokens, phonetic)


def _token_score(t: str, p: str, u: str, q: str) -> float:
    if t == u:
        return 1.0
    if p and p == q:
        return 0.95
    return float(jaro_winkler(t, u))


def name_similarity(a: NameKey, b: NameKey) -> float:
    """Order-free similarity of two names in [0, 1]."""
    pa, pb = list(zip(a.tokens, a.phonetic, strict=True)), list(zip(b.tokens, b.phonetic, strict=True))
    forward = sum(max(_token_score(t, p, u, q) for u, q in pb) for t, p in pa)
    backward = sum(max(_token_score(t, p, u, q) for u, q in pa) for t, p in pb)
    return (forward + backward) / (len(pa) + len(pb))


def name_containment(a: NameKey, b: NameKey) -> float:
    """How well the shorter name (two tokens or more) is found in the longer one, in [0, 1].

    A middle name written by one agency and left out by another leaves the shorter name whole."""
    short, long_ = (a, b) if len(a.tokens) <= len(b.tokens) else (b, a)
    if len(short.tokens) < 2:
        return 0.0
    pl = list(zip(long_.tokens, long_.phonetic, strict=True))
    scores = [
        max(_token_score(t, p, u, q) for u, q in pl)
        for t, p in zip(short.tokens, short.phonetic, strict=True)
    ]
    return sum(scores) / len(scores)


def same_name(a: str | None, b: str | None) -> bool | None:
    """True when two written names are the same person's name, None when either has none.

    Either the whole names agree, or the shorter is contained in the longer (a middle name
    dropped, a particle such as 'El' left out)."""
    ka, kb = name_key(a) if a else None, name_key(b) if b else None
    if ka is None or kb is None:
        return None
    return max(name_similarity(ka, kb), name_containment(ka, kb)) >= SAME_NAME
