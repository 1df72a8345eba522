"""Run the compiled rules over a whole population and keep the answer: a results table, a Parquet
file, and a per-item summary (beneficiaries, total, mean) for the people who read the run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from huiqi.engine.vectorized.compiler import INTERMEDIATE, compile_year, execute
from huiqi.money import round_fen
from huiqi.rules.loader import RuleBook

RESULTS = "hq_result"  # the temporary table holding the last run's rows on a connection


@dataclass(frozen=True, slots=True)
class ItemSummary:
    """One item of a population run: 受益主体 (beneficiaries: eligible with an amount > 0)."""

    item_id: str
    beneficiaries: int
    total_fen: int
    mean_fen: int  # per beneficiary, rounded half-up to the fen; 0 without beneficiaries
    eligible_zero: int  # eligible but nothing left to pay (already paid, capped)
    discretionary: int
    undetermined: int


def calculate_population(
    con,
    book: RuleBook,
    year: int,
    documents: list[str] | None = None,
    dense: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
    only: set[str] | None = None,
    out: Path | None = None,
) -> int:
    """Compute every item in force in ``year`` for every entity of the input views on ``con``;
    returns the number of result rows. With ``out``, the rows stream straight into that Parquet file
    (ordered by entity, then item in the scalar engine's order; ``hq_result`` is then a view over
    it), else into the table ``hq_result``."""
    plan = compile_year(book, year, documents, dense, only)
    execute(con, plan, progress)
    if out is None:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {RESULTS} AS {plan.result}")
    else:
        target = _literal(out)
        con.execute(f"COPY ({plan.ordered}) TO {target} (FORMAT PARQUET, COMPRESSION ZSTD)")
        con.execute(f"CREATE OR REPLACE TEMP VIEW {RESULTS} AS SELECT * FROM read_parquet({target})")
    for table in INTERMEDIATE:  # not needed any more
        con.execute(f"DROP TABLE IF EXISTS {table}")
    return con.execute(f"SELECT count(*) FROM {RESULTS}").fetchall()[0][0]


def _literal(path: Path) -> str:
    """A file path as a SQL string literal (quotes doubled)."""
    return "'" + str(Path(path)).replace("'", "''") + "'"


def write_parquet(con, path: Path) -> None:
    """Write the last run's rows (``hq_result``) to ``path`` (Parquet, zstd), by entity and item."""
    con.execute(
        f"COPY (SELECT * FROM {RESULTS} ORDER BY entity_id, item_id) TO {_literal(path)} "
        "(FORMAT PARQUET, COMPRESSION ZSTD)"
    )


def item_summary(con) -> list[ItemSummary]:
    rows = con.execute(
        "SELECT item_id, count(*) FILTER (WHERE status = 'eligible' AND amount_fen > 0), "
        "COALESCE(sum(amount_fen) FILTER (WHERE status = 'eligible'), 0), "
        "count(*) FILTER (WHERE status = 'eligible' AND amount_fen = 0), "
        "count(*) FILTER (WHERE status = 'discretionary'), count(*) FILTER (WHERE status = 'undetermined') "
        f"FROM {RESULTS} GROUP BY item_id ORDER BY item_id"
    ).fetchall()
    return [
        ItemSummary(item, n, int(total), round_fen(Decimal(int(total)) / n) if n else 0, zero, disc, und)
        for item, n, total, zero, disc, und in rows
    ]
