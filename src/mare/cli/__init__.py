"""The `mare` command line: a Typer app, one thin module per area."""

from mare.cli.main import app

__all__ = ["app"]
