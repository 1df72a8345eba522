"""Commands: ``huiqi recognitions import|list|evaluate|revoke|difference``.

Thin, like ``huiqi.cli.registry``: parse, call one function of ``huiqi.recognitions`` in one
transaction, print (a table, or ``--json``). A rule the input breaks is one red line, exit code 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from huiqi.cli.app import UserError, app, console
from huiqi.cli.registry import By, _actor, _date, _engine
from huiqi.money import format_fen

recognitions_app = typer.Typer(
    help="认定 recognitions (孵化器, 众创空间, 雏鹰企业, 未来工厂, 上市进程): grants, upgrades, evaluations.",
    no_args_is_help=True,
)
app.add_typer(recognitions_app, name="recognitions")

Json = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
Scheme = Annotated[str, typer.Option("--scheme", help="孵化器, 众创空间, 雏鹰企业, 未来工厂 or 上市进程.")]
Ref = Annotated[str, typer.Option("--ref", help="The recognition's id (certificate or filing number).")]
On = Annotated[str | None, typer.Option("--on", help="The day, YYYY-MM-DD (default today).")]


def _print_json(data: Any) -> None:
    console.print_json(json.dumps(data, ensure_ascii=False))


def _entity(session, key: str):  # type: ignore[no-untyped-def]
    from huiqi.registry.lookup import UnknownEntity, find_entity

    try:
        return find_entity(session, key)
    except UnknownEntity as exc:
        raise UserError(str(exc)) from exc


@recognitions_app.command("import")
def recognitions_import(
    files: Annotated[
        list[Path], typer.Argument(help="Recognitions and/or evaluations files (.csv, .xlsx, .parquet).")
    ],
    by: By = None,
    as_json: Json = False,
) -> None:
    """Import recognitions and yearly evaluations in one transaction: all or nothing."""
    from huiqi.recognitions.importing import import_files
    from huiqi.registry.importing import ImportRejected
    from huiqi.registry.reading import UnreadableFile
    from huiqi.store.db import transaction

    try:
        with transaction(_engine()) as session:
            reports = import_files(session, files, _actor(by))
    except (ImportRejected, UnreadableFile) as exc:
        raise UserError(str(exc)) from exc
    if as_json:
        _print_json([{"file": str(r.path), "kind": r.kind, **r.counts} for r in reports])
        return
    table = Table("file", "kind", "inserted", "upgraded", "updated", "unchanged")
    for r in reports:
        c = r.counts
        table.add_row(
            str(r.path), r.kind, *(str(c.get(k, 0)) for k in ("inserted", "upgraded", "updated", "unchanged"))
        )
    console.print(table)


@recognitions_app.command("list")
def recognitions_list(
    entity: Annotated[str | None, typer.Option("--entity", help="Only this entity (its key).")] = None,
    scheme: Annotated[str | None, typer.Option("--scheme", help="Only this scheme.")] = None,
    year: Annotated[int | None, typer.Option("--year", help="Show how each stands in this year.")] = None,
    as_json: Json = False,
) -> None:
    """The recognitions with their steps and yearly results (and their standing in --year)."""
    from huiqi.recognitions.lifecycle import describe
    from huiqi.recognitions.records import records
    from huiqi.store.db import transaction

    try:
        with transaction(_engine()) as session:
            found = records(session, entity, scheme)
            data = [r.to_json(year) for r in found]
            rows = [
                (
                    r.entity_key,
                    r.entity_name,
                    r.scheme,
                    r.ref,
                    describe(r.steps),
                    ", ".join(
                        f"{e.year} {e.result}" + (f" ({e.effect})" if e.effect != "none" else "")
                        for e in r.evaluations
                    ),
                    r.standing(year) if year is not None else "",
                )
                for r in found
            ]
    except KeyError as exc:
        raise UserError(str(exc.args[0])) from exc
    if as_json:
        _print_json(data)
        return
    table = Table("entity", "name", "scheme", "ref", "steps", "evaluations", f"in {year}" if year else "")
    for row in rows:
        table.add_row(*row)
    console.print(table)


@recognitions_app.command("evaluate")
def recognitions_evaluate(
    entity: Annotated[str, typer.Argument(help="The entity's key (credit code or registry id).")],
    scheme: Scheme,
    ref: Ref,
    year: Annotated[int, typer.Option("--year", help="The evaluated year (whose facts the result is).")],
    result: Annotated[str, typer.Option("--result", help="优秀 / 良好 / 合格 / 不合格, or 已备案 / 未备案.")],
    on: On = None,
    by: By = None,
    as_json: Json = False,
) -> None:
    """Record one yearly result; a failing one suspends the year or, repeated, revokes (as the text says)."""
    from huiqi.recognitions.lifecycle import LifecycleError, evaluate
    from huiqi.store.db import transaction

    try:
        with transaction(_engine()) as session:
            row, created = evaluate(
                session, _entity(session, entity), scheme, ref, year, result, _date(on), _actor(by)
            )
            data = {
                "entity": entity,
                "scheme": scheme,
                "ref": ref,
                "year": year,
                "result": row.result,
                "effect": row.effect,
                "citation": row.citation,
                "recorded": created,
            }
    except (LifecycleError, KeyError) as exc:
        raise UserError(str(exc.args[0])) from exc
    if as_json:
        _print_json(data)
        return
    done = "recorded" if created else "already recorded"
    effect = "" if data["effect"] == "none" else f" → {data['effect']}: {data['citation']}"
    console.print(f"{done}: {entity} {scheme} {ref} {year} {data['result']}{effect}", highlight=False)


@recognitions_app.command("revoke")
def recognitions_revoke(
    entity: Annotated[str, typer.Argument(help="The entity's key.")],
    scheme: Scheme,
    ref: Ref,
    citation: Annotated[str, typer.Option("--citation", help="The clause that revokes, quoted.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (the finding).")],
    on: On = None,
    by: By = None,
) -> None:
    """撤销 / 取消资格 from --on: the recognition is no fact from that day."""
    from huiqi.recognitions.lifecycle import LifecycleError, revoke
    from huiqi.store.db import transaction

    try:
        with transaction(_engine()) as session:
            step = revoke(
                session, _entity(session, entity), scheme, ref, _date(on), citation, reason, _actor(by)
            )
            message = f"revoked: {entity} {scheme} {ref} ({step.tier}) from {step.ended_on}"
    except (LifecycleError, KeyError) as exc:
        raise UserError(str(exc.args[0])) from exc
    console.print(message, highlight=False)


@recognitions_app.command("difference")
def recognitions_difference(
    run_id: Annotated[int, typer.Argument(help="The run.")],
    line: Annotated[int, typer.Option("--line", help="The discretionary line of a tier award.")],
    as_json: Json = False,
) -> None:
    """进档差额: the line's ceiling, net of what the same recognition was paid, and those orders."""
    from huiqi.recognitions.upgrade import difference
    from huiqi.redemption.run import RunError
    from huiqi.store.db import transaction

    try:
        with transaction(_engine()) as session:
            d = difference(session, run_id, line)
    except RunError as exc:
        raise UserError(str(exc)) from exc
    if as_json:
        _print_json(
            {
                "ceiling_fen": d.ceiling_fen,
                "paid_fen": d.paid_fen,
                "due_fen": d.due_fen,
                "orders": d.orders,
                "citation": str(d.citation),
            }
        )
        return
    console.print(
        f"at most {format_fen(d.due_fen)}: the line's ceiling, net of {format_fen(d.paid_fen)} already paid "
        f"({', '.join(d.orders) or 'none'}) — {d.citation}",
        highlight=False,
    )
