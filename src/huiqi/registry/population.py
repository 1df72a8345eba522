"""Import a synthetic population (合成人口, ``huiqi synth``) into the registry (登记册).

The population is Parquet keyed by a dense ``entity_id``; the registry reads files whose columns are
named by the facts vocabulary and keys enterprises by their 统一社会信用代码. This adapter only
translates: DuckDB selects the wanted enterprises, years and events and writes them as three
registry files (``entities.parquet``, ``yearly.parquet``, ``events.parquet``) in a staging folder,
which are then handed to :func:`huiqi.registry.importing.import_files`. So every row passes the same
validation as a file a person imports, the import is idempotent the same way (a re-run changes
nothing), and a rejected row is named by the staging file and record number, which stay on disk to
be opened.

What is not carried over, because the vocabulary has no fact for it, is listed in :data:`SKIPPED`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from huiqi.population import tables
from huiqi.registry import importing

# Population columns (or whole tables) with no fact in huiqi.rules.facts, and why.
SKIPPED: dict[str, str] = {
    "enterprises.entity_id": "the population's join key; the registry keys an enterprise by credit_code",
    "enterprises.foreign_capital_usd_cents": (
        "no fact (foreign_paid_in_capital_usd is a yearly paid-in figure)"
    ),
    "events.tech_field": "not an attribute of an enterprise_title event",
    "events.valid_until": "not an attribute of an enterprise_title event",
    "talents": "talents are keyed by the registry's own id; no mapping from talent_id yet",
    "carriers": "carriers are keyed by the registry's own id; no mapping from carrier_id yet",
    "payments": "past payments belong to the ledger (huiqi ledger pay), not the registry",
}
STAGED = ("entities", "yearly", "events")


class PopulationError(ValueError):
    """The population folder or the options cannot be used (one line for the user)."""


@dataclass(frozen=True, slots=True)
class Selection:
    """Which part of the population to import: years ``first…last``, the first ``limit`` enterprises."""

    first: int
    last: int
    limit: int | None = None


def parse_years(text: str) -> tuple[int, int]:
    """``"2021-2023"`` → (2021, 2023); ``"2023"`` → (2023, 2023)."""
    match = re.fullmatch(r"\s*(\d{4})\s*(?:[-–]\s*(\d{4}))?\s*", text)
    if not match:
        raise PopulationError(f"--years {text!r}: write a year or a range, e.g. 2021-2023")
    first, last = int(match.group(1)), int(match.group(2) or match.group(1))
    if first > last:
        raise PopulationError(f"--years {text!r}: the first year comes after the last")
    return first, last


def stage(population: Path, staging: Path, selection: Selection) -> dict[str, int]:
    """Write the registry files for ``selection`` to ``staging``; rows written per file.

    Rows are ordered (by credit code, year, date) so the same selection writes the same rows.
    """
    import duckdb

    con = duckdb.connect()
    try:
        tables.attach(con, population)
    except FileNotFoundError as exc:
        raise PopulationError(str(exc)) from exc
    staging.mkdir(parents=True, exist_ok=True)
    limit = "" if selection.limit is None else f"WHERE entity_id <= {int(selection.limit)}"
    # Enterprises first: the chosen ids, each with its credit code (the registry's key).
    con.execute(f"CREATE TEMP TABLE chosen AS SELECT * FROM enterprises {limit}")
    years = f"year BETWEEN {int(selection.first)} AND {int(selection.last)}"
    queries = {
        "entities": """
            SELECT 'enterprise' AS kind, '合成企业' || entity_id || '号' AS name, credit_code,
                   industry, founded, district
            FROM chosen ORDER BY credit_code""",
        # is_foreign_invested is static in the population but a yearly fact in the vocabulary.
        "yearly": f"""
            SELECT c.credit_code AS entity_key, 'enterprise' AS entity_kind, CAST(y.year AS INTEGER) AS year,
                   y.revenue_fen, y.value_added_fen, y.total_assets_fen, y.employees, y.is_above_scale,
                   y.is_fiscal_revenue_in_district, y.export_fen, y.rent_fen, y.rd_expense_fen,
                   y.rd_expense_gov_funded_fen, c.is_foreign_invested
            FROM enterprise_years y JOIN chosen c USING (entity_id)
            WHERE y.{years} ORDER BY entity_key, year""",
        # A recognition is imported for the year it was given; its validity is not a vocabulary fact.
        "events": f"""
            SELECT c.credit_code AS entity_key, 'enterprise' AS entity_kind, e.type AS event, e.date,
                   e.title, e.level
            FROM events e JOIN chosen c USING (entity_id)
            WHERE year(e.date) BETWEEN {int(selection.first)} AND {int(selection.last)}
            ORDER BY entity_key, e.date, e.title""",
    }
    counts = {}
    for name, query in queries.items():
        target = str(staging / f"{name}.parquet").replace("'", "''")
        con.execute(f"COPY ({query}) TO '{target}' (FORMAT PARQUET)")
        counts[name] = con.execute(f"SELECT count(*) FROM read_parquet('{target}')").fetchone()[0]
    con.close()
    return counts


def import_population(
    session: Session,
    population: Path,
    selection: Selection,
    staging: Path | None = None,
    actor: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[importing.FileReport]:
    """Stage ``selection`` of ``population`` and import it inside the caller's transaction.

    ``staging`` defaults to ``<population>/registry``. Raises ``PopulationError`` for a folder that is
    not a population, and whatever :func:`importing.import_files` raises for bad rows.
    """
    population = Path(population)
    if not population.is_dir():
        raise PopulationError(f"{population}: no such folder")
    staging = Path(staging) if staging else population / "registry"
    stage(population, staging, selection)
    if progress:
        progress("staged")
    paths = [staging / f"{name}.parquet" for name in STAGED]
    reports = importing.import_files(session, paths, actor=actor)
    if progress:
        progress("imported")
    return reports
