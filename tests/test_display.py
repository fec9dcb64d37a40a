"""Issue 20, display: data values reach the terminal inert and visible (mare.cli.display)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from builders import write_contribution, write_envelope
from mare.cli import app
from mare.cli.display import SafeConsole, json_safe, shown

runner = CliRunner()

EVIL = {
    "p1": "[/]",
    "p2": "[bold red]x[/]",
    "p3": "A\x1b[31mRED\x1b[0m",
    "p4": "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\",
    "p5": "\u202eevil\u2066",
    "p6": "\x1b[2J\x1b[Hcleared",
    "p7": "c1\x9b31m",
    "p8": ":pile_of_poo: tail\\",
}
RAW = ("\x1b", "\x9b", "\u202e", "\u2066", "\x07", "💩")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("[/]", "\\[/]"),
        ("[bold red]x[/]", "\\[bold red]x\\[/]"),
        ("A\x1b[31m", "A\\x1b[31m"),
        ("\x1b]8;;http://x\x1b\\", "\\x1b]8;;http://x\\x1b\\\\"),  # a final backslash is escaped
        ("\u202eabc", "\\u202eabc"),
        ("\x00\x7f\x9b\r\n\t", "\\x00\\x7f\\x9b\\x0d\\n\\t"),
        ("محمد\u200cعلی", "محمد\u200cعلی"),  # a joiner in a Persian name is kept
        (None, ""),
        (42, "42"),
    ],
)
def test_shown(value: object, expected: str) -> None:
    assert shown(value) == expected


def _render(text: str, **kwargs: object) -> str:
    console = SafeConsole(width=200, color_system=None, record=True)
    with console.capture() as capture:
        console.print(text, **kwargs)  # type: ignore[arg-type]
    return capture.get()


@pytest.mark.parametrize("value", list(EVIL.values()))
def test_shown_values_print_literally(value: str) -> None:
    out = _render(f"name: [bold]{shown(value)}[/]")
    assert not any(ch in out for ch in RAW)
    visible = value.replace("\x1b", "\\x1b").replace("\x9b", "\\x9b")
    visible = visible.replace("\u202e", "\\u202e").replace("\u2066", "\\u2066")
    assert out.strip() == f"name: {visible}"


def test_the_console_is_a_second_wall() -> None:
    out = _render("forgot to escape: [/] and \x1b[2J and \u202e")
    assert "\x1b" not in out and "\u202e" not in out
    assert "[/]" in out and "\\x1b[2J" in out and "\\u202e" in out


def test_json_output_escapes_c1_and_bidi_losslessly() -> None:
    text = json.dumps({"n": "a\x9bb\u202ec"}, ensure_ascii=False)
    safe = json_safe(text)
    assert "\x9b" not in safe and "\u202e" not in safe and json.loads(safe) == json.loads(text)


def _store_evil(tmp_path: Path) -> tuple[str, str]:
    home = str(tmp_path / "home")
    records = [{"id": rid, "kind": "person", "name": name} for rid, name in EVIL.items()]
    path = write_contribution(tmp_path / "evil.json", records)
    result = runner.invoke(app, ["ingest", str(path), "--home", home, "--json", "--crosscheck", "off"])
    assert result.exit_code == 0, result.output
    return home, json.loads(result.output)[0]["contribution"]


def _assert_safe(output: str) -> None:
    assert not any(ch in output for ch in RAW), repr(output)
    assert "Traceback" not in output and "MarkupError" not in output


def test_records_and_show_record_print_names_literally(tmp_path: Path) -> None:
    home, uid = _store_evil(tmp_path)
    listed = runner.invoke(app, ["records", "--home", home, "--as-agency", "DE-BKA"])
    assert listed.exit_code == 0, listed.output
    _assert_safe(listed.output)
    for literal in ("[/]", "[bold red]x[/]", "A\\x1b[31mRED\\x1b[0m", "\\u202eevil\\u2066", "c1\\x9b31m"):
        assert literal in listed.output, literal
    assert ":pile_of_poo: tail\\" in listed.output
    for rid in EVIL:
        one = runner.invoke(app, ["show", "record", f"{uid}:{rid}", "--home", home, "--as-agency", "DE-BKA"])
        assert one.exit_code == 0, one.output
        _assert_safe(one.output)
    shown_p2 = runner.invoke(app, ["show", "record", f"{uid}:p2", "--home", home, "--as-agency", "DE-BKA"])
    assert "[bold red]x[/]" in shown_p2.output
    as_json = runner.invoke(app, ["records", "--home", home, "--as-agency", "DE-BKA", "--json"])
    _assert_safe(as_json.output.replace("💩", ""))
    assert {v["label"] for v in json.loads(as_json.output)} >= set(EVIL.values()) - {""}


def test_search_prints_names_literally(tmp_path: Path) -> None:
    home, _ = _store_evil(tmp_path)
    found = runner.invoke(app, ["search", "cleared", "--home", home, "--as-agency", "DE-BKA"])
    assert found.exit_code == 0, found.output
    _assert_safe(found.output)


def test_ingest_problems_print_file_and_column_names_literally(tmp_path: Path) -> None:
    bundle = tmp_path / "b"
    bundle.mkdir()
    write_envelope(bundle / "envelope.json", id="B1")
    (bundle / "person.csv").write_text("id,name,[bold]x\x1b[2J\u202e\np1,Jane,1\n", encoding="utf-8")
    result = runner.invoke(
        app,
        ["ingest", str(bundle), "--home", str(tmp_path / "h"), "--crosscheck", "off"],
        env={"COLUMNS": "400"},
    )
    _assert_safe(result.output)
    assert "'[bold]x\\x1b[2J\\u202e'" in result.output


def test_ingest_messages_name_files_literally(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "[bold]x.json").write_text("{not json", encoding="utf-8")
    (folder / "[red]\x1b[2J.txt").write_text("x", encoding="utf-8")
    result = runner.invoke(
        app, ["ingest", str(folder), "--home", str(tmp_path / "h")], env={"COLUMNS": "400"}
    )
    assert result.exit_code == 1
    _assert_safe(result.output)
    assert "[bold]x.json" in result.output and "[red]\\x1b[2J.txt" in result.output


def test_template_value_makes_strings_visible_and_leaves_markup() -> None:
    """Jinja's finalize for pages and reports: data strings escaped, the templates' own markup kept."""
    from markupsafe import Markup

    from mare.visible_text import template_value

    assert template_value("a\u202eb\nc") == "a\\u202eb\nc"
    assert template_value(Markup("<bdi>x</bdi>")) == Markup("<bdi>x</bdi>")
    assert template_value(3) == 3 and template_value(None) is None
