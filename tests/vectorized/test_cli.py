"""``huiqi calc-pop`` over a small synthetic population folder (the population engineer's layout)."""

from __future__ import annotations

import duckdb
import pyarrow.parquet as pq
from typer.testing import CliRunner

from huiqi.cli import app
from huiqi.engine.vectorized import attach_population, register_profiles, run
from huiqi.engine.vectorized.tables import KINDS
from huiqi.population.synth import synthesize
from huiqi.rules.loader import load_rules


def test_calc_pop_writes_the_rows_the_engine_computes(tmp_path):
    synthesize(300, 5, tmp_path / "pop")
    out = tmp_path / "r.parquet"
    res = CliRunner().invoke(
        app, ["calc-pop", str(tmp_path / "pop"), "--year", "2023", "--doc", "002", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert "002/六/专精特新" in res.output or "beneficiaries" in res.output
    written = pq.read_table(out)
    assert written.column_names == [
        "entity_id",
        "item_id",
        "year",
        "status",
        "amount_fen",
        "cap_fen",
        "missing",
    ]
    con = duckdb.connect()
    attach_population(con, tmp_path / "pop", KINDS)  # calc-pop sees every kind of entity
    again = sorted(run(con, load_rules(), 2023, ["002"]).fetchall())
    assert sorted(tuple(r.values()) for r in written.to_pylist()) == again


def test_calc_pop_reports_a_missing_folder_and_an_unknown_document(tmp_path):
    res = CliRunner().invoke(
        app, ["calc-pop", str(tmp_path / "none"), "--year", "2023", "--out", str(tmp_path / "r.parquet")]
    )
    assert res.exit_code == 2
    assert "not found" in res.output
    res = CliRunner().invoke(
        app, ["calc-pop", str(tmp_path), "--year", "2023", "--doc", "999", "--out", "r.parquet"]
    )
    assert res.exit_code == 2
    assert "no rule file for document(s) 999" in res.output


def test_population_folder_and_profiles_agree(tmp_path):
    """A profile registered directly and the same facts in Parquet give the same rows."""
    from huiqi.engine.profile import parse_profile

    p = parse_profile(
        {
            "kind": "enterprise",
            "id": "1",
            "facts": {"industry": "人工智能"},
            "years": {
                "2023": {"is_fiscal_revenue_in_district": True, "tech_service_contract_fen": 1_000_000}
            },
        }
    )
    con = duckdb.connect()
    register_profiles(con, [p])
    direct = run(con, load_rules(), 2023, ["002"]).fetchall()
    assert ("1", "002/五/创新券", 2023, "eligible", 300_000, None, None) in direct


def test_the_engines_views_stand_in_for_the_populations_own(tmp_path):
    """One set of view names (entities, entity_years, events): the R&D-subsidy stages, written
    against the population's views, give the same result over the engine's."""
    from huiqi.population import rd_subsidy_stages, tables

    synthesize(2_000, 3, tmp_path / "pop")
    own, engine = duckdb.connect(), duckdb.connect()
    tables.attach(own, tmp_path / "pop")
    attach_population(engine, tmp_path / "pop")
    want = rd_subsidy_stages.run(own, 2021).result
    got = rd_subsidy_stages.run(engine, 2021).result
    assert want.num_rows > 0 and got.equals(want)
