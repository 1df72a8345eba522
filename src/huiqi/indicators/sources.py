"""Where indicators are computed from: a DuckDB connection showing the population tables.

Two sources, one shape: the measures (:mod:`huiqi.indicators.measures`) are SQL over the views
``entities``, ``entity_years`` and ``events`` with the columns of :mod:`huiqi.population.tables`
(the tables ``enterprises``, ``enterprise_years`` and ``events``), whichever source filled them.

- a population folder (人口表, Parquet written by ``huiqi synth``): views over its files;
- the registry (登记册) database: its ``entities``, ``yearly_facts`` (long: one row per entity, year
  and fact) and ``events`` are read through SQLAlchemy (SQLite or PostgreSQL alike), the facts the
  measures use are pivoted into ``entity_years`` rows, and the result is registered in DuckDB.
  The registry has no ``valid_until`` on a recognition (the facts vocabulary has none), so those
  rows carry NULL there and a title counts as held until the data says otherwise.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.engine import Engine

from huiqi import duck
from huiqi.indicators.targets import RATIO_FACTS
from huiqi.population import tables

TABLES = ("enterprises", "enterprise_years", "events")


def connect_population(directory: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with views over the population in ``directory``.

    Raises ``FileNotFoundError`` naming the missing Parquet file.
    """
    con = duck.connect()
    tables.attach(con, Path(directory), TABLES)
    return con


def connect_registry(engine: Engine | str) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection holding the registry's enterprises, yearly facts and titles.

    ``engine`` is an Engine or a SQLAlchemy URL; a URL's database is read as it is (not migrated).
    The registry is copied whole into memory: fine at the registry's size (thousands of
    enterprises), not meant for a million-row population — use a population folder for that.
    """
    if isinstance(engine, str):
        from huiqi.store.db import make_engine

        owned = make_engine(engine)
        try:
            return connect_registry(owned)
        finally:
            owned.dispose()
    from huiqi.store.models import Entity, Event, YearlyFact

    with engine.connect() as conn:
        enterprises = conn.execute(
            select(Entity.id, Entity.credit_code).where(Entity.kind == "enterprise")
        ).all()
        facts = conn.execute(
            select(YearlyFact.entity_id, YearlyFact.year, YearlyFact.name, YearlyFact.value)
            .join(Entity, Entity.id == YearlyFact.entity_id)
            .where(Entity.kind == "enterprise", YearlyFact.name.in_(RATIO_FACTS))
        ).all()
        titles = conn.execute(
            select(Event.entity_id, Event.type, Event.on_date, Event.attributes)
            .join(Entity, Entity.id == Event.entity_id)
            .where(Entity.kind == "enterprise", Event.type == "enterprise_title")
        ).all()

    years: dict[tuple[int, int], dict] = {}
    for entity_id, year, name, value in facts:
        years.setdefault((entity_id, year), {})[name] = value
    attrs = [a or {} for *_, a in titles]
    con = duck.connect()
    tables.register_arrow(
        con,
        {
            "enterprises": _table(
                "enterprises",
                {"entity_id": [i for i, _ in enterprises], "credit_code": [c for _, c in enterprises]},
            ),
            "enterprise_years": _table(
                "enterprise_years",
                {
                    "entity_id": [e for e, _ in years],
                    "year": [y for _, y in years],
                    **{name: [v.get(name) for v in years.values()] for name in RATIO_FACTS},
                },
            ),
            "events": _table(
                "events",
                {
                    "entity_id": [t[0] for t in titles],
                    "type": [t[1] for t in titles],
                    "date": [t[2] for t in titles],
                    "title": [a.get("title") for a in attrs],
                    "level": [a.get("level") for a in attrs],
                },
            ),
        },
    )
    return con


def _table(name: str, columns: dict[str, list]) -> pa.Table:
    """Table ``name`` of the population schema from columns; the columns not given are NULL.

    Column-wise rather than ``tables.from_rows``: a registry of 10 000 enterprises has ~150 000
    yearly facts, and building one dict per row was half the time of reading it.
    """
    schema = tables.SCHEMAS[name]
    size = len(next(iter(columns.values())))
    arrays = [
        pa.array(columns[field.name], type=field.type)
        if field.name in columns
        else pa.nulls(size, field.type)
        for field in schema
    ]
    return pa.Table.from_arrays(arrays, schema=schema)
