"""Commands over whole populations: ``huiqi synth`` (a synthetic Binjiang-like population) and
``huiqi simulate`` (run the encoded population schemes over one)."""

from __future__ import annotations

import time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from huiqi.cli.app import app, console, fail
from huiqi.money import format_fen, to_fen


@app.command()
def synth(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the Parquet tables into.")],
    size: Annotated[int, typer.Option("--size", help="Number of enterprises.")] = 100_000,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed; the same seed gives the same population.")
    ] = 1,
) -> None:
    """Write a synthetic Binjiang-like population (合成人口) as Parquet, calibrated to the documents."""
    from huiqi.population.synth import synthesize

    if size < 1:
        raise fail(f"--size must be at least 1, got {size}")
    if seed < 0:
        raise fail(f"--seed must be non-negative, got {seed}")
    start = time.perf_counter()
    with Progress(
        TextColumn("enterprises"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as bar:
        task = bar.add_task("synth", total=size)
        try:
            summary = synthesize(size, seed, out, progress=lambda done: bar.update(task, completed=done))
        except OSError as exc:
            raise fail(f"cannot write to {out}: {exc.strerror or exc}") from None
    table = Table("table", "rows", title=f"{out} (seed {seed}, {time.perf_counter() - start:.1f} s)")
    for name, rows in summary.rows.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)


def _budget(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        fen = to_fen(Decimal(text), "万元")
    except (InvalidOperation, ValueError):
        raise fail(f"--budget {text!r} is not an amount in 万元 (e.g. 8000 or 1234.5)") from None
    if fen < 0:
        raise fail("--budget cannot be negative")
    return fen


@app.command()
def simulate(
    population: Annotated[Path, typer.Argument(help="A population folder written by `huiqi synth`.")],
    year: Annotated[int, typer.Option("--year", help="Redemption year (兑现年度).")],
    budget: Annotated[
        str | None, typer.Option("--budget", help="The year's budget for the R&D subsidy, in 万元 (第九条).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Parquet file for the per-entity results.")
    ] = None,
    reform: Annotated[
        Path | None,
        typer.Option(
            "--reform", help="YAML of changed figures (ratio, caps, tiers) to compare against the text."
        ),
    ] = None,
    trace: Annotated[
        bool, typer.Option("--trace", help="Show each population stage and its clause.")
    ] = False,
) -> None:
    """Run the encoded schemes over a population: beneficiaries, total, mean and budget use per item."""
    from huiqi.population.simulate import simulate as run_simulation
    from huiqi.population.simulate import validity_note

    budget_fen = _budget(budget)
    if reform is not None:
        _simulate_reform(population, year, reform, budget_fen, out)
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task("研发费用投入财政补助", total=1)
        try:
            items = run_simulation(population, year, out=out, budget_fen=budget_fen)
        except (FileNotFoundError, ValueError) as exc:
            raise fail(str(exc)) from None
        bar.update(task, completed=1)
    table = Table("item", "beneficiaries", "total", "mean", "city", "district", "budget use", title=f"{year}")
    for s in items:
        if not s.in_force:
            console.print(f"[yellow]not in force[/] {s.item}: {validity_note(year)}")
        use = "no budget line in the text"
        if s.budget_fen:
            share = (Decimal(s.total_fen * 100) / s.budget_fen).quantize(Decimal("0.1"))
            use = f"{share}% of {format_fen(s.budget_fen)}"
        table.add_row(
            s.item,
            f"{s.beneficiaries:,}",
            format_fen(s.total_fen),
            format_fen(s.mean_fen),
            format_fen(s.city_fen),
            format_fen(s.district_fen),
            use,
        )
        if trace:
            for t in s.trace:
                took = f"{t.seconds * 1000:.0f} ms" if t.seconds is not None else ""
                console.print(f"  {t.name:<14} {t.value:>15,}  {t.measure} {took} {t.note}", highlight=False)
                for article, quote in t.clauses:
                    console.print(f"      {article} “{quote}”", highlight=False, style="dim")
    console.print(table)
    if out is not None:
        console.print(f"per-entity results: {out}")


def _simulate_reform(
    population: Path, year: int, reform_file: Path, budget_fen: int | None, out: Path | None
):
    """``simulate --reform``: the document's figures against the reform's, per class and per entity."""
    import pyarrow.parquet as pq

    from huiqi.population.reform import compare, load_reform, write_chart
    from huiqi.population.simulate import RD_ITEM, open_population

    try:
        params = load_reform(reform_file)
        with Progress(
            TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
        ) as bar:
            task = bar.add_task(f"{RD_ITEM}: document and reform", total=1)
            per_entity, groups = compare(open_population(population), year, params, budget_fen)
            bar.update(task, completed=1)
    except (FileNotFoundError, ValueError) as exc:
        raise fail(str(exc)) from None
    table = Table(
        "class", "beneficiaries", "total (document)", "total (reform)", "difference", title=f"{year}"
    )
    for g in groups:
        table.add_row(
            g.group,
            f"{g.beneficiaries_before:,} → {g.beneficiaries_after:,}",
            format_fen(g.total_before_fen),
            format_fen(g.total_after_fen),
            format_fen(g.total_after_fen - g.total_before_fen),
        )
    before, after = sum(g.total_before_fen for g in groups), sum(g.total_after_fen for g in groups)
    table.add_row(RD_ITEM, "", format_fen(before), format_fen(after), format_fen(after - before))
    console.print(table)
    if out is None:
        console.print("give --out FILE.parquet to write per-entity differences and the chart")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(per_entity, out)
    page = write_chart(groups, out.with_suffix(".png"), f"{RD_ITEM} {year}: document vs reform")
    console.print(f"per-entity differences: {out}; chart: {out.with_suffix('.png')}, {page}")
