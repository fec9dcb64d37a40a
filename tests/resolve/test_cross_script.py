"""Names across scripts: cross-script keys of Arabic-script tokens, learnt letter classes, the similarity."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from mare.resolve.features import Value, value_parts
from mare.resolve.settings import MACROS
from mare.resolve.symbols import (
    CROSS_SCRIPT_CLASSES,
    CROSS_SCRIPT_MARK,
    SymbolSource,
    cross_script_key,
    learn_letter_classes,
)
from mare.schema.types.names import normalise_person_name


def _parts(text: str) -> list[dict[str, object]]:
    n = normalise_person_name(text)
    return value_parts(
        Value("name", n.value or "", tuple(n.flags), dict(n.extra or {})), SymbolSource(enabled=False)
    )


def _sim(a: str, b: str) -> float:
    con = duckdb.connect()
    for macro in MACROS:
        con.execute(macro)
    con.register("t", pa.table({"a": [_parts(a)], "b": [_parts(b)]}))
    row = con.execute("SELECT mare_name_sim(a, b) FROM t").fetchone()
    assert row is not None
    return float(row[0])


def test_arabic_script_tokens_carry_their_cross_script_key_latin_ones_none() -> None:
    arabic = _parts("فيينا")
    assert arabic and all(any(str(s).startswith(CROSS_SCRIPT_MARK) for s in p["s"]) for p in arabic)  # type: ignore[union-attr]
    assert all(not p["s"] for p in _parts("Villena"))


def test_the_key_in_python_is_the_key_in_sql() -> None:
    con = duckdb.connect()
    source, target = CROSS_SCRIPT_CLASSES
    for key in ("vln", "gtmns", "pzj", "fn", "yrk", ""):
        row = con.execute("SELECT translate(?, ?, ?)", [key, source, target]).fetchone()
        assert row is not None and row[0] == cross_script_key(key)


@pytest.mark.parametrize(
    ("latin", "arabic"),
    [("Kondratiev", "كوندراتييف"), ("Gutmans", "جتمانز"), ("Nikolov", "نيكولوف"), ("Cuper", "كوبر")],
)
def test_latin_and_arabic_spellings_of_one_name_score_high(latin: str, arabic: str) -> None:
    assert _sim(latin, arabic) >= 0.85
    assert _sim(arabic, latin) == pytest.approx(_sim(latin, arabic))


def test_latin_pairs_score_as_before() -> None:
    import jellyfish

    # no cross-script key on either side: Jaro-Winkler of the tokens, as the similarity always gave
    assert _sim("Villena", "Filena") == pytest.approx(
        jellyfish.jaro_winkler_similarity("villena", "filena"), abs=1e-6
    )


def test_unrelated_names_across_scripts_stay_low() -> None:
    assert _sim("Tomita", "فيينا") < 0.75


def test_letter_classes_are_learnt_from_pairs_of_keys() -> None:
    pairs = [("vln", "fln")] * 40 + [("prk", "brk")] * 40 + [("mhmd", "mhmd")] * 100 + [("tr", "dr")] * 3
    source, target = learn_letter_classes(pairs, min_count=30, min_share=0.2)
    mapping = dict(zip(source, target, strict=False))
    assert mapping == {"p": "b", "v": "f"}  # t/d seen 3 times only: not a class
    assert learn_letter_classes([], 30, 0.2) == ("", "")


def test_the_prepared_similarity_is_the_similarity() -> None:
    """`mare_name_sim_prepared` over parts prepared once per name (what the scoring queries run)
    gives `mare_name_sim` exactly, across scripts, symbols, missing keys and word order."""
    from mare.resolve.settings import PREPARED_NAME_SIM, prepared_parts_sql

    con = duckdb.connect()
    for macro in (*MACROS, PREPARED_NAME_SIM):
        con.execute(macro)
    names = ["Kondratiev", "كوندراتييف", "Mohammed Al-Hassan", "محمد الحسن", "Hassan Mohamad"]
    names += ["Vienna", "فيينا"]
    names += ["Yusuf Omar", "Omar Youssef", "X", "Ivan Petrov"]
    pairs = [(a, b) for a in names for b in names]
    parts = [(_parts(a), _parts(b)) for a, b in pairs]
    parts.append(([{"t": "ab", "p": None, "s": None}], [{"t": "ab", "p": "", "s": ["~x"]}]))
    parts.append(([{"t": "omar", "p": "omr", "s": ["Q1"]}], [{"t": "umar", "p": "umr", "s": ["Q1", "~umr"]}]))
    con.register("t", pa.table({"a": [a for a, _ in parts], "b": [b for _, b in parts]}))
    rows = con.execute(
        f"SELECT mare_name_sim(a, b), mare_name_sim_prepared({prepared_parts_sql('a')}, "
        f"{prepared_parts_sql('b')}) FROM t"
    ).fetchall()
    assert len(rows) == len(parts)
    assert len({round(r[0], 6) for r in rows}) > 5  # the names span many levels of similarity
    for (want, got), pair in zip(rows, parts, strict=True):
        assert got == pytest.approx(want, abs=1e-12), pair


def test_scoring_each_token_pair_once_gives_the_same_similarity_exactly() -> None:
    """`DUCKDB_MACROS`' `mare_name_sim` (each token pair scored once, `_both_ways_once`) and the
    prepared form give `MACROS`' pair-by-pair similarity bit for bit (not approximately): the
    scores, levels and pairs of `mare link` stay the same. Names of one to four tokens in both
    scripts, typos, word order, missing keys; all ordered pairs, so both directions are checked."""
    import random

    from mare.resolve.settings import DUCKDB_MACROS, PREPARED_NAME_SIM, prepared_parts_sql

    rng = random.Random(5)
    words = ["Mohammed", "Muhamad", "Hassan", "Hasan", "Omar", "Umar", "Youssef", "Yusuf", "Ivan"]
    words += ["Petrov", "Petrow", "Kondratiev", "Abdelrahman", "Al-Hassan", "Ali", "Aly", "Xu"]
    arabic = ["محمد", "الحسن", "عمر", "يوسف", "فيينا", "كوندراتييف", "علي"]
    names = [" ".join(rng.sample(words + arabic, rng.randint(1, 4))) for _ in range(60)]
    parts = [p for p in (_parts(n) for n in names) if p]
    parts.append([{"t": "ab", "p": None, "s": None}])
    parts.append([{"t": "ab", "p": "", "s": ["~x"]}, {"t": "omar", "p": "omr", "s": ["Q1"]}])
    pairs = [(a, b) for a in parts for b in parts]
    table = pa.table({"a": [a for a, _ in pairs], "b": [b for _, b in pairs]})
    found = {}
    for label, macros in (("pairwise", MACROS), ("once", (*DUCKDB_MACROS, PREPARED_NAME_SIM))):
        con = duckdb.connect()
        for macro in macros:
            con.execute(macro)
        con.register("t", table)
        sql = "SELECT mare_name_sim(a, b) FROM t"
        if label == "once":
            prepared = f"mare_name_sim_prepared({prepared_parts_sql('a')}, {prepared_parts_sql('b')})"
            sql = f"SELECT mare_name_sim(a, b), {prepared} FROM t"
        found[label] = con.execute(sql).fetchall()
    assert len({round(r[0], 6) for r in found["pairwise"]}) > 50  # many levels of similarity
    for want, (once, prepared), pair in zip(found["pairwise"], found["once"], pairs, strict=True):
        assert once == want[0] and prepared == want[0], pair


def test_duckdb_jaro_winkler_is_the_same_either_way_round() -> None:
    """What `_both_ways_once` relies on, over many token pairs of different lengths."""
    tokens = ["mohammed", "muhamad", "hassan", "hasan", "martha", "marhta", "dwayne", "duane"]
    tokens += ["dixon", "dicksonx", "abdelrahman", "abd", "a", "xu", "kondratiev", "kndrtf", "mhmd"]
    con = duckdb.connect()
    con.register("t", pa.table({"w": tokens}))
    row = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE jaro_winkler_similarity(a.w, b.w) "
        "<> jaro_winkler_similarity(b.w, a.w)) FROM t a, t b"
    ).fetchone()
    assert row == (len(tokens) ** 2, 0)
