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
            "--reform",
            help="YAML of changed figures (any rule parameter; the R&D scheme's ratio, caps, top N) "
            "to compare against the documents' own (docs/population.md §5).",
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
            use = f"{_share(s.total_fen, s.budget_fen)} of {format_fen(s.budget_fen)}"
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
    """``simulate --reform``: the documents' figures against the reform's, per item, per entity group
    and per budget line; per-entity differences and a chart with ``--out``."""
    import duckdb

    from huiqi.engine.vectorized import InputError, NotVectorized
    from huiqi.population.rd_subsidy import in_force as rd_in_force
    from huiqi.population.reform import compare_population, load_reform, write_changes, write_chart
    from huiqi.population.simulate import RD_ITEM, validity_note
    from huiqi.rules.loader import RuleLoadError

    try:
        reform = load_reform(reform_file)
    except RuleLoadError as exc:
        raise fail(f"the rule files do not load: {exc}") from None
    except ValueError as exc:
        raise fail(str(exc)) from None
    try:
        with Progress(
            TextColumn("{task.description:<44}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            task = bar.add_task("reading the population", total=None)

            def progress(done: int, total: int, label: str) -> None:
                bar.update(task, completed=done, total=total, description=label[:44])

            con, result = compare_population(population, year, reform, budget_fen, progress)
    except (FileNotFoundError, ValueError, InputError, NotVectorized) as exc:
        raise fail(str(exc)) from None
    except duckdb.Error as exc:
        raise fail(f"the population in {population} could not be read: {exc}") from None
    table = _folded(
        Table(title=f"{year}: document vs reform ({reform_file})"),
        "item",
        "beneficiaries",
        "document",
        "reform",
        "difference",
        "mean",
        "待定",
    )
    for d in result.items:
        table.add_row(
            d.label,
            f"{d.beneficiaries_before:,} → {d.beneficiaries_after:,}",
            format_fen(d.total_before_fen),
            format_fen(d.total_after_fen),
            format_fen(d.diff_fen),
            f"{format_fen(d.mean_before_fen)} → {format_fen(d.mean_after_fen)}",
            f"{d.undetermined:,}",
        )
    before = sum(d.total_before_fen for d in result.items)
    after = sum(d.total_after_fen for d in result.items)
    table.add_row("all", "", format_fen(before), format_fen(after), format_fen(after - before), "", "")
    console.print(table)
    for item in result.not_in_force:
        console.print(f"[yellow]not in force in {year}[/] {item}: the change pays nothing this year")
    if reform.rd is not None and not rd_in_force(year):
        console.print(f"[yellow]not in force[/] {RD_ITEM}: {validity_note(year)}", highlight=False)
    for name, diffs in result.groups:
        groups = _folded(Table(), name, "beneficiaries", "document", "reform", "difference")
        for d in diffs:
            groups.add_row(
                d.label,
                f"{d.beneficiaries_before:,} → {d.beneficiaries_after:,}",
                format_fen(d.total_before_fen),
                format_fen(d.total_after_fen),
                format_fen(d.diff_fen),
            )
        console.print(groups)
    if result.budgets:
        lines = _folded(Table(), "budget line (预算)", "amount", "use (document)", "use (reform)")
        for b in result.budgets:
            bound = {"floor": "不少于 ", "about": "约 "}.get(b.bound, "")
            lines.add_row(
                b.line,
                bound + format_fen(b.amount_fen),
                f"{format_fen(b.total_before_fen)} ({_share(b.total_before_fen, b.amount_fen)})",
                f"{format_fen(b.total_after_fen)} ({_share(b.total_after_fen, b.amount_fen)})",
            )
        console.print(lines)
    if out is None:
        console.print("give --out FILE.parquet to write the per-entity differences and the chart")
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        rows = write_changes(con, out)
        page = write_chart(
            [("items", result.items), *result.groups], out.with_suffix(".png"), f"{year}: document vs reform"
        )
    except (OSError, duckdb.Error) as exc:
        raise fail(f"cannot write {out}: {getattr(exc, 'strerror', None) or exc}") from None
    console.print(
        f"per-entity differences ({rows:,} changed rows): {out}; chart: {out.with_suffix('.png')}, {page}"
    )


def _folded(table: Table, *headers: str) -> Table:
    """``table`` with these columns, folding long cells onto more lines: an amount or an item id is
    never cut to an ellipsis on a narrow terminal."""
    for header in headers:
        table.add_column(header, overflow="fold")
    return table


def _share(part_fen: int, whole_fen: int) -> str:
    """``part`` as a percentage of ``whole``, one decimal (display only)."""
    if not whole_fen:
        return "—"
    return f"{(Decimal(part_fen * 100) / whole_fen).quantize(Decimal('0.1'))}%"
