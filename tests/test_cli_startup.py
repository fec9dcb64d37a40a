"""`mare` starts without the heavy libraries, and its fast path shows what the whole app shows."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from mare.cli import app, choices
from mare.cli.main import _only

#: Loaded only by the commands that use them (a `mare --help` that loads them takes seconds).
HEAVY = (
    "duckdb",
    "pyarrow",
    "pandas",
    "jsonschema",
    "splink",
    "networkx",
    "fastapi",
    "weasyprint",
    "matplotlib",
    "scipy",
    "numpy",
    "mare.ingest.pipeline",
    "mare.store.db",
    "mare.hub.context",
)


def _loaded(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


RUN = "import sys; sys.argv = ['mare', {!r}]\nfrom mare.cli import app\ntry: app()\nexcept SystemExit: pass"


@pytest.mark.parametrize(
    "code", ["import mare.cli", RUN.format("--help"), RUN.format("version")], ids=["import", "help", "run"]
)
def test_start_up_loads_no_heavy_library(code: str) -> None:
    heavy = sorted(name for name in _loaded(code) if name in HEAVY)
    assert heavy == [], f"{code!r} loaded {heavy}: import them inside the command function (see mare.cli)"


def test_the_option_lists_match_their_sources() -> None:
    from mare.hub.accounts import AGENCY_TYPES
    from mare.hub.audit import ACTIONS
    from mare.hub.profiles import SUSPECT_CATEGORIES
    from mare.hub.search import MAX_LIMIT, QUERY_KINDS
    from mare.hub.watchlists import ENTRY_KINDS

    assert choices.AGENCY_TYPES == AGENCY_TYPES
    assert choices.ACTIONS == ACTIONS
    assert choices.SUSPECT_CATEGORIES == SUSPECT_CATEGORIES
    assert choices.QUERY_KINDS == QUERY_KINDS
    assert choices.MAX_LIMIT == MAX_LIMIT
    assert choices.ENTRY_KINDS == ENTRY_KINDS


def _shown(target: object, args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(target, args, terminal_width=100)  # type: ignore[arg-type]
    return result.exit_code, result.output


@pytest.mark.parametrize(
    "args",
    [[], ["--help"], ["no-such-command"], ["version", "--help"], ["users", "--help"], ["users", "add", "-h"]],
)
def test_the_fast_path_shows_what_the_whole_app_shows(args: list[str]) -> None:
    whole = _shown(app, args)
    fast = _shown(_only(app, args[0] if args else None), args)
    assert fast == whole
    assert whole[1].strip()


def test_the_listing_names_every_command() -> None:
    _, listing = _shown(_only(app, "--help"), ["--help"])
    for command in app.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        assert f" {name.replace('_', '-')} " in listing
    for group in app.registered_groups:
        assert f" {group.name} " in listing


def test_version_runs_on_the_fast_path() -> None:
    code, out = _shown(_only(app, "version"), ["version"])
    assert code == 0 and out.startswith("mare ")
