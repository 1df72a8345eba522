"""Commands: ``huiqi db``, ``huiqi registry``, ``huiqi budget``, ``huiqi ledger``, ``huiqi audit``.

Thin: each command parses its arguments, opens the store, calls one function of
``huiqi.registry`` / ``huiqi.redemption`` inside one transaction, and prints the result. A rule the
input breaks becomes one red line and exit code 2 (``UserError``), never a traceback.
"""

from __future__ import annotations

import getpass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from huiqi.cli.app import UserError, app, console
from huiqi.money import format_fen, to_fen

db_app = typer.Typer(help="The database: where it is and its schema.", no_args_is_help=True)
registry_app = typer.Typer(
    help="登记册 registry: import entities, yearly facts and events.", no_args_is_help=True
)
budget_app = typer.Typer(help="预算 budgets per policy line per year.", no_args_is_help=True)
ledger_app = typer.Typer(help="支付 payment orders, clawbacks (追回) and the ledger.", no_args_is_help=True)
audit_app = typer.Typer(help="审计 the hash-chained audit log.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(registry_app, name="registry")
app.add_typer(budget_app, name="budget")
app.add_typer(ledger_app, name="ledger")
app.add_typer(audit_app, name="audit")

By = Annotated[
    str | None, typer.Option("--by", help="Who acts (recorded in the audit log); default: login name.")
]


def _actor(by: str | None) -> str:
    return by or getpass.getuser()


def _engine():  # type: ignore[no-untyped-def]
    from huiqi.store.db import open_engine

    try:
        return open_engine()
    except Exception as exc:  # a wrong URL or an unreachable server: say so in one line
        raise UserError(f"cannot open the database: {exc}") from exc


def _amount(amount: str, unit: str) -> int:
    try:
        return to_fen(Decimal(amount), unit)
    except (InvalidOperation, ValueError) as exc:
        raise UserError(f"amount {amount!r} {unit}: {exc}") from exc


def _date(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise UserError(f"{text!r} is not a date (YYYY-MM-DD)") from exc


# --- db -----------------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema up to date (also done automatically on first use)."""
    from huiqi.store.db import current_revision, make_engine, upgrade

    engine = make_engine()
    try:
        upgrade(engine)
    except Exception as exc:  # an unreachable server or a wrong URL: one line, not a traceback
        raise UserError(f"cannot upgrade the database: {exc}") from exc
    console.print(
        f"schema at revision {current_revision(engine)} — {engine.url.render_as_string(hide_password=True)}"
    )


@db_app.command("where")
def db_where() -> None:
    """Print the database URL in use (HUIQI_DATABASE_URL or the embedded SQLite file)."""
    from sqlalchemy.engine import make_url

    from huiqi.store.db import database_url

    console.print(make_url(database_url()).render_as_string(hide_password=True), highlight=False)


# --- registry -----------------------------------------------------------------------------------


@registry_app.command("import")
def registry_import(
    files: Annotated[list[Path], typer.Argument(help="CSV (UTF-8 or GBK), .xlsx or .parquet files.")],
    accept_partial: Annotated[
        bool, typer.Option("--accept-partial", help="Apply the good rows; write the rejected ones to a file.")
    ] = False,
    rejected_dir: Annotated[
        Path | None, typer.Option(help="Folder for <file>.rejected.csv (default: beside the input).")
    ] = None,
    by: By = None,
) -> None:
    """Import registry files in one transaction: all or nothing (unless --accept-partial)."""
    from huiqi.registry.importing import ImportRejected, import_files
    from huiqi.registry.reading import UnreadableFile
    from huiqi.store.db import transaction

    try:
        with transaction(_engine()) as session:
            reports = import_files(session, files, accept_partial, rejected_dir, _actor(by))
    except (ImportRejected, UnreadableFile) as exc:
        raise UserError(str(exc)) from exc
    table = Table("file", "kind", "inserted", "updated", "unchanged", "rejected rows", "rejected file")
    for r in reports:
        table.add_row(
            str(r.path), str(r.kind), str(r.inserted), str(r.updated), str(r.unchanged),
            str(r.rejected_rows), str(r.rejected_file or ""),
        )  # fmt: skip
    console.print(table)


@registry_app.command("import-population")
def registry_import_population(
    population: Annotated[Path, typer.Argument(help="A population folder written by `huiqi synth`.")],
    years: Annotated[
        str, typer.Option(help="Years of facts and events to import, e.g. 2021-2023.")
    ] = "2018-2024",
    limit: Annotated[
        int | None, typer.Option(min=1, help="Only the first N enterprises (entity_id 1…N).")
    ] = None,
    staging: Annotated[
        Path | None, typer.Option(help="Folder for the registry files (default: POPULATION/registry).")
    ] = None,
    by: By = None,
) -> None:
    """Import a synthetic population through the registry's own validation (idempotent)."""
    from rich.progress import Progress

    from huiqi.registry.importing import ImportRejected
    from huiqi.registry.population import SKIPPED, PopulationError, Selection, import_population, parse_years
    from huiqi.registry.reading import UnreadableFile
    from huiqi.store.db import transaction

    try:
        first, last = parse_years(years)
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("staging the population as registry files", total=2)

            def step(done: str) -> None:
                next_step = "validating and importing" if done == "staged" else done
                bar.update(task, advance=1, description=next_step)

            with transaction(_engine()) as session:
                reports = import_population(
                    session, population, Selection(first, last, limit), staging, _actor(by), step
                )
    except (PopulationError, ImportRejected, UnreadableFile) as exc:
        raise UserError(str(exc)) from exc
    table = Table("file", "kind", "inserted", "updated", "unchanged")
    for r in reports:
        table.add_row(str(r.path), str(r.kind), str(r.inserted), str(r.updated), str(r.unchanged))
    console.print(table)
    console.print("not imported (no fact in the vocabulary):", highlight=False)
    for column, why in SKIPPED.items():
        console.print(f"  {column}: {why}", highlight=False)


# --- budget -------------------------------------------------------------------------------------


@budget_app.command("set")
def budget_set(
    line: Annotated[str, typer.Argument(help="Policy line, e.g. 002/六.")],
    year: int,
    amount: Annotated[str, typer.Argument(help="Amount, in --unit.")],
    citation: Annotated[str, typer.Option(help="The clause or decision that sets it, quoted.")],
    unit: Annotated[str, typer.Option(help="元, 万元 or 亿元.")] = "元",
    by: By = None,
) -> None:
    """Set (or change) a line's budget for a year; never below what is already reserved or spent."""
    from huiqi.redemption.budget import BudgetError, set_budget
    from huiqi.store.db import transaction

    fen = _amount(amount, unit)
    try:
        with transaction(_engine()) as session:
            set_budget(session, line, year, fen, citation, _actor(by))
    except BudgetError as exc:
        raise UserError(str(exc)) from exc
    console.print(f"budget {line} {year}: {format_fen(fen)}")


@budget_app.command("report")
def budget_report(year: Annotated[int | None, typer.Option(help="Only this year.")] = None) -> None:
    """Budget use per line: amount, reserved, spent, available."""
    from huiqi.redemption.budget import report
    from huiqi.store.db import transaction

    with transaction(_engine()) as session:
        lines = report(session, year)
    table = Table("line", "year", "budget", "reserved", "spent", "available", "citation")
    for b in lines:
        table.add_row(
            b.line, str(b.year), format_fen(b.amount_fen), format_fen(b.reserved_fen),
            format_fen(b.spent_fen), format_fen(b.available_fen), b.citation,
        )  # fmt: skip
    console.print(table)


# --- ledger -------------------------------------------------------------------------------------


@ledger_app.command("pay")
def ledger_pay(
    file: Annotated[Path, typer.Argument(help="Orders file (see huiqi.redemption.batch for the columns).")],
    pay_on: Annotated[str | None, typer.Option(help="Payment date (default today).")] = None,
    by: By = None,
) -> None:
    """Place and pay a batch of orders; re-running the same file pays nothing twice."""
    from huiqi.redemption.batch import BatchRejected, read_batch, run_batch
    from huiqi.registry.reading import UnreadableFile

    try:
        lines = read_batch(file)
    except (BatchRejected, UnreadableFile) as exc:
        raise UserError(str(exc)) from exc
    report = run_batch(_engine(), lines, _actor(by), _date(pay_on))
    console.print(
        f"placed {report.placed} (already {report.already_placed}), "
        f"paid {report.posted} (already {report.already_posted}), refused {len(report.refused)}"
    )
    for line in report.refused:
        console.print(f"[yellow]refused[/] {line}", highlight=False)


@ledger_app.command("cancel")
def ledger_cancel(
    key: str, reason: Annotated[str, typer.Option(help="Why (e.g. 主动放弃).")], by: By = None
) -> None:
    """Cancel a reserved (not yet paid) order and release its budget."""
    from huiqi.redemption.ledger import LedgerError, cancel_order
    from huiqi.store.db import transaction

    try:
        with transaction(_engine()) as session:
            changed = cancel_order(session, key, reason, _actor(by))
    except LedgerError as exc:
        raise UserError(str(exc)) from exc
    console.print(f"order {key}: {'cancelled' if changed else 'was already cancelled'}")


@ledger_app.command("clawback")
def ledger_clawback(
    key: Annotated[str, typer.Argument(help="The paid order's idempotency key.")],
    amount: Annotated[str, typer.Option(help="Amount recovered, in --unit.")],
    reason: Annotated[str, typer.Option(help="The false facts found.")],
    unit: Annotated[str, typer.Option(help="元, 万元 or 亿元.")] = "元",
    on: Annotated[str | None, typer.Option(help="Decision date (default today).")] = None,
    ban_years: Annotated[int | None, typer.Option(help="Ban from all support for N years.")] = None,
    ban_citation: Annotated[
        str | None, typer.Option(help="The clause setting the ban's length, quoted.")
    ] = None,
    by: By = None,
) -> None:
    """追回: record the recovery of a paid order, and the ban that follows."""
    from huiqi.redemption.clawback import ClawbackError, claw_back
    from huiqi.store.db import transaction

    fen = _amount(amount, unit)
    try:
        with transaction(_engine()) as session:
            _claw, ban, created = claw_back(
                session, key, fen, reason, _date(on), _actor(by), ban_years, ban_citation
            )
    except ClawbackError as exc:
        raise UserError(str(exc)) from exc
    console.print(
        f"order {key}: clawback of {format_fen(fen)} {'recorded' if created else 'already recorded'}"
    )
    if ban is not None:
        console.print(f"banned from {ban.start} until {ban.end} (exclusive): {ban.citation}", highlight=False)


@ledger_app.command("paid")
def ledger_paid(
    beneficiary: Annotated[str, typer.Argument(help="Entity key (credit code or registry id).")],
    item: Annotated[str | None, typer.Option(help="Only this item.")] = None,
    group: Annotated[str | None, typer.Option(help="Only this item group.")] = None,
    kind: Annotated[str | None, typer.Option(help="Entity kind, if the key is ambiguous.")] = None,
) -> None:
    """What a beneficiary has had so far (posted, reserved, clawed back)."""
    from huiqi.redemption.ledger import paid_so_far
    from huiqi.registry.lookup import UnknownEntity, find_entity
    from huiqi.store.db import transaction

    try:
        with transaction(_engine()) as session:
            entity = find_entity(session, beneficiary, kind)
            paid = paid_so_far(session, entity.id, item, group)
    except UnknownEntity as exc:
        raise UserError(str(exc)) from exc
    console.print(
        f"{entity.name} ({entity.key}): paid {format_fen(paid.posted_fen)}, "
        f"reserved {format_fen(paid.reserved_fen)}, "
        f"clawed back {format_fen(paid.clawed_back_fen)}; committed {format_fen(paid.committed_fen)}",
        highlight=False,
    )


@ledger_app.command("check")
def ledger_check() -> None:
    """Check every ledger invariant (docs/ledger.md); exit code 1 if any is broken."""
    from huiqi.redemption.ledger import check_invariants
    from huiqi.store.db import transaction

    with transaction(_engine()) as session:
        problems = check_invariants(session)
    if problems:
        for p in problems:
            console.print(f"[red]✗[/] {p}", highlight=False)
        raise typer.Exit(1)
    console.print("ledger consistent")


# --- audit --------------------------------------------------------------------------------------


@audit_app.command("verify")
def audit_verify() -> None:
    """Walk the hash chain; name the first entry that was edited, deleted or moved (exit code 1)."""
    from huiqi.redemption.audit import verify
    from huiqi.store.db import transaction

    with transaction(_engine()) as session:
        verdict = verify(session)
    if not verdict.ok:
        console.print(
            f"[red]audit log broken[/] at entry {verdict.first_bad_seq}: {verdict.problem}", highlight=False
        )
        raise typer.Exit(1)
    console.print(f"audit log intact: {verdict.entries} entries")
