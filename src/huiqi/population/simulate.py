"""Run the encoded population schemes over a population directory: per-item totals and per-entity
results (Parquet). Today one scheme: 003 研发费用投入财政补助; the AST compiler adds the others."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from huiqi import duck
from huiqi.population import rd_subsidy as rd
from huiqi.population import rd_subsidy_stages, tables
from huiqi.population.stages import StageTrace

RD_ITEM = "003 研发费用投入财政补助"


@dataclass(frozen=True, slots=True)
class ItemSummary:
    """One item's outcome over the population: who gets what, and against which budget."""

    item: str
    in_force: bool
    beneficiaries: int
    total_fen: int
    city_fen: int
    district_fen: int
    budget_fen: int | None  # None: the document sets no amount and none was given
    ratio_ppm: int
    trace: tuple[StageTrace, ...]

    @property
    def mean_fen(self) -> int:
        """Mean award per beneficiary, rounded down to the fen (display only)."""
        return self.total_fen // self.beneficiaries if self.beneficiaries else 0


def open_population(population: Path):
    """A DuckDB connection with the population's tables as views, after checking them.

    Raises ``FileNotFoundError`` for a missing table and ``ValueError`` listing bad rows.
    """
    con = duck.connect()
    tables.attach(con, Path(population))
    found = tables.problems(con)
    if found:
        raise ValueError(f"{population} cannot be computed on:\n  " + "\n  ".join(found))
    return con


def simulate(
    population: Path, year: int, out: Path | None = None, budget_fen: int | None = None
) -> list[ItemSummary]:
    """Run every encoded item for redemption ``year``; write per-entity rows to ``out`` if given."""
    con = open_population(population)
    run = rd_subsidy_stages.run(con, year, budget_fen)
    result = run.result
    paid = [a for a in result.column("amount_fen").to_pylist() if a > 0]
    summary = ItemSummary(
        item=RD_ITEM,
        in_force=run.in_force,
        beneficiaries=len(paid),
        total_fen=sum(paid),
        city_fen=sum(result.column("city_fen").to_pylist()),
        district_fen=sum(result.column("district_fen").to_pylist()),
        budget_fen=budget_fen,
        ratio_ppm=run.ratio_ppm,
        trace=tuple(run.trace),
    )
    if out is not None:
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(result, out)
    return [summary]


def validity_note(year: int) -> str:
    """Why an item is not in force in ``year``, in the document's own words."""
    return f"{year}: {rd.CLAUSES['validity'].article} “{rd.CLAUSES['validity'].quote}”"
