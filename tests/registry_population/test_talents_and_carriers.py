"""Talents (人才) and carriers (载体) of a population enter the registry with the enterprises.

A population written by hand, imported for 2021–2023 with ``--limit 2`` (enterprises 1 and 2):

- enterprise 1, founded 2018, with yearly rows 2021–2023; enterprise 2, founded 2023 (row 2023);
  enterprise 3 is beyond the limit;
- talent 1001 (A, arrived 2022-03-01) at enterprise 1 → rows 2022, 2023; talent 1002 (C, arrived
  2019) at enterprise 2, which exists from 2023 → row 2023; talent 1003 arrives in 2024 → not in the
  district in 2021–2023, not imported; talent 3001 works for enterprise 3 → not imported;
- carrier 1 (众创空间, 区级, recognised 2022-06-30, 12 incubated) run by enterprise 1 → rows 2022,
  2023 and its recognition as a ``platform_recognized`` event; carrier 2 (孵化器, 国家级, recognised
  2015) run by enterprise 2 → rows 2021–2023, its recognition is before the years imported.

So: 2 + 2 + 2 = 6 entities; 4 enterprise-years + 3 talent-years + 5 carrier-years = 12 yearly rows;
1 event.
"""

from __future__ import annotations

from datetime import date

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from huiqi.population import tables
from huiqi.population.synth import credit_code
from huiqi.registry.population import Selection, import_population
from huiqi.store.db import transaction
from huiqi.store.models import Entity, Event, YearlyFact


@pytest.fixture
def population(tmp_path):
    rows = {
        "enterprises": [
            {"entity_id": i, "credit_code": credit_code(i), "industry": "信息技术", "founded": founded,
             "district": "滨江区", "is_foreign_invested": False}
            for i, founded in ((1, date(2018, 4, 1)), (2, date(2023, 2, 1)), (3, date(2010, 1, 1)))
        ],
        "enterprise_years": [
            {"entity_id": i, "year": y, "revenue_fen": 100, "employees": 5}
            for i, y in ((1, 2021), (1, 2022), (1, 2023), (2, 2023), (3, 2023))
        ],
        "events": [],
        "talents": [
            {"talent_id": t, "employer_entity_id": e, "talent_level": lv, "birth_date": date(1990, 1, 1),
             "arrived": arrived}
            for t, e, lv, arrived in (
                (1001, 1, "A", date(2022, 3, 1)),
                (1002, 2, "C", date(2019, 5, 1)),
                (1003, 1, "B", date(2024, 1, 2)),
                (3001, 3, "D", date(2015, 1, 1)),
            )
        ],
        "carriers": [
            {"carrier_id": 1, "operator_entity_id": 1, "carrier_type": "众创空间", "level": "区",
             "recognized": date(2022, 6, 30), "incubated_enterprises": 12},
            {"carrier_id": 2, "operator_entity_id": 2, "carrier_type": "孵化器", "level": "国家",
             "recognized": date(2015, 1, 1), "incubated_enterprises": 40},
        ],
    }  # fmt: skip
    folder = tmp_path / "pop"
    folder.mkdir()
    for name, table_rows in rows.items():
        pq.write_table(tables.from_rows(name, table_rows), tables.table_path(folder, name))
    return folder


def _facts(session, entity: Entity, year: int) -> dict:
    found = session.scalars(
        select(YearlyFact).where(YearlyFact.entity_id == entity.id, YearlyFact.year == year)
    )
    return {f.name: f.value for f in found}


def test_talents_and_carriers_are_imported_with_their_years_and_recognitions(engine, population, tmp_path):
    with transaction(engine) as session:
        reports = import_population(session, population, Selection(2021, 2023, limit=2), tmp_path / "staging")
    assert [(str(r.kind), r.inserted) for r in reports] == [
        ("entities", 6),
        ("yearly facts", 12),
        ("events", 1),
    ]
    with transaction(engine) as session:
        by_key = {e.key: e for e in session.scalars(select(Entity))}
        assert sorted(k for k, e in by_key.items() if e.kind != "enterprise") == [
            "synth-carrier-1", "synth-carrier-2", "synth-talent-1001", "synth-talent-1002",
        ]  # fmt: skip
        talent = by_key["synth-talent-1001"]
        assert (talent.kind, talent.name, talent.credit_code) == ("talent", "合成人才1001号", None)
        assert talent.attributes == {"birth_date": "1990-01-01"}
        assert _facts(session, talent, 2021) == {}  # not yet arrived
        assert _facts(session, talent, 2022) == {"talent_level": "A", "employer_credit_code": credit_code(1)}
        # talent 1002 arrived in 2019, but its employer exists only from 2023
        later = by_key["synth-talent-1002"]
        assert {y: _facts(session, later, y) for y in (2022, 2023)} == {
            2022: {},
            2023: {"talent_level": "C", "employer_credit_code": credit_code(2)},
        }
        carrier = by_key["synth-carrier-1"]
        assert (carrier.kind, carrier.name, carrier.attributes) == (
            "carrier",
            "合成载体1号",
            {"carrier_type": "众创空间"},
        )
        assert _facts(session, carrier, 2021) == {} and _facts(session, carrier, 2023) == {
            "incubated_enterprises": 12
        }
        assert {y for y in range(2021, 2024) if _facts(session, by_key["synth-carrier-2"], y)} == {
            2021,
            2022,
            2023,
        }
        event = session.scalars(select(Event)).one()
        assert (event.entity_id, event.type, event.on_date) == (
            carrier.id,
            "platform_recognized",
            date(2022, 6, 30),
        )
        assert event.attributes == {"platform_type": "众创空间", "level": "区"}


def test_a_population_without_talent_or_carrier_files_imports_its_enterprises(engine, population, tmp_path):
    for name in ("talents", "carriers"):
        tables.table_path(population, name).unlink()
    with transaction(engine) as session:
        reports = import_population(session, population, Selection(2021, 2023, limit=2), tmp_path / "staging")
    assert [r.inserted for r in reports] == [2, 4, 0]
