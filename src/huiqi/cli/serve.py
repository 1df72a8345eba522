"""``huiqi serve`` (the HTTP API and the web pages) and ``huiqi account-add`` (the first admin and others)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from huiqi.cli.app import app, console, fail

if TYPE_CHECKING:
    from pathlib import Path

    from fastapi import FastAPI

    from huiqi.api import Settings


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on; 0.0.0.0 to be reachable from other machines.")
    ] = ("127.0.0.1"),
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    secure_cookies: Annotated[
        bool, typer.Option(help="Mark the login cookie Secure: required when served over HTTPS.")
    ] = False,
    demo: Annotated[
        bool,
        typer.Option(
            help="Serve a fresh temporary database seeded with a demo registry, budgets, a run ready for "
            "its 公示 and one account of every role (printed with their passwords); your own database is "
            "not touched."
        ),
    ] = False,
) -> None:
    """Start the web pages (政策库, 计算器, 工作台) and the JSON API (/api/v1, OpenAPI at /api/v1/docs).

    The database is HUIQI_DATABASE_URL or the embedded SQLite file; it is migrated to the current schema at
    start-up. Create the first admin with [bold]huiqi account-add admin --role admin[/]. With [bold]--demo[/]
    everything is seeded in a new temporary folder instead.
    """
    import shutil
    import tempfile
    from pathlib import Path

    from sqlalchemy.exc import SQLAlchemyError

    from huiqi.api import Settings, create_app

    settings = Settings(secure_cookies=secure_cookies)
    demo_folder = Path(tempfile.mkdtemp(prefix="huiqi-serve-demo-")) if demo else None
    try:
        try:
            application = create_app(settings) if demo_folder is None else _demo_app(demo_folder, settings)
        except SQLAlchemyError as exc:
            raise fail(
                f"cannot open the database: {exc.__class__.__name__}: {exc.args[0] if exc.args else exc}"
            ) from None
        _serve(application, host, port)
    finally:
        if demo_folder is not None:  # the demo's database lives as long as the server
            shutil.rmtree(demo_folder, ignore_errors=True)


def _serve(application: FastAPI, host: str, port: int) -> None:
    import uvicorn

    from huiqi.api.library import corpus
    from huiqi.corpus.search import current_index
    from huiqi.corpus.sources import SourceError

    try:
        # Parse the texts and load the search index now: a missing policy folder fails here, not at the first
        # request, and the first visitor does not wait for the parse.
        corpus()
        current_index()
    except (SourceError, FileNotFoundError) as exc:
        raise fail(f"cannot load the policy texts: {exc}") from None
    console.print(f"huiqi: http://{host}:{port}/  (API: http://{host}:{port}/api/v1/docs)")
    uvicorn.run(application, host=host, port=port, log_level="info")


def _demo_app(folder: Path, settings: Settings) -> FastAPI:
    """Seed the demo database in ``folder``, print its accounts, return the application."""
    from rich.table import Table

    from huiqi.api.demo import demo_app

    console.print(f"seeding the demo database in {folder} …")
    application, accounts = demo_app(folder, settings)
    table = Table(
        "username", "password", "role", "unit", "can", title="demo accounts (new passwords each start)"
    )
    for a in accounts:
        table.add_row(a.username, a.password, a.role.value, a.unit or "", a.note)
    console.print(table)
    return application


@app.command("account-add")
def account_add(
    username: Annotated[str, typer.Argument(help="3–40 lower-case letters, digits, _ . -")],
    role: Annotated[str, typer.Option(help="enterprise, official, finance, auditor or admin")],
    unit: Annotated[
        str | None,
        typer.Option(help="enterprise: its 统一社会信用代码; official: its department, e.g. 区科技局"),
    ] = None,
    display_name: Annotated[str, typer.Option(help="Name shown on the pages.")] = "",
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)] = "",
) -> None:
    """Create an account directly in the database (recorded in the audit log as done by "cli")."""
    from huiqi.auth.accounts import AccountError, AccountStore
    from huiqi.auth.roles import Role
    from huiqi.store import open_engine

    try:
        chosen = Role(role)
    except ValueError:
        raise fail(f"unknown role {role!r}; choose one of {', '.join(r.value for r in Role)}") from None
    try:
        made = AccountStore(open_engine()).create("cli", username, password, chosen, unit, display_name)
    except AccountError as exc:
        raise fail(str(exc)) from None
    console.print(f"created {made.username} ({made.role.value}{', ' + made.unit if made.unit else ''})")
