"""The ``huiqi`` command. Each concern registers its commands in a module of its own."""

from __future__ import annotations

import sys

# Command modules: importing them registers their commands on ``app``.
from huiqi.cli import corpus as _corpus  # noqa: F401
from huiqi.cli import coverage as _coverage  # noqa: F401
from huiqi.cli import demo as _demo  # noqa: F401
from huiqi.cli import indicators as _indicators  # noqa: F401
from huiqi.cli import population as _population  # noqa: F401
from huiqi.cli import recognitions as _recognitions  # noqa: F401
from huiqi.cli import redemption as _redemption  # noqa: F401
from huiqi.cli import registry as _registry  # noqa: F401
from huiqi.cli import rules as _rules  # noqa: F401
from huiqi.cli import search as _search  # noqa: F401
from huiqi.cli import serve as _serve  # noqa: F401
from huiqi.cli import vectorized as _vectorized  # noqa: F401
from huiqi.cli import vouchers as _vouchers  # noqa: F401
from huiqi.cli.app import UserError, app, err_console


def main() -> None:
    """Entry point: user errors become one red line and exit code 2, never a traceback."""
    try:
        app()
    except UserError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(2)
