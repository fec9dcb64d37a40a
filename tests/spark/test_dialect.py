"""The model's DuckDB SQL generated for Spark (no Spark needed: these run in the default suite)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import sqlglot
import typer
from typer.testing import CliRunner

from mare.cli.resolve import crosscheck_command
from mare.resolve.blocking import pairs_within_sql
from mare.resolve.namesakes import frequency_level_sql
from mare.resolve.settings import default_settings
from mare.resolve.spark import session
from mare.resolve.spark.calls import aggregate_sql
from mare.resolve.spark.dialect import carry_parameters, spark_settings, to_spark
from mare.store.db import open_store

#: DuckDB-only spellings that must not reach Spark.
DUCKDB_ONLY = re.compile(r"\b(LIST_\w+|LEN|JAROWINKLER_SIMILARITY|MARE_\w+)\s*\(|&&", re.I)


def _conditions(settings: dict) -> list[str]:
    return [lv["sql_condition"] for c in settings["comparisons"] for lv in c["comparison_levels"]]


def test_every_condition_becomes_spark_sql() -> None:
    spark = spark_settings(default_settings())
    for text in _conditions(spark) + spark["blocking_rules_to_generate_predictions"]:
        assert not DUCKDB_ONLY.search(text), text
        if text != "ELSE":
            sqlglot.parse_one(text, read="spark")  # valid Spark SQL
    joined = " ".join(_conditions(spark))
    assert "ARRAYS_OVERLAP(name_keys_l, name_keys_r)" in joined
    assert "SIZE(name_parts_l)" in joined and "JARO_WINKLER(x.t, y.t)" in joined
    assert "LENGTH(x) >= 5" in joined  # a string's length stays a length


def test_macros_are_inlined_with_their_arguments() -> None:
    text = to_spark("mare_doc_near(documents_l, documents_r)")
    assert "FILTER(documents_l" in text and "FILTER(documents_r" in text
    assert "DAMERAU_LEVENSHTEIN(x, y) <= 1" in text


def test_scoring_conditions_read_the_name_similarity_from_one_call() -> None:
    """Scoring on Spark computes the name similarity once per pair (`engine.predict`): the levels
    that read it get a stand-in call, left as it is by sqlglot, that predict replaces by a column."""
    from mare.resolve.spark.engine import _SHARED_PATTERN, shared_name_sim

    model = default_settings()
    reading = [t for t in _conditions(model) if "mare_name_sim(name_parts_l, name_parts_r)" in t]
    shared = [t for t in _conditions(spark_settings(shared_name_sim(model))) if _SHARED_PATTERN.search(t)]
    assert len(shared) == len(reading) == 5
    assert _conditions(model) == _conditions(default_settings())  # the model itself unchanged


def test_mare_queries_become_spark_sql() -> None:
    for sql in (
        pairs_within_sql("keys", 400),
        frequency_level_sql("persons"),
        aggregate_sql("calls", "week"),
    ):
        text = to_spark(sql)
        assert not DUCKDB_ONLY.search(text), text
        sqlglot.parse_one(text, read="spark")
    assert "SEMI JOIN sizes USING (key)" in to_spark(pairs_within_sql("keys", 400))  # Spark: [LEFT] SEMI


def test_trained_parameters_come_back_onto_the_duckdb_model() -> None:
    original = default_settings()
    trained = spark_settings(original)
    trained["probability_two_random_records_match"] = 0.01
    trained["comparisons"][0]["comparison_levels"][1]["m_probability"] = 0.42
    back = carry_parameters(original, trained)
    assert back["probability_two_random_records_match"] == 0.01
    level = back["comparisons"][0]["comparison_levels"][1]
    assert level["m_probability"] == 0.42
    assert level["sql_condition"] == "list_has_any(name_keys_l, name_keys_r)"  # DuckDB text kept


app = typer.Typer()
app.command("crosscheck")(crosscheck_command)
app.command("noop")(lambda: None)
runner = CliRunner()


def test_missing_java_is_one_line_naming_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with open_store(tmp_path / "home"):
        pass
    monkeypatch.setattr(session, "java_home", lambda: None)
    result = runner.invoke(app, ["crosscheck", "--home", str(tmp_path / "home"), "--engine", "spark"])
    assert result.exit_code == 2
    said = " ".join(result.output.split())  # rich wraps long lines
    assert "make java" in said and "openjdk-17-jre-headless" in said
    assert "Traceback" not in result.output


def test_missing_pyspark_is_one_line_naming_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)
    result = runner.invoke(app, ["crosscheck", "--home", str(tmp_path / "home"), "--engine", "spark"])
    assert result.exit_code == 2
    assert "uv sync --extra spark" in " ".join(result.output.split())


def test_unknown_engine_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["crosscheck", "--home", str(tmp_path / "home"), "--engine", "hadoop"])
    assert result.exit_code == 2
    assert "use duckdb or spark" in result.output


def test_bad_properties_file_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "spark.conf"
    path.write_text("# comment\nspark.executor.memory 8g\nspark.master=yarn\njustakey\n", encoding="utf-8")
    with pytest.raises(session.SparkUnavailable, match=r"spark.conf, line 4"):
        session.read_properties(path)
    path.write_text("spark.executor.memory 8g\nspark.master=yarn\n", encoding="utf-8")
    assert session.read_properties(path) == {"spark.executor.memory": "8g", "spark.master": "yarn"}
