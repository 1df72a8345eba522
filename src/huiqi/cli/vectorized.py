"""``huiqi calc-pop``: every encoded rule over a whole population, with the vectorized engine."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from huiqi import duck
from huiqi.cli.app import app, console, fail
from huiqi.money import format_fen


@app.command("calc-pop")
def calc_pop(
    pop_dir: Annotated[Path, typer.Argument(help="A population folder of Parquet tables (`huiqi synth`).")],
    year: Annotated[int, typer.Option("--year", help="The calendar year to compute.")],
    out: Annotated[Path, typer.Option("--out", help="Parquet file to write the results to.")],
    doc: Annotated[
        list[str] | None, typer.Option("--doc", help="Only this document (repeatable), e.g. 002.")
    ] = None,
    dense: Annotated[
        bool, typer.Option("--dense", help="Also write the not-eligible rows (one per entity and item).")
    ] = False,
    memory_limit: Annotated[
        str, typer.Option("--memory-limit", help="DuckDB memory limit; beyond it, work spills to disk.")
    ] = "6GB",
) -> None:
    """Compute what every entity of a population is owed in a year (一次算全体), to Parquet.

    Rows: entity_id, item_id, year, status, amount_fen, cap_fen, missing (the facts an undetermined
    item lacks). Without --dense, an (entity, item) that is absent is not eligible. Entities are the
    enterprises, talents (synth-talent-<id>) and carriers (synth-carrier-<id>) of the folder.
    """
    import duckdb

    from huiqi.engine.vectorized import InputError, NotVectorized, attach_population
    from huiqi.engine.vectorized.population import calculate_population, item_summary
    from huiqi.engine.vectorized.tables import KINDS
    from huiqi.rules.loader import RuleLoadError, load_rules

    if not 1949 <= year <= 2100:
        raise fail(f"--year {year} is not a calendar year between 1949 and 2100")
    try:
        book = load_rules()
    except RuleLoadError as exc:
        raise fail(f"the rule files do not load: {exc}") from None
    unknown = [d for d in doc or [] if d not in book.rulesets]
    if unknown:
        raise fail(f"no rule file for document(s) {', '.join(unknown)}; known: {', '.join(book.rulesets)}")
    if not out.parent.exists():
        raise fail(f"the folder of --out does not exist: {out.parent}")
    con = duck.connect()
    try:
        con.execute("SET memory_limit = ?", [memory_limit])
    except duckdb.Error:
        raise fail(f"--memory-limit {memory_limit!r} is not a size such as 6GB") from None
    start = time.perf_counter()
    try:
        attach_population(con, pop_dir, KINDS)  # enterprises, talents and carriers
        with Progress(
            TextColumn("{task.description:<40}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            task = bar.add_task("compiling", total=None)

            def progress(done: int, total: int, label: str) -> None:
                bar.update(task, completed=done, total=total, description=label[:40])

            rows = calculate_population(con, book, year, doc or None, dense, progress, out=out)
    except (InputError, NotVectorized) as exc:
        raise fail(str(exc)) from None
    except duckdb.Error as exc:
        raise fail(f"the population in {pop_dir} could not be read: {exc}") from None
    except OSError as exc:
        raise fail(f"cannot write {out}: {exc.strerror or exc}") from None
    elapsed = time.perf_counter() - start
    entities = con.execute("SELECT count(*) FROM entities").fetchall()[0][0]
    table = Table(
        "item",
        "beneficiaries",
        "total",
        "mean",
        "酌定",
        "待定",
        title=f"{year}: {entities:,} entities, {rows:,} rows → {out} ({elapsed:.1f} s)",
    )
    grand = 0
    for s in item_summary(con):
        grand += s.total_fen
        table.add_row(
            s.item_id,
            f"{s.beneficiaries:,}",
            format_fen(s.total_fen),
            format_fen(s.mean_fen),
            f"{s.discretionary:,}",
            f"{s.undetermined:,}",
        )
    console.print(table)
    console.print(f"total definite amount: {format_fen(grand)}")
