"""The ``huiqi`` command. Each concern registers its commands in a module of its own."""

from __future__ import annotations

import sys

# Command modules: importing them registers their commands on ``app``.
from huiqi.cli import corpus as _corpus  # noqa: F401
from huiqi.cli.app import UserError, app, err_console


def main() -> None:
    """Entry point: user errors become one red line and exit code 2, never a traceback."""
    try:
        app()
    except UserError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(2)
