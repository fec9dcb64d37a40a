"""The `mare` command line: thin — each command parses options, calls the library, renders.

How a command is added (and why `mare --help` stays fast) is in the docstring of `mare.cli`.
"""

from __future__ import annotations

import copy
import sys
from typing import Annotated, Any

import typer
from typer.models import CommandInfo, TyperInfo

from mare import __version__
from mare.cli.access import consent_app, erase_command, notifications_app, retention_app
from mare.cli.accounts import agencies_app, users_app
from mare.cli.adverts import adverts_command
from mare.cli.audit import audit_app
from mare.cli.calls import calls_app
from mare.cli.common import HomeOpt, console, fail, print_json
from mare.cli.doctor import doctor_command
from mare.cli.documents import documents_command, mrz_command
from mare.cli.early_warning import schedule_app, warnings_app
from mare.cli.geo import hotspots_command, routes_command
from mare.cli.ingest import ingest_command
from mare.cli.money import money_command
from mare.cli.network import network_command
from mare.cli.profile import polycrime_command, profile_command
from mare.cli.read import export_command, records_command, show_app, stats_command
from mare.cli.report import report_command
from mare.cli.resolve import crosscheck_command, link_command, review_command
from mare.cli.scenario import demo_command, scenario_app
from mare.cli.search import search_command
from mare.cli.serve import serve_command
from mare.cli.store import store_app
from mare.cli.trends import trends_command
from mare.cli.vessels import vessels_command
from mare.cli.watchlists import alerts_app, watchlist_app


class MareApp(typer.Typer):
    """The root app. Run as `mare NAME ...`, it builds only NAME's command.

    Typer turns every registered function into a Click command (reading each signature and
    evaluating its annotations) before it looks at the arguments: ~0.1 s for ~80 commands, on every
    run. Here `mare NAME` builds the one command or group asked for; `mare`, `mare --help` and an
    unknown name build the listing from each command's help alone. Tests that build the whole app
    (`typer.main.get_command(app)`, `CliRunner().invoke(app, ...)`) see every command as registered.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        given = kwargs.get("args", args[0] if args else None)
        argv = sys.argv[1:] if given is None else list(given)
        return typer.Typer.__call__(_only(self, argv[0] if argv else None), *args, **kwargs)


def _only(root: typer.Typer, name: str | None) -> typer.Typer:
    """A copy of `root` with just the command or group `name`, or the help-only listing."""
    small = copy.copy(root)
    small.__class__ = typer.Typer
    commands = [c for c in root.registered_commands if _command_name(c) == name]
    groups = [g for g in root.registered_groups if g.name == name]
    if commands or groups:
        small.registered_commands = commands
        small.registered_groups = groups
        if len(commands) == 1 and not groups:  # one command alone would become the app itself
            small.registered_commands = [*commands, CommandInfo(name="", callback=_noop, hidden=True)]
        return small
    small.registered_commands = [_listed(c) for c in root.registered_commands]
    small.registered_groups = [_listed_group(g) for g in root.registered_groups]
    return small


def _command_name(info: CommandInfo) -> str:
    if info.name:
        return info.name
    callback = info.callback.__name__ if info.callback else ""
    return callback.lower().replace("_", "-")


def _noop() -> None:
    """Never shown: keeps a one-command app a group."""


def _listed(info: CommandInfo) -> CommandInfo:
    """The command as the listing shows it: its name and help, without its options."""
    listed = copy.copy(info)
    real = info.callback

    def stub() -> None:
        """Placeholder."""

    if real is not None:
        stub.__name__, stub.__doc__ = real.__name__, real.__doc__
    listed.callback = stub
    return listed


def _listed_group(info: TyperInfo) -> TyperInfo:
    listed = copy.copy(info)
    if info.typer_instance is not None:
        empty = copy.copy(info.typer_instance)
        empty.registered_commands, empty.registered_groups = [], []
        listed.typer_instance = empty
    return listed


app = MareApp(
    help="Mare: an intelligence hub against migrant-smuggling networks.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command()
def version() -> None:
    """Print Mare's version."""
    console.print(f"mare {__version__}")


@app.command()
def init(home: HomeOpt = None) -> None:
    """Create (or migrate) the store, the hub agency and the audit key."""
    from mare.hub.accounts import ensure_hub_agency
    from mare.hub.audit import AuditKeyMissing, trail_key
    from mare.hub.identity import operator_of
    from mare.hub.server_store import describe_store
    from mare.store.db import open_store

    with open_store(home) as store:
        try:
            trail_key(store)
        except AuditKeyMissing as exc:
            raise fail(str(exc)) from None
        ensure_hub_agency(store)
        where = describe_store(store) if store.url else str(store.db_path)
        console.print(
            f"Mare store ready at [bold]{where}[/]"
            + (f" (raw files and keys in {store.home})" if store.url else "")
        )
        console.print(
            f"Local operator: [bold]{operator_of(store)}[/] (acts as the hub without a password here; "
            "anyone else signs in with --user NAME or MARE_TOKEN)"
        )


@app.command()
def schema(
    markdown: Annotated[bool, typer.Option("--markdown", help="The vocabulary as Markdown tables.")] = False,
) -> None:
    """Print the contribution JSON Schema (or the vocabulary reference with --markdown)."""
    if markdown:
        from mare.schema.reference import kinds_markdown

        sys.stdout.write(kinds_markdown() + "\n")
        return
    from mare.schema.contribution_schema import contribution_schema

    print_json(contribution_schema())


app.command("ingest")(ingest_command)
app.command("records")(records_command)
app.command("search")(search_command)
app.command("export")(export_command)
app.command("stats")(stats_command)
app.command("demo")(demo_command)
app.command("erase")(erase_command)
app.command("crosscheck")(crosscheck_command)
app.command("review")(review_command)
app.command("link")(link_command)
app.command("hotspots")(hotspots_command)
app.command("routes")(routes_command)
app.command("trends")(trends_command)
app.command("vessels")(vessels_command)
app.command("network")(network_command)
app.command("profile")(profile_command)
app.command("polycrime")(polycrime_command)
app.command("documents")(documents_command)
app.command("mrz")(mrz_command)
app.command("money")(money_command)
app.command("adverts")(adverts_command)
app.command("report")(report_command)
app.command("serve")(serve_command)
app.command("doctor")(doctor_command)
app.add_typer(show_app, name="show")
app.add_typer(scenario_app, name="scenario")
app.add_typer(users_app, name="users")
app.add_typer(agencies_app, name="agencies")
app.add_typer(consent_app, name="consent")
app.add_typer(retention_app, name="retention")
app.add_typer(notifications_app, name="notifications")
app.add_typer(audit_app, name="audit")
app.add_typer(watchlist_app, name="watchlist")
app.add_typer(alerts_app, name="alerts")
app.add_typer(warnings_app, name="warnings")
app.add_typer(schedule_app, name="schedule")
app.add_typer(store_app, name="store")
app.add_typer(calls_app, name="calls")
