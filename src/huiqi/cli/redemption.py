"""Commands of a redemption run: ``huiqi run``, ``huiqi notice``, ``huiqi objection``, ``huiqi decision``,
``huiqi pay``.

Thin, like ``huiqi.cli.registry``: parse, call one function of ``huiqi.redemption`` inside one
transaction, print. A refused step (the preparer approving, a decision inside the notice window…)
is one red line and exit code 2. ``--on`` sets the day a step is taken (default today), so a notice
window can be walked through in a demonstration or a test.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer.core import TyperGroup

from huiqi.cli.app import UserError, app, console
from huiqi.money import format_fen, to_fen


class _RunGroup(TyperGroup):
    """``huiqi run 002 --year 2023`` starts a run; ``huiqi run show|replay|list …`` read runs."""

    def parse_args(self, ctx, args):  # type: ignore[no-untyped-def]
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["start", *args]
        return super().parse_args(ctx, args)


run_app = typer.Typer(
    cls=_RunGroup, help="免申即享 runs: evaluate the registry, show and replay.", no_args_is_help=True
)
notice_app = typer.Typer(help="公示 notice lists: publish, export, decline (主动放弃).", no_args_is_help=True)
objection_app = typer.Typer(help="异议 objections against a line of a notice.", no_args_is_help=True)
decision_app = typer.Typer(help="审批 decisions, maker-checker.", no_args_is_help=True)
app.add_typer(run_app, name="run")
app.add_typer(notice_app, name="notice")
app.add_typer(objection_app, name="objection")
app.add_typer(decision_app, name="decision")

By = Annotated[str, typer.Option("--by", help="The official (or enterprise) taking this step.")]
Reason = Annotated[str, typer.Option("--reason", help="Why (recorded with the step and in the audit log).")]
On = Annotated[str | None, typer.Option("--on", help="The day of the step, YYYY-MM-DD (default today).")]
Unit = Annotated[str, typer.Option("--unit", help="Unit of amounts: 元, 万元 or 亿元.")]


def _engine():  # type: ignore[no-untyped-def]
    from huiqi.store.db import open_engine

    try:
        return open_engine()
    except Exception as exc:  # an unreachable server or a wrong URL: one line
        raise UserError(f"cannot open the database: {exc}") from exc


def _day(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise UserError(f"{text!r} is not a date (YYYY-MM-DD)") from exc


def _fen(amount: str, unit: str) -> int:
    try:
        return to_fen(Decimal(amount), unit)
    except (InvalidOperation, ValueError) as exc:
        raise UserError(f"amount {amount!r} {unit}: {exc}") from exc


def _step(fn):  # type: ignore[no-untyped-def]
    """Run ``fn(session)`` in one transaction; the redemption's refusals become user errors."""
    from sqlalchemy.exc import IntegrityError

    from huiqi.redemption.calendar import CalendarNotCovered
    from huiqi.redemption.run import RunError
    from huiqi.store.db import transaction

    try:
        with transaction(_engine()) as session:
            return fn(session)
    except (RunError, CalendarNotCovered) as exc:
        raise UserError(str(exc)) from exc
    except IntegrityError as exc:  # a concurrent step won the race (one decision per line…)
        raise UserError(
            f"refused by the database, probably a concurrent change; look again: {exc.orig}"
        ) from exc


def _money(fen: int | None) -> str:
    return "" if fen is None else format_fen(fen)


# --- run ------------------------------------------------------------------------------------------


@run_app.command("start")
def run_start(
    target: Annotated[str, typer.Argument(help="A document (002) or one item (002/六/专精特新).")],
    year: Annotated[int, typer.Option("--year", help="The calendar year to redeem.")],
    by: By,
    on: On = None,
) -> None:
    """Evaluate every registered entity and store the run (candidates, explanations, inputs, rules)."""
    from huiqi.redemption.run import RunError, start_run

    with Progress(
        TextColumn("evaluating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as bar:
        task = bar.add_task("entities", total=None)
        try:
            summary = start_run(
                _engine(),
                target,
                year,
                by.strip(),
                _day(on),
                lambda done, total: bar.update(task, completed=done, total=total),
            )
        except RunError as exc:
            raise UserError(str(exc)) from exc
    console.print(
        f"run {summary.run_id}: {summary.evaluated} entities evaluated, {summary.lines} lines "
        f"({summary.discretionary} discretionary, {summary.excluded} excluded), "
        f"total {format_fen(summary.total_fen)}",
        highlight=False,
    )
    for problem in summary.problems:
        console.print(f"[yellow]not evaluated:[/] {problem}", highlight=False)


@run_app.command("list")
def run_list() -> None:
    """The runs, newest first."""
    from sqlalchemy import select

    from huiqi.store.models_runs import RedemptionRun

    def rows(session):  # type: ignore[no-untyped-def]
        return list(session.execute(select(RedemptionRun).order_by(RedemptionRun.id.desc())).scalars())

    table = Table("run", "target", "year", "prepared by", "at", "evaluated")
    for r in _step(rows):
        table.add_row(
            str(r.id),
            r.target,
            str(r.year),
            r.prepared_by,
            r.created_at.isoformat(timespec="seconds"),
            str(r.evaluated),
        )
    console.print(table)


@run_app.command("show")
def run_show(
    run_id: Annotated[int, typer.Argument(help="The run.")],
    line: Annotated[
        int | None, typer.Option("--line", help="Show one line with its explanation and inputs.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """A run's lines, or one line exactly as it was computed (trace, profile, rule hashes)."""
    from huiqi.redemption.run import get_line, get_run, line_profile, lines_of, stored_rules

    def read(session):  # type: ignore[no-untyped-def]
        run = get_run(session, run_id)
        rules = stored_rules(session, run_id)
        head = {
            "run": run.id,
            "target": run.target,
            "year": run.year,
            "prepared_by": run.prepared_by,
            "created_at": run.created_at.isoformat(),
            "engine_version": run.engine_version,
            "rules": {
                d: {"path": p, "sha256": hashlib.sha256(t.encode("utf-8")).hexdigest()}
                for d, (p, t) in rules.files.items()
            },
        }
        if line is None:
            rows = [
                {
                    "line": ln.line_no,
                    "entity": e.key,
                    "name": e.name,
                    "item": ln.item,
                    "status": ln.status,
                    "amount_fen": ln.amount_fen,
                    "cap_fen": ln.cap_fen,
                    "state": ln.state,
                    "state_reason": ln.state_reason,
                }
                for ln, e in lines_of(session, run_id)
            ]
            return {**head, "lines": rows}
        ln = get_line(session, run_id, line)
        return {
            **head,
            "line": ln.line_no,
            "item": ln.item,
            "item_sha256": ln.item_sha256,
            "status": ln.status,
            "computed_fen": ln.computed_fen,
            "amount_fen": ln.amount_fen,
            "cap_fen": ln.cap_fen,
            "state": ln.state,
            "state_reason": ln.state_reason,
            "result": ln.result,
            "profile": line_profile(session, run_id, ln.entity_id),
        }

    data = _step(read)
    if as_json:
        console.print_json(json.dumps(data, ensure_ascii=False))
        return
    console.print(
        f"run {data['run']}: {data['target']} {data['year']}, prepared by {data['prepared_by']} at "
        f"{data['created_at']} (huiqi {data['engine_version']})",
        highlight=False,
    )
    for doc, r in data["rules"].items():
        console.print(f"  rules {doc}: {r['path']} sha256 {r['sha256'][:16]}…", highlight=False)
    if line is None:
        table = Table("line", "entity", "name", "item", "status", "amount", "cap", "state")
        for r in data["lines"]:
            state = r["state"] + (f" ({r['state_reason']})" if r["state_reason"] else "")
            table.add_row(
                str(r["line"]),
                r["entity"],
                r["name"],
                r["item"],
                r["status"],
                _money(r["amount_fen"]),
                _money(r["cap_fen"]),
                state,
            )
        console.print(table)
        return
    console.print(
        f"line {data['line']}: {data['item']} ({data['status']}) computed {_money(data['computed_fen'])}, "
        f"now {_money(data['amount_fen'])}, cap {_money(data['cap_fen'])}; {data['state']}",
        highlight=False,
    )
    console.print(f"  item sha256 {data['item_sha256']}", highlight=False)
    console.print(f"  {data['result'].get('clause')}: {data['result'].get('quote')}", highlight=False)
    for step in data["result"].get("trace", []):
        amount = f" → {format_fen(step['amount_fen'])}" if step.get("amount_fen") is not None else ""
        console.print(f"  - {step['text']}{amount}", highlight=False)
    console.print("  profile as evaluated:", highlight=False)
    console.print_json(json.dumps(data["profile"], ensure_ascii=False))


@run_app.command("replay")
def run_replay(run_id: Annotated[int, typer.Argument(help="The run.")]) -> None:
    """Evaluate the stored inputs with the stored rules again: identical, or the differences (exit 1)."""
    from huiqi.redemption.run import RunError, replay

    try:
        result = replay(_engine(), run_id)
    except RunError as exc:
        raise UserError(str(exc)) from exc
    if result.identical:
        console.print(
            f"run {run_id}: identical ({result.compared} entities, {result.lines} lines)", highlight=False
        )
        return
    for d in result.differences:
        console.print(f"[red]differs:[/] {d}", highlight=False)
    raise typer.Exit(1)


# --- notice ---------------------------------------------------------------------------------------


@notice_app.command("publish")
def notice_publish(
    run_id: Annotated[int, typer.Argument(help="The run.")],
    days: Annotated[int, typer.Option("--days", help="The notice window in working days (工作日).")],
    by: By,
    on: On = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for the xlsx, csv and html files.")] = Path("."),
) -> None:
    """Publish a run's list (公示) and write it as xlsx, CSV (UTF-8 BOM) and a printable HTML page."""
    from huiqi.redemption import exports, notice

    def publish(session):  # type: ignore[no-untyped-def]
        n = notice.publish(session, run_id, days, by, _day(on))
        return n, exports.export_notice(session, run_id, out)

    n, paths = _step(publish)
    console.print(
        f"run {run_id} published: window {n.first_day.isoformat()} – {n.last_day.isoformat()} "
        f"({days} working days)",
        highlight=False,
    )
    for p in paths:
        console.print(f"  {p}", highlight=False)


@notice_app.command("export")
def notice_export(
    run_id: Annotated[int, typer.Argument(help="The run.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the files.")] = Path("."),
) -> None:
    """Write the list as it stands now (states after declines and decisions)."""
    from huiqi.redemption import exports

    for p in _step(lambda s: exports.export_notice(s, run_id, out)):
        console.print(str(p), highlight=False)


@notice_app.command("decline")
def notice_decline(
    run_id: Annotated[int, typer.Argument(help="The run.")],
    line: Annotated[int, typer.Option("--line", help="The line given up.")],
    by: By,
    reason: Reason,
    on: On = None,
) -> None:
    """主动放弃: the beneficiary declines a line (during the notice window)."""
    from huiqi.redemption import notice

    _step(lambda s: notice.decline(s, run_id, line, by, reason, _day(on)))
    console.print(f"run {run_id} line {line}: declined", highlight=False)


# --- objections -----------------------------------------------------------------------------------


@objection_app.command("add")
def objection_add(
    run_id: Annotated[int, typer.Argument(help="The run.")],
    line: Annotated[int, typer.Option("--line", help="The line objected to.")],
    by: By,
    reason: Reason,
    on: On = None,
) -> None:
    """Record an objection (异议) against a line, during the notice window."""
    from huiqi.redemption import objection

    o = _step(lambda s: objection.add(s, run_id, line, by, reason, _day(on)))
    console.print(f"objection {o.id} against run {run_id} line {line}: pending", highlight=False)


@objection_app.command("resolve")
def objection_resolve(
    objection_id: Annotated[int, typer.Argument(help="The objection.")],
    by: By,
    reason: Reason,
    keep: Annotated[bool, typer.Option("--keep", help="Keep the line as it is.")] = False,
    change_amount: Annotated[
        str | None, typer.Option("--change-amount", help="The line's new amount.")
    ] = None,
    unit: Unit = "元",
    on: On = None,
) -> None:
    """Resolve an objection with a reason: --keep, or --change-amount X."""
    from huiqi.redemption import objection

    if keep == (change_amount is not None):
        raise UserError("say either --keep or --change-amount X")
    amount = _fen(change_amount, unit) if change_amount is not None else None
    o = _step(lambda s: objection.resolve(s, objection_id, by, reason, _day(on), amount))
    console.print(f"objection {objection_id}: {o.state}", highlight=False)


# --- decisions ------------------------------------------------------------------------------------


def _decide(
    run_id: int,
    approve: bool,
    by: str,
    reason: str,
    lines: list[int] | None,
    amount: str | None,
    unit: str,
    on: str | None,
) -> None:
    from huiqi.redemption import decision

    fen = _fen(amount, unit) if amount is not None else None
    made = _step(
        lambda s: decision.decide(s, run_id, by.strip(), approve, reason, _day(on), lines or None, fen)
    )
    word = "approved" if approve else "rejected"
    total = sum(d.amount_fen or 0 for d in made)
    console.print(
        f"run {run_id}: {len(made)} lines {word} by {by.strip()}"
        + (f", {format_fen(total)}" if approve else ""),
        highlight=False,
    )


Lines = Annotated[
    list[int] | None, typer.Option("--line", help="Only these lines (repeat); default: every open line.")
]


@decision_app.command("approve")
def decision_approve(
    run_id: Annotated[int, typer.Argument(help="The run.")],
    by: By,
    reason: Reason,
    line: Lines = None,
    amount: Annotated[str | None, typer.Option("--amount", help="A discretionary line's amount.")] = None,
    unit: Unit = "元",
    on: On = None,
) -> None:
    """Approve lines (not by the run's preparer; after the notice window; no objection pending)."""
    _decide(run_id, True, by, reason, line, amount, unit, on)


@decision_app.command("reject")
def decision_reject(
    run_id: Annotated[int, typer.Argument(help="The run.")],
    by: By,
    reason: Reason,
    line: Lines = None,
    on: On = None,
) -> None:
    """Reject lines, with the reason."""
    _decide(run_id, False, by, reason, line, None, "元", on)


# --- pay ------------------------------------------------------------------------------------------


@app.command("pay")
def pay(
    run_id: Annotated[int, typer.Argument(help="The run.")],
    by: By,
    on: On = None,
    budget_line: Annotated[
        str | None, typer.Option("--budget-line", help="Budget line (default: the rules' or the document's).")
    ] = None,
    share: Annotated[
        str | None,
        typer.Option(
            "--share",
            help="City:district cost sharing, e.g. 1:1, for every order; default: the document's "
            "cost_sharing by the beneficiary's district (none: the district pays it all).",
        ),
    ] = None,
    share_citation: Annotated[
        str | None, typer.Option("--share-citation", help="The clause that sets the share, quoted.")
    ] = None,
) -> None:
    """Payment orders for every approved line: placed, budget-reserved and posted; safe to re-run."""
    from huiqi.redemption.orders import pay as pay_run
    from huiqi.redemption.run import RunError
    from huiqi.redemption.sharing import parse_ratio

    cost_share = None
    if share is not None:
        try:
            cost_share = parse_ratio(share, share_citation or "")
        except ValueError as exc:
            raise UserError(str(exc)) from exc
    try:
        report = pay_run(_engine(), run_id, by, _day(on), budget_line, cost_share)
    except RunError as exc:
        raise UserError(str(exc)) from exc
    console.print(
        f"run {run_id}: placed {report.placed} (already {report.already_placed}), "
        f"posted {report.posted} (already {report.already_posted}), refused {len(report.refused)}",
        highlight=False,
    )
    for r in report.refused:
        console.print(f"[red]refused:[/] {r}", highlight=False)
