"""The cross-check commands, through a Typer app built here (cli.py registers them for real)."""

from __future__ import annotations

import csv
from pathlib import Path

import typer
from typer.testing import CliRunner

from mare.cli.resolve import crosscheck_command, link_command, review_command
from mare.resolve import crosscheck_contribution
from mare.resolve.judgements import latest
from mare.store.db import open_store
from resolve.resolve_helpers import ingest

app = typer.Typer()
app.command("crosscheck")(crosscheck_command)
app.command("review")(review_command)
app.command("link")(link_command)
runner = CliRunner()


def _hub(tmp_path: Path, handling: str = "H0") -> Path:
    home = tmp_path / "home"
    with open_store(home) as store:
        a = ingest(
            store,
            tmp_path,
            "A",
            [{"id": "p", "kind": "person", "name": "Hasan Ali", "birth_date": "1980-05-05"}],
            agency="DE-BKA",
        )
        b = ingest(
            store,
            tmp_path,
            "B",
            [{"id": "q", "kind": "person", "name": "Hassan Aly", "birth_date": "1980-05-05"}],
            agency="IT-SCO",
            handling={"code": handling},
        )
        crosscheck_contribution(store, a)
        crosscheck_contribution(store, b)
    return home


def test_review_shows_both_sides_and_records_the_judgement(tmp_path: Path) -> None:
    home = _hub(tmp_path)
    result = runner.invoke(
        app, ["review", "--home", str(home), "--as-agency", "HUB"], input="x\nn\ndifferent fathers\n"
    )
    assert result.exit_code == 0, result.output
    assert "Hasan Ali" in result.output and "Hassan Aly" in result.output
    assert "names sound the same" in result.output and "prior" in result.output
    with open_store(home) as store:
        assert list(latest(store).values()) == ["not_same"]
        reason = store.con.execute("SELECT reason, judged_by FROM judgements").fetchone()
        assert reason is not None and reason[0] == "different fathers"
    again = runner.invoke(app, ["review", "--home", str(home)])
    assert "Nothing to review" in again.output


def test_review_goes_through_the_access_policy(tmp_path: Path) -> None:
    home = _hub(tmp_path, handling="H2")
    result = runner.invoke(app, ["review", "--home", str(home), "--as-agency", "DE-BKA"], input="q\n")
    assert result.exit_code == 0, result.output
    # A pair with a record the reviewer sees only as hit/no-hit is not shown at all: its explanation
    # ("same birth date") would give the withheld values away.
    assert "Hassan Aly" not in result.output and "1980" not in result.output
    assert "1 waiting pair(s) involve records you may not see in full" in result.output
    contributor = runner.invoke(
        app, ["review", "--home", str(home), "--as-agency", "DE-BKA", "--role", "contributor"], input="q\n"
    )
    assert (
        contributor.exit_code == 1 and "refused" in contributor.output and "Hasan" not in contributor.output
    )


def test_crosscheck_reruns_everything(tmp_path: Path) -> None:
    home = _hub(tmp_path)
    result = runner.invoke(app, ["crosscheck", "--home", str(home), "--json"])
    assert result.exit_code == 0, result.output
    assert '"persons": 2' in result.output


def _csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=sorted({k for r in rows for k in r}))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_link_clusters_a_csv_and_scores_against_truth(tmp_path: Path) -> None:
    rows = [
        {
            "record_id": "1",
            "source": "x",
            "name": "Mohammed Al-Hassan",
            "birth_date": "03.04.1985",
            "nationality": "Syria",
            "phone": "+963 944 123 456",
            "truth": "A",
            "extra": "ignored",
        },
        {
            "record_id": "2",
            "source": "y",
            "given_name": "Muhammad",
            "family_name": "Hasan",
            "birth_date": "1985-04-03",
            "nationality": "SY",
            "truth": "A",
        },
        {"record_id": "3", "source": "y", "name": "Aman Tesfay", "birth_date": "2001", "truth": "B"},
        {
            "record_id": "4",
            "source": "x",
            "name": "Yusuf Kaya",
            "birth_date": "1990-01-02",
            "phone": "+963944123999",
            "truth": "C",
        },
    ]
    out = tmp_path / "out.csv"
    result = runner.invoke(
        app, ["link", str(_csv(tmp_path / "in.csv", rows)), "-o", str(out), "--no-symbols"]
    )
    assert result.exit_code == 0, result.output
    assert "precision 1.0000" in result.output and "B-cubed F1 1.0000" in result.output
    with out.open(encoding="utf-8") as fh:
        got = {r["record_id"]: r for r in csv.DictReader(fh)}
    assert list(next(iter(got.values()))) == ["record_id", "cluster_id", "match_probability", "reasons"]
    assert got["1"]["cluster_id"] == got["2"]["cluster_id"] != got["3"]["cluster_id"]
    assert "birth_date" in got["1"]["reasons"]


def test_link_explains_an_unusable_file(tmp_path: Path) -> None:
    bad = _csv(tmp_path / "bad.csv", [{"id": "1", "name": "x"}])
    result = runner.invoke(app, ["link", str(bad), "-o", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert "record_id" in result.output
