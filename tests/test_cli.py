"""The CLI end to end: exit codes, reports, show, stats, schema."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from builders import EXAMPLE, write_contribution
from mare.cli import app

runner = CliRunner()


def test_ingest_then_show_and_stats(tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    result = runner.invoke(app, ["ingest", str(EXAMPLE), "--home", home, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)[0]
    assert report["status"] == "stored" and report["records"] == 11
    again = runner.invoke(app, ["ingest", str(EXAMPLE), "--home", home, "--json"])
    assert json.loads(again.output)[0]["status"] == "already_received"
    uid = f"{report['contribution']}:p1"
    shown = runner.invoke(app, ["show", "record", uid, "--home", home, "--as-agency", "DE-BKA", "--json"])
    data = json.loads(shown.output)
    assert data["visibility"] == "full"
    names = {v["original"]: v["normalised"] for v in data["values"] if v["field"] == "name"}
    assert "Mohammed AL-HASSAN" in names
    stats = json.loads(
        runner.invoke(app, ["stats", "--home", home, "--as-agency", "DE-BKA", "--json"]).output
    )
    assert stats["records"]["person"] == 3 and stats["contributions"] == 1
    hub = json.loads(runner.invoke(app, ["stats", "--home", home, "--json"]).output)  # the operator, as HUB
    assert hub["records"] == {} and hub["withheld_records"] == {"h3-ask-first": 10, "minor": 1}
    contribution = runner.invoke(
        app, ["show", "contribution", "DE-BKA-2026-000123", "--home", home, "--as-agency", "DE-BKA", "--json"]
    )
    assert json.loads(contribution.output)["files"][0]["name"] == "contribution.json"


def test_rejected_rows_give_exit_1_and_a_report(tmp_path: Path) -> None:
    path = write_contribution(
        tmp_path / "c.json", [{"id": "p1", "kind": "person", "name": "A"}, {"id": "p2", "kind": "persn"}]
    )
    out = tmp_path / "problems.csv"
    result = runner.invoke(app, ["ingest", str(path), "--home", str(tmp_path / "h"), "--report", str(out)])
    assert result.exit_code == 1
    text = out.read_text(encoding="utf-8")
    assert "unknown record kind" in text and "c.json" in text
    as_json = tmp_path / "problems.json"
    runner.invoke(app, ["ingest", str(path), "--home", str(tmp_path / "h2"), "--report", str(as_json)])
    assert json.loads(as_json.read_text("utf-8"))[0]["problems"][0]["row"] == 2


def test_nothing_to_ingest(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", str(tmp_path / "missing.json"), "--home", str(tmp_path)])
    assert result.exit_code == 2


def test_dry_run_and_bad_options(tmp_path: Path) -> None:
    home = tmp_path / "h"
    result = runner.invoke(app, ["ingest", str(EXAMPLE), "--home", str(home), "--dry-run", "--json"])
    assert json.loads(result.output)[0]["status"] == "dry_run"
    assert runner.invoke(app, ["ingest", str(EXAMPLE), "--handling", "H7"]).exit_code != 0
    assert runner.invoke(app, ["ingest", str(EXAMPLE), "--format", "xml"]).exit_code != 0


def test_schema_command() -> None:
    schema = json.loads(runner.invoke(app, ["schema"]).output)
    assert schema["title"] == "Mare contribution"
    assert "#### `vessel`" in runner.invoke(app, ["schema", "--markdown"]).output


def test_show_unknown_and_missing_store(tmp_path: Path) -> None:
    assert runner.invoke(app, ["stats", "--home", str(tmp_path / "none")]).exit_code == 1
    runner.invoke(app, ["init", "--home", str(tmp_path / "h")])
    assert runner.invoke(app, ["show", "record", "nope", "--home", str(tmp_path / "h")]).exit_code == 1


def test_ingest_and_reads_are_in_the_audit_trail(tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    runner.invoke(app, ["ingest", str(EXAMPLE), "--home", home])
    runner.invoke(app, ["records", "--home", home, "--as-agency", "FR-OCRIEST", "--why", "case FR-77"])
    verify = runner.invoke(app, ["audit", "verify", "--home", home])
    assert verify.exit_code == 0, verify.output
    assert runner.invoke(app, ["audit", "show", "--home", home, "--limit", "50"]).exit_code == 0
    from mare.store.db import open_store

    with open_store(Path(home)) as store:
        why = store.con.execute(
            "SELECT justification FROM audit_log WHERE action = 'consultation'"
        ).fetchone()
        actions = {r[0] for r in store.con.execute("SELECT action FROM audit_log").fetchall()}
    assert why == ("case FR-77",)
    assert {"collection", "consultation", "authorisation"} <= actions
