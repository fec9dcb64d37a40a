"""Docs that cannot drift: generated sections and shipped schema match the code."""

from __future__ import annotations

import json
from pathlib import Path

from builders import ROOT
from mare.schema.contribution_schema import contribution_schema
from mare.schema.reference import BEGIN, END, kinds_markdown


def test_contribution_reference_is_current() -> None:
    text = (ROOT / "docs" / "formats" / "contribution.md").read_text(encoding="utf-8")
    shipped = text[text.index(BEGIN) : text.index(END) + len(END)]
    assert shipped == kinds_markdown(), "run: mare schema --markdown and update docs/formats/contribution.md"


def test_shipped_json_schema_is_current() -> None:
    shipped = json.loads((ROOT / "docs" / "formats" / "contribution.schema.json").read_text("utf-8"))
    assert shipped == contribution_schema(), "run: mare schema > docs/formats/contribution.schema.json"


def test_every_cli_command_is_in_the_readme() -> None:
    from mare.cli import app

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in app.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        assert f"mare {name}" in readme, f"README does not mention `mare {name}`"
    for group in app.registered_groups:
        assert f"mare {group.name}" in readme


def test_example_paths_exist() -> None:
    assert (ROOT / "docs" / "formats" / "examples" / "contribution.json").is_file()
    assert Path(ROOT / "Makefile").is_file()
