"""Search's similarities on PostgreSQL give DuckDB's values: Jaro, Jaro-Winkler and Damerau-Levenshtein
(`store.postgres.STRING_SIMILARITY`), the cross-check's name similarity (`hub.server_store.
name_sim_function`) and the fold of place texts and names (`strip_accents`, RE2's `\\p{L}`), each
compared with DuckDB's on the same sample values, value for value (floats to the last bit)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import duckdb
import pytest

from mare.resolve.sqlscore import create_macros
from mare.resolve.symbols import cross_script_symbols
from mare.schema.types.names import normalise_person_name
from mare.store.db import Store

pytestmark = pytest.mark.postgres

NAMES = [
    "Mohammed Ali", "Muhammad Aly", "Mohamed Alee Hassan", "محمد علي", "مُحَمَّد حسن", "Ahmad Nasser",
    "أحمد ناصر", "José Müller", "Jose Muller", "Ivanov Sergei", "Сергей Иванов", "Nguyen Van An",
    "An Van Ngyuen", "Zaheerqa Quixbury", "Zaheerqa Quixbery", "Ali", "O'Brien-Smith", "Łódź Kowalski",
]  # fmt: skip
TEXTS = [
    "", "a", "ab", "martha", "marhta", "dixon", "dicksonx", "josé", "jose", "محمد", "محمود", "CA", "ABC",
    "abcxyz", "bcaxyz", "mytilene", "mitilini", "Straße", "strasse", "İstanbul", "istanbul", "ΑΘΗΝΑ",
    "athina", "jones", "johnson", "aaaaaaaaaaaaaaaaaaaaaaab", "aaaaaaaaaaaaaaaaaaaaaaaaba",
]  # fmt: skip
FOLDED = [
    "José  Müller-Lüdenscheidt", "Ḫalīl ibn ʿAbd al-Raḥmān", "ΑΘΗΝΑ", "Mytilene (port)", "مُحَمَّد",
    "İstanbul", "Straße 12", "½ Moon Bay", "Łódź", "  -- ", "Ängelholm/Skåne", "naïve café №5",
]  # fmt: skip
PARTS = "STRUCT(t VARCHAR, p VARCHAR, s VARCHAR[])[]"


def _app_store(tmp_path: Path, request: pytest.FixtureRequest) -> Store:
    """A fresh, secured store in its own database, opened as the application role."""
    from pgcluster import secured_app_store

    store: Store = secured_app_store(request.getfixturevalue("pg_cluster"), tmp_path / "home")
    return store


@pytest.fixture
def pg(tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    """The application role's connection; every statement must have run on PostgreSQL itself (a
    statement it refused would run in the session's local DuckDB and compare DuckDB with itself)."""
    with _app_store(tmp_path, request) as store:
        yield store.con
        assert not store.con._local.routed, store.con._local.routed


def _parts(name: str) -> list[dict[str, Any]]:
    """A name's parts as the cross-check keeps them: tokens, phonetic keys, symbols (an Arabic-script
    token its cross-script key; spellings of Mohammed a shared symbol)."""
    result = normalise_person_name(name)
    extra = result.extra or {}
    tokens = [str(t) for t in extra.get("tokens") or []]
    phonetic = [str(p) for p in extra.get("phonetic") or []]
    phonetic = phonetic if len(phonetic) == len(tokens) else [""] * len(tokens)
    arabic = any("\u0600" <= ch <= "\u06ff" for ch in name)
    out = []
    for token, key in zip(tokens, phonetic, strict=True):
        symbols = cross_script_symbols(key) if arabic else []
        if token in ("mohammed", "muhammad", "mohamed", "mhmd"):
            symbols.append("Q:mohammed")
        out.append({"t": token, "p": key, "s": symbols})
    return out


def test_string_similarities_are_duckdbs(pg: Any) -> None:
    rng = random.Random(18)
    alphabet = "abcdeéمحدوxyzß"
    pairs = [(a, b) for a in TEXTS for b in TEXTS]
    pairs += [
        tuple("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10))) for _ in range(2))
        for _ in range(400)
    ]
    duck = duckdb.connect()
    sql = "SELECT jaro_similarity(?, ?), jaro_winkler_similarity(?, ?), damerau_levenshtein(?, ?)"
    differ = []
    for a, b in pairs:
        expected = duck.execute(sql, [a, b] * 3).fetchone()
        got = pg.execute(sql, [a, b] * 3).fetchone()
        if tuple(got) != tuple(expected):
            differ.append((a, b, expected, got))
    assert not differ, differ[:5]
    assert len(pairs) > 1000


def test_the_name_similarity_is_the_cross_checks(pg: Any) -> None:
    duck = duckdb.connect()
    create_macros(duck)
    sql = f"SELECT mare_name_sim(?::{PARTS}, ?::{PARTS})"
    parts = [_parts(n) for n in NAMES]
    assert all(parts), NAMES
    differ, scores = [], set()
    for a in parts:
        for b in parts:
            (expected,) = duck.execute(sql, [a, b]).fetchone() or (None,)
            (got,) = pg.execute(sql, [a, b]).fetchone() or (None,)
            scores.add(round(float(expected), 2))
            if got != expected:
                differ.append((a, b, expected, got))
    assert not differ, differ[:3]
    assert len(scores) > 20  # the samples reach many levels, not only 1.0 and 0


def test_folding_is_duckdbs(pg: Any) -> None:
    duck = duckdb.connect()
    sql = "SELECT trim(regexp_replace(strip_accents(lower(?)), '[^\\p{L}\\p{N}]+', ' ', 'g'))"
    for text in FOLDED:
        assert pg.execute(sql, [text]).fetchone() == duck.execute(sql, [text]).fetchone(), text
    sql = "SELECT upper(regexp_replace(?, '[^[:alnum:]]', '', 'g'))"  # RE2's POSIX classes: ASCII
    for text in ("DE89 3704-0044", "ΑΒ 12345", "x½y"):
        assert pg.execute(sql, [text]).fetchone() == duck.execute(sql, [text]).fetchone(), text
    sql = "SELECT list_sort(?::VARCHAR[]), suffix(?, ?)"
    for words, text, end in ((["b", "a", "Z", "é"], "telegram:ab", ":ab"), ([], "x", "")):
        got = pg.execute(sql, [words, text, end]).fetchone()
        expected = duck.execute(sql, [words, text, end]).fetchone()
        assert tuple(got) == tuple(expected), (words, got, expected)
