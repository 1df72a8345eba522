"""A population with bad rows is refused with one message per kind of problem, naming the rows."""

from __future__ import annotations

import duckdb
import pyarrow.parquet as pq
from typer.testing import CliRunner

from huiqi.cli import app
from huiqi.population import tables
from huiqi.population.tables import from_rows


def _write(directory, enterprises, years, events=()):
    directory.mkdir()
    pq.write_table(from_rows("enterprises", enterprises), tables.table_path(directory, "enterprises"))
    pq.write_table(from_rows("enterprise_years", years), tables.table_path(directory, "enterprise_years"))
    pq.write_table(from_rows("events", list(events)), tables.table_path(directory, "events"))


def _year(entity_id, year, rd, gov):
    return {
        "entity_id": entity_id,
        "year": year,
        "revenue_fen": 1,
        "total_assets_fen": 1,
        "employees": 1,
        "is_above_scale": False,
        "rd_expense_fen": rd,
        "rd_expense_gov_funded_fen": gov,
    }


def test_government_money_above_total_and_duplicates_are_reported(tmp_path):
    pop = tmp_path / "pop"
    ents = [{"entity_id": 1, "district": "滨江区"}, {"entity_id": 2, "district": "滨江区"}]
    _write(pop, [*ents, ents[1]], [_year(1, 2021, 100, 200), _year(2, 2021, 5, 0), _year(2, 2021, 5, 0)])
    con = duckdb.connect()
    tables.attach(con, pop)
    found = tables.problems(con)
    assert len(found) == 3
    assert "government-funded R&D exceeds total R&D" in found[0] and "[1]" in found[0]
    assert "enterprises: 1 duplicate key" in found[1] and "[2]" in found[1]
    assert "enterprise_years: 1 duplicate key" in found[2]


def test_clean_population_has_no_problems(tmp_path):
    pop = tmp_path / "pop"
    _write(pop, [{"entity_id": 1, "district": "滨江区"}], [_year(1, 2021, 100, 20)])
    con = duckdb.connect()
    tables.attach(con, pop)
    assert tables.problems(con) == []


def test_simulate_refuses_a_bad_population_in_one_message(tmp_path):
    pop = tmp_path / "pop"
    _write(pop, [{"entity_id": 1, "district": "滨江区"}], [_year(1, 2021, None, 0)])
    result = CliRunner().invoke(app, ["simulate", str(pop), "--year", "2022"])
    assert result.exit_code == 2
    assert "a size or R&D fact is missing" in result.output and "Traceback" not in result.output
