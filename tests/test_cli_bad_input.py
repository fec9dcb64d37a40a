"""Issue 20, bad input at the command line: clear errors and exit codes, never a traceback."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from builders import EXAMPLE, write_envelope
from mare.cli import app

runner = CliRunner()


def test_records_limit_must_be_positive(tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    runner.invoke(app, ["init", "--home", home])
    for bad in ("-1", "0"):
        result = runner.invoke(app, ["records", "--limit", bad, "--home", home])
        assert result.exit_code == 2, result.output
        assert "--limit" in result.output and "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_erasing_an_unknown_uid_fails_clearly(tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    assert runner.invoke(app, ["ingest", str(EXAMPLE), "--home", home, "--crosscheck", "off"]).exit_code == 0
    result = runner.invoke(app, ["erase", "C000:nobody", "--reason", "court order 2026/17", "--home", home])
    assert result.exit_code == 1
    assert "no record 'C000:nobody'" in result.output and "nothing was erased" in result.output


def test_a_file_level_error_alone_gives_exit_1(tmp_path: Path) -> None:
    bundle = tmp_path / "b"
    bundle.mkdir()
    write_envelope(bundle / "envelope.json", id="B1")
    (bundle / "person.csv").write_text("id,name\np1,Jane\n", encoding="utf-8")
    (bundle / "vehicle.csv").symlink_to("/etc/passwd")
    result = runner.invoke(app, ["ingest", str(bundle), "--home", str(tmp_path / "h"), "--crosscheck", "off"])
    assert result.exit_code == 1, result.output
    assert "symbolic link" in result.output and "root:" not in result.output
