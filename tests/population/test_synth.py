"""The synthetic population: deterministic per seed, spelled in the facts vocabulary, calibrated to
the figures of the documents (at the assumed district size of 100,000 enterprises)."""

from __future__ import annotations

import re

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from huiqi.cli import app
from huiqi.paths import policies_dir
from huiqi.population import calibration, synth, tables
from huiqi.rules import facts


def _read(directory, name):
    return pq.read_table(tables.table_path(directory, name))


def test_same_seed_same_population_and_prefix_stable(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    synth.synthesize(3_000, 7, a, chunk=1_000)
    synth.synthesize(3_000, 7, b, chunk=1_000)
    synth.synthesize(2_000, 7, c, chunk=1_000)  # the first two chunks of the larger one
    for name in tables.SCHEMAS:
        assert _read(a, name).equals(_read(b, name)), name
    ya, yc = _read(a, "enterprises"), _read(c, "enterprises")
    assert ya.slice(0, 2_000).equals(yc)


def test_other_seed_other_population(tmp_path):
    synth.synthesize(1_000, 1, tmp_path / "a")
    synth.synthesize(1_000, 2, tmp_path / "b")
    a, b = _read(tmp_path / "a", "enterprise_years"), _read(tmp_path / "b", "enterprise_years")
    assert a.column("rd_expense_fen") != b.column("rd_expense_fen")


def test_columns_follow_the_facts_vocabulary():
    # Every column that names a fact uses the vocabulary's name; the rest are keys or listed as new.
    known = set(facts.FACTS_BY_NAME) | {"entity_id", "year", "type", "date", "title", "level"}
    proposed = {
        "value_added_fen",
        "is_foreign_invested",
        "foreign_capital_usd_cents",
        "tech_field",
        "valid_until",
        "talent_id",
        "employer_entity_id",
        "arrived",
        "carrier_id",
        "operator_entity_id",
        "recognized",
        "item",
        "amount_fen",
        "subject",
    }
    for name, schema in tables.SCHEMAS.items():
        unknown = set(schema.names) - known - proposed
        assert not unknown, (name, unknown)
    # …and with the vocabulary's type: money is int64 fen, never a float.
    arrow_type = {"money": "int64", "bool": "bool", "int": "int32", "date": "date32[day]", "text": "string"}
    for schema in tables.SCHEMAS.values():
        for f in schema:
            spec = facts.FACTS_BY_NAME.get(f.name)
            if spec is not None:
                assert str(f.type) == arrow_type.get(spec.type.value, "string"), f.name


def test_yearly_facts_are_consistent(tmp_path):
    synth.synthesize(5_000, 3, tmp_path)
    con = duckdb.connect()
    tables.attach(con, tmp_path)
    bad = con.execute(
        """SELECT count(*) FROM entity_years y JOIN entities e USING (entity_id)
           WHERE y.rd_expense_gov_funded_fen > y.rd_expense_fen OR y.rd_expense_fen < 0
              OR y.employees < 1 OR y.year < year(e.founded)"""
    ).fetchall()[0][0]
    assert bad == 0
    # Each (chunk, year) is its own row group, so a filter on year skips the other years.
    meta = pq.ParquetFile(tables.table_path(tmp_path, "enterprise_years")).metadata
    for i in range(meta.num_row_groups):
        stats = meta.row_group(i).column(1).statistics
        assert stats.min == stats.max


@pytest.mark.slow
def test_calibrated_at_district_size(tmp_path):
    size = calibration.DISTRICT_ENTERPRISES
    synth.synthesize(size, 1, tmp_path)
    con = duckdb.connect()
    tables.attach(con, tmp_path)

    def one(sql):
        return con.execute(sql).fetchall()[0][0]

    high_tech = one(
        """SELECT count(DISTINCT entity_id) FROM events WHERE title = '国家高新技术企业'
           AND date <= DATE '2024-12-31' AND valid_until >= DATE '2024-12-31'"""
    )
    tech_sme = one(
        "SELECT count(DISTINCT entity_id) FROM events WHERE title = '科技型中小企业' AND year(date) = 2024"
    )
    intensity = one(
        "SELECT sum(rd_expense_fen)::DECIMAL(38, 0) / sum(value_added_fen) "
        "FROM entity_years WHERE year = 2023"
    )
    assert abs(high_tech - calibration.scaled("high_tech_enterprises", size)) < 0.05 * 3800
    assert abs(tech_sme - calibration.scaled("tech_smes", size)) < 0.05 * 6000
    assert 0.09 <= intensity <= 0.10


@pytest.mark.parametrize("target", calibration.TARGETS, ids=lambda t: t.key)
def test_calibration_quotes_are_in_the_documents(target):
    text = re.sub(r"\s+", "", (policies_dir() / target.policy_file).read_text(encoding="utf-8"))
    assert re.sub(r"\s+", "", target.quote) in text


def test_cli_synth_then_simulate(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["synth", "--size", "2000", "--seed", "1", "--out", str(tmp_path / "pop")])
    assert result.exit_code == 0, result.output
    out = tmp_path / "r.parquet"
    result = runner.invoke(app, ["simulate", str(tmp_path / "pop"), "--year", "2022", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert pq.read_table(out).num_rows > 0


def test_cli_errors_are_one_line(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["simulate", str(tmp_path / "missing"), "--year", "2022"])
    assert result.exit_code == 2 and "not found" in result.output
    result = runner.invoke(app, ["synth", "--size", "0", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--size" in result.output
