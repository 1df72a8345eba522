"""The benchmark's hand-written versions of 002 (plain DuckDB SQL, plain numpy) give the vectorized
engine's rows on a small population of the benchmark's own kind — so that the comparison the
benchmark reports cannot drift into comparing different answers (docs/engine.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

from baseline_numpy import baseline_002 as numpy_002  # noqa: E402
from baseline_sql import baseline_002 as sql_002  # noqa: E402
from engine_bench import generate, rows_differing  # noqa: E402
from huiqi.engine.vectorized import attach_population  # noqa: E402
from huiqi.engine.vectorized.population import calculate_population  # noqa: E402
from huiqi.rules.loader import load_rules  # noqa: E402


@pytest.fixture(scope="module")
def population(tmp_path_factory) -> tuple[Path, duckdb.DuckDBPyConnection]:
    folder = tmp_path_factory.mktemp("pop")
    generate(4000, folder, seed=11)
    con = duckdb.connect()
    attach_population(con, folder)
    calculate_population(con, load_rules(), 2023, ["002"], out=folder / "engine.parquet")
    return folder, con


def test_the_population_reaches_every_status_and_settlement(population):
    """Not a vacuous comparison: eligible, discretionary and undetermined rows, amounts cut by
    payments (补差, caps) — the rows the baselines must get right."""
    folder, con = population
    counts = dict(
        con.execute(
            f"SELECT status, count(*) FROM read_parquet('{folder / 'engine.parquet'}') GROUP BY status"
        ).fetchall()
    )
    assert counts["eligible"] > 100 and counts["discretionary"] > 100 and counts["undetermined"] > 10
    paid_items = con.execute("SELECT count(DISTINCT item) FROM payments").fetchall()[0][0]
    assert paid_items == 4


@pytest.mark.parametrize("baseline", ["sql", "numpy"])
def test_the_hand_written_version_gives_the_engines_rows(population, baseline):
    folder, con = population
    out = folder / f"{baseline}.parquet"
    if baseline == "sql":
        sql_002(con, out)
    else:
        numpy_002(folder, out)
    assert rows_differing(con, folder / "engine.parquet", out) == 0
