"""Benchmark of the vectorized engine (docs/engine.md has the numbers and what they mean).

For N enterprises (a synthetic population with every fact and event 002's items read, written as
Parquet in the population layout), in one run:

- the vectorized engine on document 002 and on all encoded rules, results to Parquet;
- two hand-written versions of 002's items, written from docs/rules.md and the rule text, not
  generated: plain DuckDB SQL (``baseline_sql.py``) and plain numpy (``baseline_numpy.py``), each
  checked row for row against the engine's output (every column but ``missing``, which they do not
  compute);
- the scalar engine's time per profile on a sample, and exactness to the fen on that sample
  (``missing`` included);
- time against the number of items (1, 5, all of 002, all documents).

Wall time and the process's CPU time are both reported, with the load average before and after:
the machine is shared, and CPU time is what a quiet machine's wall time approaches.

    .venv/bin/python benchmarks/engine_bench.py --sizes 10000 100000 1000000
    .venv/bin/python benchmarks/engine_bench.py --sizes 10000000 --only-vectorized   # peak RSS

Each size runs in a fresh process so that peak RSS (``ru_maxrss``) belongs to that size alone.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))

YEAR = 2023
FEN_WAN = 1_000_000  # 1万元 in fen


# ---------------------------------------------------------------------------------------------------
# A population with every fact and event 002 reads (the `huiqi synth` population has few of them)


def generate(n: int, folder: Path, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    ids = np.arange(1, n + 1, dtype=np.int64)
    industries = np.array(["人工智能", "信息技术", "集成电路", "生命健康", "其他"])
    pq.write_table(
        pa.table({"entity_id": ids, "industry": industries[rng.integers(0, 5, n)]}),
        folder / "enterprises.parquet",
    )

    def money(p_pos: float, scale_wan: float, p_null: float = 0.01) -> pa.Array:
        v = (rng.exponential(scale_wan, n) * FEN_WAN).astype(np.int64) + rng.integers(0, 100, n)
        v[rng.random(n) >= p_pos] = 0
        return pa.array(v, mask=rng.random(n) < p_null)

    def flag(p: float, p_null: float = 0.01) -> pa.Array:
        return pa.array(rng.random(n) < p, mask=rng.random(n) < p_null)

    order = money(0.05, 8000)  # 链主 local order increments around 1亿元, some exactly at it
    order_np = np.asarray(order.fill_null(0))
    exact = rng.random(n) < 0.01
    order_np = np.where(exact, 100 * 100 * FEN_WAN, order_np)
    orgs = np.array(["O1", "O2", "O3", "O4"])
    pq.write_table(
        pa.table(
            {
                "entity_id": ids,
                "year": np.full(n, YEAR, dtype=np.int16),
                "is_fiscal_revenue_in_district": flag(0.9),
                "is_innovation_org_member": flag(0.25),
                "is_chain_leader": flag(0.03),
                "innovation_org_id": pa.array(orgs[rng.integers(0, 4, n)], mask=rng.random(n) < 0.5),
                "tech_service_contract_fen": money(0.3, 60),
                "public_compute_fee_fen": money(0.1, 200),
                "rd_expense_fen": money(0.6, 500),
                "local_order_increment_fen": pa.array(order_np, mask=np.asarray(order.is_null())),
                "tech_transfer_spend_fen": money(0.05, 100),
                "vc_investment_received_fen": money(0.03, 3000),
            }
        ),
        folder / "enterprise_years.parquet",
    )
    # events: a few per hundred enterprises of each type 002 pays for, dated 2022-2023
    kinds = {
        "innovation_org_recognized": 0.06,
        "enterprise_title": 0.10,
        "breakthrough_project_accepted": 0.01,
        "national_major_project_undertaken": 0.01,
        "science_award": 0.02,
        "first_of_kind_product": 0.01,
        "standard_published": 0.05,
        "talent_training_cooperation": 0.01,
    }
    names = (
        "entity_id type date org_type level role org_id subject title rd_investment_fen program award grade "
        "unit_rank product_kind scope drafter_rank partner"
    )
    cols: dict[str, list] = {k: [] for k in names.split(" ")}
    pick = random.Random(seed)
    d0 = date(2022, 1, 1)
    for etype, rate in kinds.items():
        owners = ids[rng.random(n) < rate]
        for eid in owners.tolist():
            row = dict.fromkeys(cols)
            row.update(entity_id=eid, type=etype, date=d0 + timedelta(days=pick.randrange(730)))
            subj = f"S{pick.randrange(3)}" if pick.random() < 0.7 else None
            if etype == "innovation_org_recognized":
                row.update(
                    org_type=pick.choice(
                        [
                            "企业创新联合体",
                            "产业链上下游企业共同体",
                            "产业联盟",
                            "制造业创新中心",
                            "工程研究中心",
                        ]
                    ),
                    level=pick.choice(["国家", "省", "市", "区"]),
                    role=pick.choice(["牵头", "牵头", "参与"]),
                    org_id=pick.choice(["O1", "O2", None]),
                    subject=subj,
                )
            elif etype == "enterprise_title":
                row.update(
                    title=pick.choice(
                        ["单项冠军", "专精特新小巨人", "隐形冠军", "专精特新中小企业", "国家高新技术企业"]
                    ),
                    level=pick.choice(["国家", "省", "市"]),
                )
            elif etype == "breakthrough_project_accepted":
                row.update(
                    rd_investment_fen=pick.randrange(0, 3000) * FEN_WAN + pick.randrange(100), subject=subj
                )
            elif etype == "national_major_project_undertaken":
                row.update(program=pick.choice(["国家重大科技专项", "国家重点研发计划"]), subject=subj)
            elif etype == "science_award":
                row.update(
                    award=pick.choice(["技术发明奖", "科技进步奖", "自然科学奖"]),
                    level=pick.choice(["国家", "省"]),
                    grade=pick.choice(["特等", "一等", "二等", "三等"]),
                    unit_rank=pick.randrange(1, 9),
                    subject=subj,
                )
            elif etype == "first_of_kind_product":
                row.update(product_kind="首台套装备", level="省", subject=subj)
            elif etype == "standard_published":
                row.update(
                    scope=pick.choice(["国际标准", "国家标准", "行业标准", "团体标准"]),
                    role=pick.choice(["主导", "参与"]),
                    drafter_rank=pick.choice([1, 2, 3, 4, None]),
                    subject=subj,
                )
            else:
                row.update(partner="浙江大学")
            for k in cols:
                cols[k].append(row[k])
    events = pa.table(cols)
    events = events.sort_by([("entity_id", "ascending"), ("date", "ascending")])
    pq.write_table(events, folder / "events.parquet")
    # payments: earlier 省级专精特新 awards (补差 on promotion), this year's vouchers (year cap),
    # compute subsidies over the years (cumulative cap), standards awards (the shared org cap)
    m = max(1, n // 50)
    who = rng.choice(ids, size=m, replace=False)
    items = np.array(["002/六/专精特新", "002/五/创新券", "002/五/算力补贴", "002/十一/国家行业标准"])
    which = rng.integers(0, 4, m)
    pay_year = np.where(which == 1, YEAR, rng.choice([YEAR - 1, YEAR], m)).astype(np.int16)
    amount = np.array([20, 30, 90, 60])[which] * FEN_WAN
    subject = np.where(which == 0, "ladder:专精特新", None)
    org = np.where(which == 3, np.array(["O1", "O2", None], dtype=object)[rng.integers(0, 3, m)], None)
    pq.write_table(
        pa.table(
            {
                "entity_id": who,
                "item": items[which],
                "year": pay_year,
                "amount_fen": amount.astype(np.int64),
                "subject": pa.array(subject.tolist(), pa.string()),
                "org_id": pa.array(org.tolist(), pa.string()),
            }
        ),
        folder / "payments.parquet",
    )


# ---------------------------------------------------------------------------------------------------
# Measurements (one size per process)


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


CPU: dict[str, float] = {}  # the CPU seconds of the last _timed call, by name


def _timed(fn, name: str = ""):
    c, t = _cpu(), time.perf_counter()
    out = fn()
    if name:
        CPU[name] = round(_cpu() - c, 3)
    return out, time.perf_counter() - t


def profiles_for(con, ids: list):
    """Profiles of some entities, read back from the input views (for the scalar engine)."""
    from huiqi.engine.profile import parse_profile
    from huiqi.engine.vectorized.tables import event_attrs, static_facts, yearly_facts

    def rows(sql: str) -> list[dict]:
        rel = con.execute(sql, [ids])
        names = [d[0] for d in rel.description]
        return [dict(zip(names, r, strict=True)) for r in rel.fetchall()]

    def js(v):
        return v.isoformat() if isinstance(v, date) else (str(v) if hasattr(v, "as_tuple") else v)

    prof = {
        i: {"kind": "enterprise", "id": str(i), "facts": {}, "years": {}, "events": [], "payments": []}
        for i in ids
    }
    for r in rows("SELECT * FROM entities WHERE entity_id IN (SELECT unnest(?))"):
        prof[r["entity_id"]]["kind"] = r["kind"]
        prof[r["entity_id"]]["facts"] = {k: js(r[k]) for k in static_facts() if r[k] is not None}
    for r in rows("SELECT * FROM entity_years WHERE entity_id IN (SELECT unnest(?))"):
        prof[r["entity_id"]]["years"][str(r["year"])] = {
            k: js(r[k]) for k in yearly_facts() if r[k] is not None
        }
    for r in rows(
        "SELECT * FROM events WHERE entity_id IN (SELECT unnest(?)) ORDER BY entity_id, event_index"
    ):
        e = {"type": r["type"], "date": r["date"].isoformat()}
        e.update({k: js(r[k]) for k in event_attrs() if r[k] is not None})
        prof[r["entity_id"]]["events"].append(e)
    for r in rows("SELECT * FROM payments WHERE entity_id IN (SELECT unnest(?))"):
        prof[r["entity_id"]]["payments"].append(
            {
                k: r[k]
                for k in ("item", "year", "amount_fen", "subject", "ladder", "rank", "org_id")
                if r[k] is not None
            }
        )
    return [parse_profile(p) for p in prof.values()]


COLUMNS = "entity_id, item_id, year, status, amount_fen, cap_fen"  # what the baselines compute


def rows_differing(con, a: Path, b: Path) -> int:
    """Rows of one Parquet file not in the other, both ways (duplicates counted)."""
    x, y = (f"(SELECT {COLUMNS} FROM read_parquet('{p}'))" for p in (a, b))
    return con.execute(
        f"SELECT count(*) FROM (({x} EXCEPT ALL {y}) UNION ALL ({y} EXCEPT ALL {x}))"
    ).fetchall()[0][0]


def measure(n: int, folder: Path, only_vectorized: bool) -> dict:
    from baseline_numpy import baseline_002 as numpy_002
    from baseline_sql import baseline_002 as sql_002
    from huiqi.engine.vectorized import attach_population
    from huiqi.engine.vectorized.population import calculate_population
    from huiqi.engine.vectorized.reference import scalar_rows
    from huiqi.rules.loader import load_rules

    book = load_rules()
    con = duckdb.connect()
    con.execute("SET memory_limit = '6GB'")
    con.execute("SET threads = 2")
    con.execute(f"SET temp_directory = '{folder / 'spill'}'")
    attach_population(con, folder)
    out: dict = {"n": n, "load_before": round(os.getloadavg()[0], 2)}

    def vec(documents, only=None, name="r"):
        return calculate_population(con, book, YEAR, documents, only=only, out=folder / f"{name}.parquet")

    rows, out["vectorized_002_s"] = _timed(lambda: vec(["002"], name="vec_002"), "vectorized_002")
    out["rows_002"] = rows
    if only_vectorized:  # the 10M run: 002 only, for time and peak memory
        out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        out["cpu_s"] = CPU
        out["load_after"] = round(os.getloadavg()[0], 2)
        return out
    _, out["baseline_sql_s"] = _timed(lambda: sql_002(con, folder / "sql_002.parquet"), "baseline_sql")
    _, out["baseline_numpy_s"] = _timed(
        lambda: numpy_002(folder, folder / "numpy_002.parquet"), "baseline_numpy"
    )
    out["baseline_sql_rows_differing"] = rows_differing(
        con, folder / "vec_002.parquet", folder / "sql_002.parquet"
    )
    out["baseline_numpy_rows_differing"] = rows_differing(
        con, folder / "vec_002.parquet", folder / "numpy_002.parquet"
    )
    fastest = min(out["baseline_sql_s"], out["baseline_numpy_s"])
    out["ratio_to_fastest_baseline"] = round(out["vectorized_002_s"] / fastest, 3)
    # exactness against the scalar engine on a sample (missing facts included), and its time per profile
    sample = sorted(random.Random(n).sample(range(1, n + 1), min(n, 2000)))
    profiles = profiles_for(con, sample)
    want, t_scalar = _timed(lambda: scalar_rows(book, profiles, YEAR, ["002"]))
    out["scalar_ms_per_profile_002"] = 1000 * t_scalar / len(profiles)
    got = sorted(
        (str(r[0]), *r[1:-1], tuple(r[-1]) if r[-1] is not None else None)
        for r in con.execute(
            f"SELECT * FROM read_parquet('{folder / 'vec_002.parquet'}') "
            "WHERE entity_id IN (SELECT unnest(?))",
            [sample],
        ).fetchall()
    )
    want = sorted((*r[:-1], tuple(r[-1]) if r[-1] is not None else None) for r in want)
    out["sample"] = len(sample)
    out["sample_rows"] = len(want)
    out["sample_mismatches"] = len(set(got) ^ set(want))
    # against the number of rules
    items_002 = [it.id for it in book.rulesets["002"].items]
    for k in (1, 5):
        _, out[f"vectorized_{k}_items_s"] = _timed(
            lambda k=k: vec(["002"], set(items_002[:k]), name=f"vec_{k}"), f"vectorized_{k}_items"
        )
    rows, out["vectorized_all_s"] = _timed(lambda: vec(None, name="vec_all"), "vectorized_all")
    out["rows_all"] = rows
    out["items_all"] = sum(
        1
        for rs in book.rulesets.values()
        for it in rs.items
        if it.validity.start and it.validity.start.year <= YEAR <= it.validity.end.year
    )
    want_all, t_all = _timed(lambda: scalar_rows(book, profiles[:500], YEAR))
    out["scalar_ms_per_profile_all"] = 1000 * t_all / min(500, len(profiles))
    # and for every document, on the first 500 of the sample (missing facts included)
    got_all = {
        (str(r[0]), *r[1:-1], tuple(r[-1]) if r[-1] is not None else None)
        for r in con.execute(
            f"SELECT * FROM read_parquet('{folder / 'vec_all.parquet'}') "
            "WHERE entity_id IN (SELECT unnest(?))",
            [sample[:500]],
        ).fetchall()
    }
    want_all = {(*r[:-1], tuple(r[-1]) if r[-1] is not None else None) for r in want_all}
    out["sample_all_rows"] = len(want_all)
    out["sample_all_mismatches"] = len(got_all ^ want_all)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    out["cpu_s"] = CPU
    out["load_after"] = round(os.getloadavg()[0], 2)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--only-vectorized", action="store_true")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child process: one size
    ap.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one is not None:
        (args.dir / "spill").mkdir(exist_ok=True)
        t = time.perf_counter()
        generate(args.one, args.dir)
        gen_s = time.perf_counter() - t
        res = measure(args.one, args.dir, args.only_vectorized)
        res["generate_s"] = gen_s
        print(json.dumps(res))
        return
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix="huiqi-bench-") as d:
            cmd = [sys.executable, __file__, "--one", str(n), "--dir", d]
            if args.only_vectorized:
                cmd.append("--only-vectorized")
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                sys.exit(done.returncode)
            print(done.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
