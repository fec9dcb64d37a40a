"""Namesake evidence: birth years per name sound, name frequency from its parts, their effect on scores."""

from __future__ import annotations

import json
import math

import duckdb
import pyarrow as pa
import pytest

from mare.resolve.features import PersonInput, Value, build_rows
from mare.resolve.namesakes import (
    FREQUENCY_LEVELS,
    apply_frequency_levels,
    fill_name_stats,
    frequency_level_probabilities,
    token_table,
)
from mare.resolve.settings import default_settings
from mare.resolve.sqlscore import score_sql
from mare.resolve.symbols import SymbolSource
from mare.resolve.table import to_arrow
from mare.schema.types.dates import normalise_birth_date
from mare.schema.types.names import normalise_person_name


def _person(uid: str, name: str, birth: str | None = None, contribution: str = "c1") -> PersonInput:
    n = normalise_person_name(name)
    assert n.value is not None
    values = [Value("name", n.value, tuple(n.flags), dict(n.extra or {}))]
    if birth:
        d = normalise_birth_date(birth)
        assert d.value is not None
        values.append(Value("birth_date", d.value, tuple(d.flags), dict(d.extra or {})))
    values.append(Value("nationality", "SY"))
    return PersonInput(uid, contribution, contribution.upper(), values)


def _table(people: list[PersonInput]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.register("_rows", to_arrow(build_rows(people, SymbolSource(enabled=False))))
    con.execute("CREATE TABLE f AS SELECT * FROM _rows")
    con.unregister("_rows")
    return con


def _stats(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int | None, float | None]]:
    return {
        uid: (years, freq)
        for uid, years, freq in con.execute("SELECT record_uid, name_years, name_frequency FROM f").fetchall()
    }


@pytest.fixture()
def people() -> list[PersonInput]:
    return [
        _person("a1", "Markus Schulz", "1974-09-22"),
        _person("a2", "Marcus Schulz", "1990-01-05"),  # another person, same sound, other year
        _person("a3", "Markus Schulz"),
        _person("b1", "Majid Tariq Kanaan", "1973-05-13"),
        _person("b2", "Majed Tarik Kanaan"),
        _person("c1", "Markus Weber", "1980-02-02"),
        _person("c2", "Thomas Schulz", "1981-03-03"),
    ]


def test_birth_years_are_counted_per_name_sound(people: list[PersonInput]) -> None:
    con = _table(people)
    fill_name_stats(con, "f")
    stats = _stats(con)
    assert stats["a1"][0] == stats["a2"][0] == stats["a3"][0] == 2  # namesakes known
    assert stats["b1"][0] == stats["b2"][0] == 1  # one birth year known for this name
    assert stats["c1"][0] == 1


def test_name_frequency_comes_from_the_parts(people: list[PersonInput]) -> None:
    con = _table(people)
    fill_name_stats(con, "f")
    stats = _stats(con)
    n = len(people)
    # Markus: 4 of 7 records carry the part (Marcus sounds the same), Schulz: 4 of 7
    assert stats["a1"][1] == pytest.approx(n * (4 / n) * (4 / n))
    # Majid, Tariq, Kanaan: 2 of 7 each
    assert stats["b1"][1] == pytest.approx(n * (2 / n) ** 3)
    assert stats["b1"][1] < stats["a1"][1]


def test_scoped_fill_touches_new_rows_and_the_held_namesakes_only(people: list[PersonInput]) -> None:
    held, new = people[:-1], [_person("n1", "Thomas Schulz", "1999-09-09", contribution="c2")]
    con = _table(held)
    fill_name_stats(con, "f")
    before = _stats(con)
    con.register("_rows", to_arrow(build_rows([people[-1], *new], SymbolSource(enabled=False))))
    con.execute("INSERT INTO f SELECT * FROM _rows")
    con.unregister("_rows")
    fill_name_stats(con, "f", "contribution = ?", ["c2"])
    after = _stats(con)
    assert after["n1"][0] == 2  # Thomas Schulz 1981 (held, filled now) and 1999
    assert after["c2"][0] == 2  # a held record sharing the new record's name: years refreshed
    assert after["a1"] == before["a1"]  # untouched
    assert after["n1"][1] is not None and math.isfinite(after["n1"][1])


def _namesakes(people: list[PersonInput], left: str, right: str) -> tuple[float, str]:
    """The namesakes feature's match weight and level for one pair."""
    con = _table(people)
    fill_name_stats(con, "f")
    table = score_sql(
        con, default_settings(), pa.table({"left_uid": [left], "right_uid": [right]}), "f", explain=True
    )
    feature = next(
        f
        for f in json.loads(table.column("explanation")[0].as_py())["features"]
        if f["feature"] == "namesakes"
    )
    return float(feature["match_weight"]), str(feature["level"])


def test_namesakes_weigh_against_an_undated_common_name_and_for_a_rarer_one(
    people: list[PersonInput],
) -> None:
    common, why_common = _namesakes(people, "a1", "a3")  # Markus Schulz: two birth years known
    rarer, why_rarer = _namesakes(people, "b1", "b2")  # Majid Tariq Kanaan: one
    assert "namesakes known" in why_common and common < 0
    assert "uncommon name" in why_rarer  # 7 records x (2/7)^3 = 0.16 expected bearers
    assert rarer > common
    dated, why_dated = _namesakes(people, "a1", "a2")  # both dated: the namesake comparison stays out
    assert "not applicable" in why_dated and dated == 0


def test_frequency_levels_are_learnt_from_pairs_that_dates_label() -> None:
    people = []
    for i in range(40):  # forty persons, each recorded twice with the same full date: matches
        name, born = f"Yonas{chr(97 + i % 26)}{i} Tesfay", f"19{50 + i % 40}-03-0{1 + i % 9}"
        people += [_person(f"m{i}a", name, born), _person(f"m{i}b", name, born)]
    for i in range(40):  # forty pairs of namesakes born far apart: common names
        people += [
            _person(f"u{i}a", "Ali Hasan", f"19{50 + i % 10}-01-01"),
            _person(f"u{i}b", "Ali Hasan", f"19{80 + i % 10}-02-02"),
        ]
    con = _table(people)
    fill_name_stats(con, "f")
    learnt = frequency_level_probabilities(con, "f")
    assert learnt is not None
    rare, common = FREQUENCY_LEVELS[0][0], FREQUENCY_LEVELS[-1][0]
    assert learnt[rare][0] > learnt[rare][1]  # rare names: more often the same person
    assert learnt[common][1] > learnt[common][0]  # common ones: more often namesakes
    settings = default_settings()
    apply_frequency_levels(settings, learnt)
    namesakes = next(c for c in settings["comparisons"] if c["output_column_name"] == "namesakes")
    levels = {lv["label_for_charts"]: lv for lv in namesakes["comparison_levels"]}
    assert (levels[rare]["m_probability"], levels[rare]["u_probability"]) == learnt[rare]
    assert frequency_level_probabilities(_table(people[:10]), "f") is None  # too few pairs: defaults kept


def test_a_token_table_gives_the_same_frequencies(people: list[PersonInput]) -> None:
    rows = build_rows(people, SymbolSource(enabled=False))
    con = _table(people)
    con.register("_tokens", token_table(rows))
    con.execute("CREATE TABLE tokens AS SELECT * FROM _tokens")
    fill_name_stats(con, "f")
    unnested = _stats(con)
    con.execute("UPDATE f SET name_years = NULL, name_frequency = NULL")
    fill_name_stats(con, "f", tokens="tokens")
    again = _stats(con)
    assert again.keys() == unnested.keys()
    for uid, (years, frequency) in unnested.items():
        assert again[uid][0] == years and again[uid][1] == pytest.approx(frequency)


def test_without_a_nationality_the_name_counts_where_it_is_most_at_home() -> None:
    def person(uid: str, name: str, nat: str | None) -> PersonInput:
        p = _person(uid, name)
        p.values = [v for v in p.values if v.field != "nationality"]
        p.values += [Value("nationality", nat)] if nat else []
        return p

    greek = [
        person(f"g{i}", f"{g} {f}", "GR")
        for i, (g, f) in enumerate(
            [("Georgios", "Papadakis"), ("Georgios", "Vlachos"), ("Nikos", "Papadakis"), ("Nikos", "Vlachos")]
        )
    ]
    unknown = [person("x0", "Georgios Papadakis", None)] + [
        person(f"x{i}", f"Omar{chr(97 + i)} Haddad{chr(97 + i)}", None) for i in range(1, 4)
    ]
    con = _table(greek + unknown)
    fill_name_stats(con, "f")
    # among the unknowns Georgios and Papadakis are 1 of 4 each (0.25 bearers); among the Greek
    # records 2 of 4 each (1 bearer): the larger figure stands
    assert _stats(con)["x0"][1] == pytest.approx(1.0)
