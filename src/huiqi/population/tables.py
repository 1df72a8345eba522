"""The population tables (人口表): one Parquet file per table, column names from the facts vocabulary.

Designed before the rules (GETTSIM's lesson: at millions of rows the joins and data preparation cost
more than the rules):

- ``enterprises`` — one row per enterprise, its static facts. ``entity_id`` is a dense ``BIGINT``
  (1…N), the join key of every other table; ``credit_code`` is carried for display only.
- ``enterprise_years`` — the yearly facts in *long* form: one row per (enterprise, year) from the
  year it was founded, written ordered by (year, entity_id). Long rather than one column per year
  (``rd_expense_2021_fen``): a new year is new rows, not a new schema; a rule reads "the year" and
  "the year before" as two filtered scans joined on ``entity_id`` and the row groups of other years
  are skipped by their min/max statistics. ``docs/population.md`` has the measured cost of the join
  against a wide layout.
- ``events`` — dated qualifications (``enterprise_title`` with ``title``/``level``; a
  国家高新技术企业 also has ``tech_field``) and other happenings, with ``valid_until`` when the
  recognition expires.
- ``payments`` — past payments (资助兑现记录), for upgrade differences and cumulative caps.
- ``talents`` and ``carriers`` — people (人才) and incubation carriers (孵化器, 众创空间).

Names not (yet) in :mod:`huiqi.rules.facts` are marked ``# not in facts.py`` below.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

ENTERPRISES = pa.schema(
    [
        ("entity_id", pa.int64()),
        ("credit_code", pa.string()),  # synthetic but valid 统一社会信用代码 (synth.credit_code)
        ("industry", pa.string()),  # facts.INDUSTRIES
        ("founded", pa.date32()),
        ("district", pa.string()),
        ("is_foreign_invested", pa.bool_()),  # not in facts.py: 外资企业
        ("foreign_capital_usd_cents", pa.int64()),  # not in facts.py: 实到外资注册资本 (美元, cents)
    ]
)

ENTERPRISE_YEARS = pa.schema(
    [
        ("entity_id", pa.int64()),
        ("year", pa.int16()),
        ("revenue_fen", pa.int64()),
        ("value_added_fen", pa.int64()),  # not in facts.py: 增加值 (the denominator of R&D intensity)
        ("total_assets_fen", pa.int64()),
        ("employees", pa.int32()),
        ("is_above_scale", pa.bool_()),  # 规上 (industry) or 限上 (services)
        ("is_fiscal_revenue_in_district", pa.bool_()),
        ("export_fen", pa.int64()),
        ("rent_fen", pa.int64()),
        ("rd_expense_fen", pa.int64()),
        ("rd_expense_gov_funded_fen", pa.int64()),
    ]
)

EVENTS = pa.schema(
    [
        ("entity_id", pa.int64()),
        ("type", pa.string()),  # facts.EVENTS type, e.g. enterprise_title
        ("date", pa.date32()),
        ("title", pa.string()),  # enterprise_title: 国家高新技术企业, 科技型中小企业, …
        ("level", pa.string()),  # facts.LEVELS
        ("tech_field", pa.string()),  # not in facts.py: 国家重点支持的高新技术领域 of a 高新技术企业
        ("valid_until", pa.date32()),  # not in facts.py: last day the recognition holds
    ]
)

PAYMENTS = pa.schema(
    [
        ("entity_id", pa.int64()),
        ("item", pa.string()),
        ("year", pa.int16()),
        ("amount_fen", pa.int64()),
        ("subject", pa.string()),
    ]
)

TALENTS = pa.schema(
    [
        ("talent_id", pa.int64()),
        ("employer_entity_id", pa.int64()),  # not in facts.py (facts has employer_credit_code)
        ("talent_level", pa.string()),  # A–E, 无
        ("birth_date", pa.date32()),
        ("arrived", pa.date32()),  # not in facts.py: 来滨江工作日期
    ]
)

CARRIERS = pa.schema(
    [
        ("carrier_id", pa.int64()),
        ("operator_entity_id", pa.int64()),  # not in facts.py: the enterprise that runs it
        ("carrier_type", pa.string()),  # 孵化器 / 众创空间
        ("level", pa.string()),
        ("recognized", pa.date32()),  # not in facts.py: 认定（备案）日期
        ("incubated_enterprises", pa.int32()),
    ]
)

SCHEMAS: dict[str, pa.Schema] = {
    "enterprises": ENTERPRISES,
    "enterprise_years": ENTERPRISE_YEARS,
    "events": EVENTS,
    "payments": PAYMENTS,
    "talents": TALENTS,
    "carriers": CARRIERS,
}


# In DuckDB the tables are seen under the vectorized engine's names (huiqi.engine.vectorized.tables),
# one set of names for every query over a population: ``entities`` and ``entity_years``, because
# the engine's views hold every kind of entity (enterprises, talents, carriers, institutions) and
# ``entity_id`` is the key everywhere. The files keep their names: a synthetic population's rows of
# those two files are all enterprises.
VIEWS = {"enterprises": "entities", "enterprise_years": "entity_years"}


def view_name(table: str) -> str:
    """The DuckDB name of table ``table`` (``enterprise_years`` → ``entity_years``)."""
    return VIEWS.get(table, table)


def table_path(directory: Path, name: str) -> Path:
    """Where table ``name`` lives in a population directory."""
    return Path(directory) / f"{name}.parquet"


def attach(con, directory: Path, names: tuple[str, ...] = ("enterprises", "enterprise_years", "events")):
    """Create DuckDB views (named by ``view_name``) over the Parquet files of ``directory``.

    Raises ``FileNotFoundError`` naming the missing file, so a wrong path is one clear message.
    """
    for name in names:
        path = table_path(directory, name)
        if not path.is_file():
            raise FileNotFoundError(
                f"{path} not found: is {directory} a population written by `huiqi synth`?"
            )
        escaped = str(path).replace("'", "''")
        con.execute(f"CREATE OR REPLACE VIEW {view_name(name)} AS SELECT * FROM read_parquet('{escaped}')")


def register_arrow(con, tables: dict[str, pa.Table]) -> None:
    """Make in-memory Arrow tables visible to DuckDB under their view names (tests, small populations)."""
    for name, table in tables.items():
        con.register(view_name(name), table)


def from_rows(name: str, rows: list[dict]) -> pa.Table:
    """An Arrow table of ``name``'s schema from a list of dicts; missing keys become NULL."""
    schema = SCHEMAS[name]
    return pa.Table.from_pylist([{f: row.get(f) for f in schema.names} for row in rows], schema=schema)


# Checks run before a scheme reads a population: (table, condition that marks a bad row, message).
_CHECKS: tuple[tuple[str, str, str], ...] = (
    ("enterprises", "entity_id IS NULL OR district IS NULL", "entity_id or district missing"),
    (
        "enterprise_years",
        "entity_id IS NULL OR year IS NULL OR revenue_fen IS NULL OR total_assets_fen IS NULL "
        "OR employees IS NULL OR is_above_scale IS NULL OR rd_expense_fen IS NULL "
        "OR rd_expense_gov_funded_fen IS NULL",
        "a size or R&D fact is missing",
    ),
    (
        "enterprise_years",
        "rd_expense_fen < 0 OR rd_expense_gov_funded_fen < 0 OR revenue_fen < 0 OR total_assets_fen < 0 "
        "OR employees < 0",
        "a negative amount or head count",
    ),
    (
        "enterprise_years",
        "rd_expense_gov_funded_fen > rd_expense_fen",
        "government-funded R&D exceeds total R&D (rd_expense_gov_funded_fen > rd_expense_fen)",
    ),
    ("events", "entity_id IS NULL OR type IS NULL OR date IS NULL", "entity_id, type or date missing"),
)


def problems(con) -> list[str]:
    """What is wrong with the population visible on ``con``, one line per kind, with example ids.

    Empty when the population can be computed on. Duplicate keys are reported too: one enterprise
    twice, or one (enterprise, year) twice, would be counted twice by every join. A message names
    the table (its file), not its view.
    """
    found = []
    for table, condition, message in _CHECKS:
        rows = con.execute(
            f"SELECT count(*), list(entity_id ORDER BY entity_id)[1:5] FROM {view_name(table)} "
            f"WHERE {condition}"
        ).fetchall()
        count, examples = rows[0]
        if count:
            found.append(f"{table}: {count} row(s) with {message}, e.g. entity_id {examples}")
    for table, key in (("enterprises", "entity_id"), ("enterprise_years", "entity_id, year")):
        rows = con.execute(
            f"SELECT count(*), list(entity_id ORDER BY entity_id)[1:5] FROM "
            f"(SELECT entity_id FROM {view_name(table)} GROUP BY {key} HAVING count(*) > 1)"
        ).fetchall()
        count, examples = rows[0]
        if count:
            found.append(f"{table}: {count} duplicate key(s) ({key}), e.g. entity_id {examples}")
    return found
