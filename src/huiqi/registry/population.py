"""Import a synthetic population (合成人口, ``huiqi synth``) into the registry (登记册).

The population is Parquet keyed by a dense ``entity_id``; the registry reads files whose columns are
named by the facts vocabulary and keys enterprises by their 统一社会信用代码. This adapter only
translates: DuckDB selects the wanted enterprises, talents (人才) and carriers (载体: 孵化器, 众创空间),
their years and events, and writes them as three registry files (``entities.parquet``,
``yearly.parquet``, ``events.parquet``; every kind of entity in the same three) in a staging folder,
which are then handed to :func:`huiqi.registry.importing.import_files`. So every row passes the same
validation as a file a person imports, the import is idempotent the same way (a re-run changes
nothing), and a rejected row is named by the staging file and record number, which stay on disk to
be opened.

Talents and carriers have no credit code in the population; they are keyed by the registry's own id
(``key``), made from the population's: ``synth-talent-<talent_id>``, ``synth-carrier-<carrier_id>``.
What is not carried over, because the vocabulary has no fact for it, is listed in :data:`SKIPPED`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from huiqi import duck
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
    "talents.arrived": "no fact (来滨江工作日期); it only selects the years a talent has rows for",
    "carriers.operator_entity_id": "no fact links a carrier to the enterprise that runs it",
    "payments": "past payments belong to the ledger (huiqi ledger pay), not the registry",
}
STAGED = ("entities", "yearly", "events")
TALENT_KEY, CARRIER_KEY = "synth-talent-", "synth-carrier-"
# carrier_type of the population → platform_type of a platform_recognized event (003-33: 科技企业孵化器
# and 众创空间 are recognised as platforms of those types)
PLATFORM_TYPE = {"孵化器": "科技企业孵化器", "众创空间": "众创空间"}


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

    con = duck.connect()
    try:
        tables.attach(con, population)
    except FileNotFoundError as exc:
        raise PopulationError(str(exc)) from exc
    for name in ("talents", "carriers"):  # a folder without them has none (hand-made, or older)
        if tables.table_path(population, name).is_file():
            tables.attach(con, population, (name,))
        else:
            tables.register_arrow(con, {name: tables.SCHEMAS[name].empty_table()})
    staging.mkdir(parents=True, exist_ok=True)
    limit = "" if selection.limit is None else f"WHERE entity_id <= {int(selection.limit)}"
    # Enterprises first: the chosen ids, each with its credit code (the registry's key).
    con.execute(f"CREATE TEMP TABLE chosen AS SELECT * FROM entities {limit}")
    first, last = int(selection.first), int(selection.last)
    years = f"year BETWEEN {first} AND {last}"
    # The talents of the chosen enterprises, with their employer's credit code, and a row for each
    # selected year in which both the talent has arrived and the employer exists.
    con.execute(
        f"""CREATE TEMP TABLE chosen_talents AS
            SELECT t.*, c.credit_code AS employer_credit_code, y.year
            FROM talents t JOIN chosen c ON c.entity_id = t.employer_entity_id,
                 range({first}, {last} + 1) y(year)
            WHERE y.year >= greatest(year(t.arrived), year(c.founded))"""
    )
    # The carriers the chosen enterprises run, one row per selected year since their recognition.
    con.execute(
        f"""CREATE TEMP TABLE chosen_carriers AS
            SELECT k.*, y.year FROM carriers k JOIN chosen c ON c.entity_id = k.operator_entity_id,
                 range({first}, {last} + 1) y(year)
            WHERE y.year >= year(k.recognized)"""
    )
    talent_key = f"'{TALENT_KEY}' || talent_id"
    carrier_key = f"'{CARRIER_KEY}' || carrier_id"
    platform = "CASE carrier_type " + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in PLATFORM_TYPE.items())
    # enterprises first, then talents, then carriers; within a kind by key (and year, date)
    kind_order = "CASE {} WHEN 'enterprise' THEN 0 WHEN 'talent' THEN 1 ELSE 2 END"
    queries = {
        # one file for every kind: UNION BY NAME leaves a column empty where a kind has no such fact
        "entities": f"""
            SELECT 'enterprise' AS kind, '合成企业' || entity_id || '号' AS name, credit_code,
                   industry, founded, district
            FROM chosen
            UNION ALL BY NAME
            SELECT DISTINCT 'talent' AS kind, '合成人才' || talent_id || '号' AS name, {talent_key} AS key,
                   birth_date
            FROM chosen_talents
            UNION ALL BY NAME
            SELECT DISTINCT 'carrier' AS kind, '合成载体' || carrier_id || '号' AS name, {carrier_key} AS key,
                   carrier_type
            FROM chosen_carriers
            ORDER BY {kind_order.format("kind")}, credit_code, key""",
        # is_foreign_invested is static in the population but a yearly fact in the vocabulary.
        "yearly": f"""
            SELECT c.credit_code AS entity_key, 'enterprise' AS entity_kind, CAST(y.year AS INTEGER) AS year,
                   y.revenue_fen, y.value_added_fen, y.total_assets_fen, y.employees, y.is_above_scale,
                   y.is_fiscal_revenue_in_district, y.export_fen, y.rent_fen, y.rd_expense_fen,
                   y.rd_expense_gov_funded_fen, c.is_foreign_invested
            FROM entity_years y JOIN chosen c USING (entity_id)
            WHERE y.{years}
            UNION ALL BY NAME
            SELECT {talent_key} AS entity_key, 'talent' AS entity_kind, CAST(year AS INTEGER) AS year,
                   talent_level, employer_credit_code
            FROM chosen_talents
            UNION ALL BY NAME
            SELECT {carrier_key} AS entity_key, 'carrier' AS entity_kind, CAST(year AS INTEGER) AS year,
                   incubated_enterprises
            FROM chosen_carriers
            ORDER BY {kind_order.format("entity_kind")}, entity_key, year""",
        # A recognition is imported for the year it was given; its validity is not a vocabulary fact.
        "events": f"""
            SELECT c.credit_code AS entity_key, 'enterprise' AS entity_kind, e.type AS event, e.date,
                   e.title, e.level
            FROM events e JOIN chosen c USING (entity_id)
            WHERE year(e.date) BETWEEN {first} AND {last}
            UNION ALL BY NAME
            SELECT DISTINCT {carrier_key} AS entity_key, 'carrier' AS entity_kind,
                   'platform_recognized' AS event, recognized AS date, {platform} END AS platform_type,
                   level
            FROM chosen_carriers
            WHERE year(recognized) BETWEEN {first} AND {last}
            ORDER BY {kind_order.format("entity_kind")}, entity_key, date, title""",
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
