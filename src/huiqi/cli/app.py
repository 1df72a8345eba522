"""The one Typer application; command modules register themselves on it."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(
    name="huiqi",
    help="惠企 huiqi — policy texts as citable clauses and rules: what is due, why, and how it gets paid.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


class UserError(Exception):
    """An error caused by the user's input: printed as one clear message, exit code 2, no traceback."""


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``message`` to stderr and return the Exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


@app.command()
def version() -> None:
    """Print huiqi's version."""
    from huiqi import __version__

    console.print(__version__)


@app.callback()
def _root() -> None:
    """惠企 huiqi — policy texts as citable clauses and rules: what is due, why, and how it gets paid."""
