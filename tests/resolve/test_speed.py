"""Training whose cost does not grow with the data, and name symbols kept on disk for `mare link`."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from mare.resolve import symbols
from mare.resolve.blocking import key_table, keys_sql, table_rows
from mare.resolve.engine import MatchEngine
from mare.resolve.settings import default_settings
from mare.resolve.symbol_cache import DiskSymbolSource
from mare.resolve.symbols import SymbolSource
from mare.resolve.table import feature_table
from resolve.resolve_helpers import random_people


def _levels(model: dict, name: str) -> list[dict]:
    comparison = next(c for c in model["comparisons"] if c["output_column_name"] == name)
    return [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]


def _engine(n: int) -> MatchEngine:
    people = random_people(n, seed=11)
    return MatchEngine(default_settings(), feature_table(people, SymbolSource(enabled=False)))


def test_u_from_a_fixed_sample_is_the_share_of_random_pairs_at_each_level() -> None:
    engine = _engine(700)
    try:
        found = engine.con.execute("SELECT gender FROM person_input WHERE gender IS NOT NULL").fetchall()
        genders = Counter(g for (g,) in found)
        known = sum(genders.values())
        same = sum(c * (c - 1) for c in genders.values()) / (known * (known - 1))
        engine.estimate_u(pairs=100_000)
        model = engine.model()
        same_gender, other_gender = _levels(model, "gender")[0], _levels(model, "gender")[-1]
        assert same_gender["u_probability"] == pytest.approx(same, abs=0.02)
        # the levels of a comparison add up to one
        assert sum(lv["u_probability"] for lv in _levels(model, "gender")) == pytest.approx(1.0)
        assert other_gender["u_probability"] > 0
        # fixed u (the namesake levels) are kept, and so is a level the sample never shows
        default = default_settings()
        assert [lv["u_probability"] for lv in _levels(model, "namesakes")] == [
            lv["u_probability"] for lv in _levels(default, "namesakes")
        ]
        assert (
            _levels(model, "identifiers")[1]["u_probability"]
            == _levels(default, "identifiers")[1]["u_probability"]
        )
        # the sample is drawn with a fixed seed: the same u again
        first = json.dumps(model["comparisons"], sort_keys=True)
        engine.estimate_u(pairs=100_000)
        assert json.dumps(engine.model()["comparisons"], sort_keys=True) == first
    finally:
        engine.close()


def test_training_samples_u_itself_and_still_learns_m() -> None:
    engine = _engine(600)
    try:
        calls: list[str] = []
        engine.linker.training.estimate_u_using_random_sampling = lambda *a, **k: calls.append("splink")  # type: ignore[method-assign]
        assert engine.train()
        assert calls == []  # Splink's own sampling (30 s on a large model) is not used
        model = engine.model()
        same_name = _levels(model, "name")[0]
        assert same_name["m_probability"] != _levels(default_settings(), "name")[0]["m_probability"]
        assert same_name["m_probability"] > same_name["u_probability"]
    finally:
        engine.close()


def _fake_rigour(calls: list[list[str]]):  # type: ignore[no-untyped-def]
    def lookup(tokens: list[str]) -> dict[str, tuple[str, ...]]:
        calls.append(sorted(tokens))
        return {t: (("Q1", "Q2") if t.startswith("moh") else ()) for t in tokens}

    return lookup


def test_disk_symbols_build_the_tagger_once_and_keep_no_unknown_name_in_clear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(symbols, "_rigour_symbols", _fake_rigour(calls))
    path = tmp_path / "cache" / "symbols.json"
    first = DiskSymbolSource(enabled=True, path=path)
    first.prefetch(["mohammed", "zaheerqa"])
    assert first.get("mohammed") == ("Q1", "Q2") and first.get("zaheerqa") == ()
    assert calls == [["mohammed", "zaheerqa"]] and first.built_tagger
    text = path.read_text(encoding="utf-8")
    assert "mohammed" in text and "zaheerqa" not in text  # an unknown token only as a keyed hash

    again = DiskSymbolSource(enabled=True, path=path)  # another run
    again.prefetch(["mohammed", "zaheerqa"])
    assert again.get("mohammed") == ("Q1", "Q2") and again.get("zaheerqa") == ()
    assert calls == [["mohammed", "zaheerqa"]] and not again.built_tagger

    again.prefetch(["mohamad", "mohammed"])  # only the new token goes to rigour
    assert calls[-1] == ["mohamad"]
    assert "mohamad" in path.read_text(encoding="utf-8")


def test_an_unreadable_symbol_cache_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(symbols, "_rigour_symbols", _fake_rigour(calls))
    path = tmp_path / "symbols.json"
    path.write_text("{not json", encoding="utf-8")
    source = DiskSymbolSource(enabled=True, path=path)
    source.prefetch(["mohammed"])
    assert source.get("mohammed") == ("Q1", "Q2")
    assert json.loads(path.read_text(encoding="utf-8"))["known"] == {"mohammed": ["Q1", "Q2"]}


def test_disabled_symbols_touch_no_file(tmp_path: Path) -> None:
    source = DiskSymbolSource(enabled=False, path=tmp_path / "symbols.json")
    source.prefetch(["mohammed"])
    assert source.get("mohammed") == () and not (tmp_path / "symbols.json").exists()


def test_blocking_keys_in_sql_are_the_keys_of_each_row() -> None:
    people = random_people(400, seed=3)
    table = feature_table(people, SymbolSource(enabled=False))
    want = key_table(table_rows(table))
    con = duckdb.connect()
    con.register("features", table)
    got = con.sql(keys_sql("features")).to_arrow_table()
    pairs = sorted(zip(*got.to_pydict().values(), strict=True))
    assert pairs == sorted(zip(*want.to_pydict().values(), strict=True))
    kinds = {key.split(":", 1)[0] for key, _ in pairs}
    assert {"n", "p", "y", "pp", "d", "i"} <= kinds  # every kind of key is compared
