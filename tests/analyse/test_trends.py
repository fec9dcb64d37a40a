"""The early-warning detector (`mare.analyse.trends`) and `mare trends`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from mare.analyse.trends import (
    Series,
    Settings,
    build_series,
    detect,
    detect_all,
    fit_baseline,
    period_index,
    period_label,
)
from mare.cli.trends import trends_command

ROOT = Path(__file__).resolve().parents[2]
FRONTEX = ROOT.parent / "shared" / "data" / "migration" / "frontex_detections_by_route_month_nationality.csv"

app = typer.Typer()
app.command("trends")(trends_command)
app.command("other")(lambda: None)  # two commands: Typer keeps the subcommand name
runner = CliRunner()


def _seasonal(months: int, seed: int, level: float = 200.0) -> np.ndarray:
    """Monthly counts with a yearly season and negative-binomial noise (CV about 0.2)."""
    rng = np.random.default_rng(seed)
    t = np.arange(months)
    mean = level * (1 + 0.4 * np.sin(2 * np.pi * t / 12))
    size = 25.0
    return rng.negative_binomial(size, size / (size + mean)).astype(float)


def _series(counts: np.ndarray, group: str = "route A", first: str = "2015-01") -> Series:
    return Series(group, "month", period_index(first, "month"), np.asarray(counts, float))


def test_planted_surge_and_drop_are_found_with_direction_and_start() -> None:
    counts = _seasonal(96, seed=1)
    counts[50:62] *= 3.0  # surge from month 50 (2019-03)
    counts[75:] *= 0.25  # drop from month 75 (2021-04)
    alerts = detect(_series(counts))
    ups = [a for a in alerts if a.direction == "up"]
    downs = [a for a in alerts if a.direction == "down"]
    assert ups and downs
    first_up = ups[0]
    assert first_up.start == period_label(period_index("2015-01", "month") + 50, "month")
    assert first_up.detected <= "2019-05"
    assert first_up.observed > first_up.upper > first_up.baseline
    assert first_up.p_value < 0.05 and first_up.score > first_up.threshold
    drop = next(a for a in downs if a.detected >= "2021-04")
    # the CUSUM may start before: the months after the surge already fall below a baseline that holds it
    assert drop.start <= "2021-04" and drop.detected <= "2021-07"
    assert drop.observed < drop.lower
    # the surge's own end (back to normal at month 62) is the only other fall before the drop
    assert all(a.detected >= "2020-02" for a in downs)


def test_seasonal_series_without_change_raises_no_alert() -> None:
    for seed in (2, 3, 4):
        assert detect(_series(_seasonal(120, seed=seed))) == []


def test_weekly_series() -> None:
    rng = np.random.default_rng(7)
    counts = rng.poisson(30, 160).astype(float)
    counts[120:] = rng.poisson(90, 40)
    series = Series("w", "week", period_index("2020-01-06", "week"), counts)
    alerts = detect(series)
    assert [a.direction for a in alerts] == ["up"]
    assert alerts[0].start <= series.label(120) <= alerts[0].detected <= series.label(123)


def test_build_series_sums_fills_gaps_and_labels() -> None:
    rows = [("a", "2020-01", "3"), ("a", "2020-01-15", 2), ("a", "2020-04", "1"), ("b", "2021-12", "0")]
    series = build_series(rows)
    assert series["a"].counts.tolist() == [5.0, 0.0, 0.0, 1.0]
    assert series["a"].gaps == ("2020-02", "2020-03")
    assert series["b"].label(0) == "2021-12"
    assert period_label(period_index("2021-W01", "week"), "week") == "2021-W01"
    assert period_label(period_index("2021-01-07", "week"), "week") == "2021-W01"


def test_thousands_separators_but_not_decimal_commas() -> None:
    assert build_series([("a", "2020-01", "1,234")])["a"].counts.tolist() == [1234.0]
    with pytest.raises(ValueError, match="count '2,5'"):
        build_series([("a", "2020-01", "2,5")])


def test_baseline_of_a_flat_series_is_its_mean() -> None:
    counts = np.tile([90.0, 110.0], 18)
    baseline = fit_baseline(counts, Settings())
    assert baseline.mean == pytest.approx(100.0, rel=0.02) and not baseline.trend


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("route X", "2020-01", "many")], "series 'route X', month 2020-01: count 'many'"),
        ([("route X", "2020-01", "-4")], "count '-4' is not a non-negative number"),
        ([("route X", "2020-01", "")], "series 'route X'"),
        ([("route X", "January", "3")], "series 'route X': not a month"),
    ],
)
def test_bad_counts_and_times_name_the_series(rows: list[tuple[str, str, str]], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        build_series(rows)


def test_too_short_a_series_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match="series 'short' is too short: 10 months from 2015-01"):
        detect(_series(np.ones(10), group="short"))
    result = detect_all({"short": _series(np.ones(10), group="short")})
    assert "too short" in result.skipped["short"]
    with pytest.raises(ValueError, match="period must be"):
        Settings.for_period("day")  # type: ignore[arg-type]


def _csv(path: Path, counts: dict[str, np.ndarray], gap: bool = False) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["month", "route", "n"])
        for route, values in counts.items():
            for i, value in enumerate(values):
                if gap and i == 30:
                    continue
                writer.writerow(
                    [period_label(period_index("2015-01", "month") + i, "month"), route, int(value)]
                )
    return path


def test_cli_json_shape(tmp_path: Path) -> None:
    surge = _seasonal(72, seed=1)
    surge[50:] *= 4
    path = _csv(tmp_path / "c.csv", {"A": surge, "B": _seasonal(72, seed=3)}, gap=True)
    done = runner.invoke(
        app, ["trends", str(path), "--time", "month", "--group", "route", "--value", "n", "--json"]
    )
    assert done.exit_code == 0, done.output
    alerts = json.loads(done.stdout)
    assert alerts and {a["group"] for a in alerts} == {"A"}
    first = alerts[0]
    assert {"group", "start", "direction", "baseline", "observed", "score"} <= set(first)
    assert first["direction"] == "up" and first["start"] == "2019-03"
    assert {"window", "upper", "lower", "p_value", "threshold", "detected"} <= set(first)
    assert "counted as zero" in done.stderr and "2017-07" in done.stderr
    table = runner.invoke(app, ["trends", str(path), "--time", "month", "--group", "route", "--value", "n"])
    assert table.exit_code == 0 and "up" in table.stdout


def test_cli_errors(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("month,route,n\n2020-01,A,3\n2020-02,A,lots\n", encoding="utf-8")
    done = runner.invoke(app, ["trends", str(path), "--time", "month", "--group", "route", "--value", "n"])
    assert done.exit_code == 1 and "series 'A', month 2020-02" in done.stderr
    done = runner.invoke(app, ["trends", str(path), "--time", "month", "--group", "way", "--value", "n"])
    assert done.exit_code == 2 and "no column way" in " ".join(done.output.replace("│", " ").split())
    short = tmp_path / "short.csv"
    short.write_text("month,route,n\n2020-01,A,3\n2020-02,A,4\n", encoding="utf-8")
    done = runner.invoke(app, ["trends", str(short), "--time", "month", "--group", "route", "--value", "n"])
    assert done.exit_code == 1 and "series 'A' is too short" in done.stderr


@pytest.mark.realdata
@pytest.mark.skipif(not FRONTEX.is_file(), reason="../shared/data (Frontex detections) is absent")
def test_frontex_known_shifts_are_found() -> None:
    with FRONTEX.open(encoding="utf-8") as handle:
        rows = [(r["route"], r["month"], r["n"]) for r in csv.DictReader(handle)]
    series = build_series(rows)
    wanted = {
        ("Eastern Mediterranean Route", "up", "2015-05"),
        ("Eastern Mediterranean Route", "down", "2016-03"),
        ("Western Balkan Route", "up", "2015-06"),
        ("Eastern Borders Route", "up", "2021-06"),
        ("Western Mediterranean Route", "up", "2018-05"),
    }
    for route, direction, start in wanted:
        month = period_index(start, "month")
        alerts = detect(series[route])
        assert any(
            a.direction == direction and -2 <= period_index(a.detected, "month") - month <= 6 for a in alerts
        ), (route, direction, start)
        years = (len(series[route].counts) - 24) / 12
        assert len(alerts) / years < 1.5, route
