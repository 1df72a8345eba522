"""Talents and carriers of a population folder in the engine's views: the same entities, facts,
years and events as the registry import stages (``huiqi.registry.population.stage``), so the two
readings of a population cannot drift apart."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from engine_bench import profiles_for
from huiqi.engine.vectorized import InputError, attach_population, run
from huiqi.engine.vectorized.reference import scalar_rows
from huiqi.engine.vectorized.tables import KINDS
from huiqi.population.synth import synthesize
from huiqi.registry.population import Selection, stage
from huiqi.rules.loader import load_rules

FIRST, LAST = 2018, 2024


@pytest.fixture(scope="module")
def pop(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kinds") / "pop"
    synthesize(1500, 3, folder)  # 0.225 % run a carrier: a few carriers, dozens of talents
    staged = folder.parent / "staged"
    stage(folder, staged, Selection(FIRST, LAST))
    con = duckdb.connect()
    attach_population(con, folder, KINDS)
    return con, staged


def _set(con, sql: str) -> set[tuple]:
    return set(con.execute(sql).fetchall())


def test_talents_and_carriers_are_those_the_registry_import_stages(pop):
    con, staged = pop
    reg = f"read_parquet('{staged}/entities.parquet')"
    want = _set(con, f"SELECT key, kind, birth_date, carrier_type FROM {reg} WHERE kind <> 'enterprise'")
    got = _set(
        con, "SELECT entity_id, kind, birth_date, carrier_type FROM entities WHERE kind <> 'enterprise'"
    )
    assert {k for _, k, _, _ in got} == {"talent", "carrier"}
    assert got == want
    yearly = f"read_parquet('{staged}/yearly.parquet')"
    want = _set(
        con,
        "SELECT entity_key, year, talent_level, employer_credit_code, incubated_enterprises "
        f"FROM {yearly} WHERE entity_kind <> 'enterprise'",
    )
    got = _set(
        con,
        "SELECT y.entity_id, y.year, y.talent_level, y.employer_credit_code, y.incubated_enterprises "
        f"FROM entity_years y JOIN entities e USING (entity_id) WHERE e.kind <> 'enterprise' "
        f"AND y.year BETWEEN {FIRST} AND {LAST}",
    )
    assert len(got) > 50 and got == want
    events = f"read_parquet('{staged}/events.parquet')"
    want = _set(
        con,
        f"SELECT entity_key, event, date, platform_type, level FROM {events} WHERE entity_kind = 'carrier'",
    )
    got = _set(
        con,
        "SELECT entity_id, type, date, platform_type, level FROM events "
        "WHERE entity_id LIKE 'synth-carrier-%' "
        # the registry stages the recognitions of the selected years; the engine keeps every one
        f"AND year(date) BETWEEN {FIRST} AND {LAST}",
    )
    assert got and got == want


def test_the_engine_computes_talents_and_carriers_as_the_scalar_engine_does(pop):
    con, _ = pop
    book = load_rules()
    rows = run(con, book, 2023).fetchall()
    kinds = dict(con.execute("SELECT entity_id, kind FROM entities").fetchall())
    assert {kinds[r[0]] for r in rows} == set(KINDS)
    # every talent and carrier, and a few enterprises, read back as profiles
    ids = [i for i, k in kinds.items() if k != "enterprise"] + [
        i for i, k in kinds.items() if k == "enterprise"
    ][:20]
    want = scalar_rows(book, profiles_for(con, ids), 2023)
    got = sorted(r for r in rows if r[0] in set(ids))
    assert any(kinds[r[0]] == "talent" for r in want) and any(kinds[r[0]] == "carrier" for r in want)
    assert got == want


def test_enterprises_only_keep_their_numeric_ids_and_unknown_kinds_are_refused(pop, tmp_path):
    synthesize(50, 1, tmp_path / "p")
    con = duckdb.connect()
    attach_population(con, tmp_path / "p")
    assert con.execute("SELECT DISTINCT typeof(entity_id), kind FROM entities").fetchall() == [
        ("BIGINT", "enterprise")
    ]
    with pytest.raises(InputError, match="unknown kind"):
        attach_population(con, tmp_path / "p", ("enterprise", "institution"))


def test_the_parquet_file_is_ordered_and_carries_the_missing_facts(pop, tmp_path):
    """``missing`` is looked up after the sort (by its id in ``hq_missing``): the file keeps the
    sort's order and every undetermined row its list — over ~40k rows, more than one chunk."""
    from huiqi.engine.vectorized.compiler import live_items
    from huiqi.engine.vectorized.population import calculate_population

    con, _ = pop
    con.execute("SET threads = 2")
    book = load_rules()
    rows = sorted(run(con, book, 2023).fetchall())
    n = calculate_population(con, book, 2023, out=tmp_path / "r.parquet")
    written = con.execute(
        f"SELECT * FROM read_parquet('{tmp_path / 'r.parquet'}', file_row_number = true) "
        "ORDER BY file_row_number"
    ).fetchall()
    assert n == len(rows) > 20_000
    assert sorted(r[:-1] for r in written) == rows
    pos = {li.item.id: li.pos for li in live_items(book, 2023, None, None)}
    keys = [(r[0], pos[r[1]]) for r in written]
    assert keys == sorted(keys)
    assert all((r[3] == "undetermined") == (r[6] is not None) for r in written)
