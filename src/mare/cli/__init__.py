"""The `mare` command line: a Typer app, one thin module per area.

Adding a command (keeps `mare --help` and `mare version` under 0.4 s; tests/test_cli_startup.py
fails when `import mare.cli` loads DuckDB, pyarrow, pandas and the like):

1. In `mare/cli/<area>.py`, import at module level only the standard library, `typer`,
   `mare.cli.common`, `mare.cli.display` and `mare.cli.choices`. Import everything else (the hub,
   the store, ingest, analyses, `rich.table`, `rich.progress`) inside the command function::

       def money_command(home: HomeOpt = None, top: TopOpt = 20) -> None:
           \"\"\"One line of help, shown by `mare --help`.\"\"\"
           from rich.table import Table

           from mare.hub.money import hub_money
           ...

   Names used only in annotations go under `if TYPE_CHECKING:`. Typer reads every command's
   options at start-up, so a list an option's help names (say, the valid kinds) must come from a
   light module: `mare.cli.choices` copies the hub's lists, checked equal by the test.
2. Register it in `mare/cli/main.py`: `app.command("money")(money_command)`, or
   `app.add_typer(money_app, name="money")` for a group. `mare money ...` then builds that command
   alone (see `MareApp`).
3. Classify it in tests/hub/test_leak_matrix.py and show it in README.md.
"""

from mare.cli.main import app

__all__ = ["app"]
