"""Command: ``huiqi indicators`` — 004's targets against a population or the registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from huiqi.cli.app import UserError, app, console


@app.command()
def indicators(
    year: Annotated[int, typer.Option("--year", help="Read the data at the end of this year.")],
    pop: Annotated[
        Path | None, typer.Option("--pop", help="A population folder (Parquet, from `huiqi synth`).")
    ] = None,
    db: Annotated[
        bool, typer.Option("--db", help="The registry database (HUIQI_DATABASE_URL; see `huiqi db where`).")
    ] = False,
    base_year: Annotated[
        int | None,
        typer.Option(
            "--base-year",
            help="Count increments (新增…家) from the end of this year; 004 states none, so you choose.",
        ),
    ] = None,
    targets_file: Annotated[
        Path | None, typer.Option("--targets", help="A targets file (default: policies/004/targets.yaml).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    chart: Annotated[Path | None, typer.Option("--chart", help="Also draw a progress chart (PNG).")] = None,
) -> None:
    """指标 004's quantified targets (2027) against the data: current value, progress and gap."""
    from huiqi.indicators import TargetError, compute, connect_population, connect_registry, load_targets

    if (pop is None) == (not db):
        raise UserError("choose one source: --pop DIR or --db")
    try:
        targets = load_targets(targets_file)
    except TargetError as exc:
        raise UserError(str(exc)) from exc
    if pop is not None:
        try:
            con = connect_population(pop)
        except FileNotFoundError as exc:
            raise UserError(str(exc)) from exc
        source = f"population {pop}"
    else:
        con, source = _registry(connect_registry)
    try:
        readings = compute(targets, con, year, base_year)
    except ValueError as exc:  # a base year on or after the year
        raise UserError(str(exc)) from exc
    if as_json:
        out = {
            "source": source,
            "year": year,
            "base_year": base_year,
            "targets": [r.to_json() for r in readings],
        }
        console.print_json(json.dumps(out, ensure_ascii=False))
    else:
        _print_table(readings, f"004 targets against {source}, end of {year}")
    if chart is not None:
        from huiqi.indicators.chart import write_chart

        path = write_chart(readings, chart, f"004 创新滨江 targets — {source}, end of {year}")
        console.print(f"chart: {path}")


def _registry(connect_registry):  # type: ignore[no-untyped-def]
    from huiqi.store.db import database_url, open_engine

    try:
        engine = open_engine()
        return connect_registry(engine), f"registry {engine.url.render_as_string(hide_password=True)}"
    except Exception as exc:  # a wrong URL or an unreachable server: one line, not a traceback
        raise UserError(f"cannot read the registry at {database_url()}: {exc}") from exc


# 达/以上 → ≥, 超过 → >, 左右 → ≈
_SIGN = {"at_least": "≥", "above": ">", "about": "≈"}


def _print_table(readings, title: str) -> None:  # type: ignore[no-untyped-def]
    from huiqi.indicators.progress import display

    table = Table(title=title)
    for column in ("target", "clause", "year", "target value", "current", "progress", "gap", "note"):
        table.add_column(column, overflow="fold")
    for r in readings:
        t = r.target
        goal = f"{_SIGN[t.comparison]}{t.value} {t.unit}"
        if r.value is None:
            current, progress, gap = r.status.replace("_", " "), "—", "—"
        else:
            current = f"{display(r.value, t)}"
            progress = f"{r.progress_pct}%" + (" ✓" if r.met else "")
            gap = f"{display(r.gap, t)}"
        note = r.detail if r.base_year is None else f"base year {r.base_year}: {r.detail}"
        table.add_row(t.label, t.clause, str(t.year or "—"), goal, current, progress, gap, note)
    console.print(table)
