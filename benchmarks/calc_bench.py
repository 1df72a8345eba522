"""Time per profile of the single-entity engine: 002's items alone, then every document.

    .venv/bin/python benchmarks/calc_bench.py [--profiles 2000] [--seed 1] [--block 100]

Reports CPU time per profile (median and p99) for: the explained path (full trace) and the bulk
path (``explain=False``, no trace), both on 002 only and on all documents in one run, with the
ratio of their medians, and the explained path with near-misses on 002. The two paths run on the
same profiles in alternating blocks (``--block 1``: profile by profile). Profiles are generated
deterministically from the seed and vary every fact and event the rules of 002 read, so most of
002's items do real work; the other documents' facts are absent, so their items are mostly
undetermined (待定) — also real work. The bulk path keeps what it learns per combination of facts
present (docs/rules.md §10); the warm-up sees only the first profiles, so the first profile of
every other combination pays for that inside the timed run.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time

from huiqi.engine.evaluate import calculate
from huiqi.engine.profile import Profile, parse_profile
from huiqi.rules.loader import load_rules

TITLES = ["单项冠军", "专精特新小巨人", "隐形冠军", "专精特新中小企业"]
BLOCK = 100  # profiles per block when the paths alternate


def make_profile(rng: random.Random, i: int) -> Profile:
    def money(p: float, hi: int) -> int | None:
        return rng.randrange(hi) if rng.random() < p else None

    years = {
        "2023": {
            "is_fiscal_revenue_in_district": rng.random() < 0.9,
            "is_innovation_org_member": rng.random() < 0.6,
            "is_chain_leader": rng.random() < 0.2,
            "local_order_increment_fen": money(0.5, 3 * 10**10),
            "public_compute_fee_fen": money(0.5, 10**9),
            "tech_service_contract_fen": money(0.5, 5 * 10**8),
            "tech_transfer_spend_fen": money(0.5, 10**9),
            "rd_expense_fen": money(0.8, 10**10),
            "vc_investment_received_fen": money(0.3, 10**10),
            "innovation_org_id": f"ORG-{rng.randrange(50)}",
        }
    }
    events = []
    for _ in range(rng.randrange(6)):
        day = f"{rng.choice([2022, 2023])}-{rng.randrange(1, 13):02d}-15"
        kind = rng.randrange(5)
        if kind == 0:
            events.append(
                {
                    "type": "enterprise_title",
                    "date": day,
                    "title": rng.choice(TITLES),
                    "level": rng.choice(["国家", "省"]),
                }
            )
        elif kind == 1:
            events.append(
                {
                    "type": "science_award",
                    "date": day,
                    "award": "科技进步奖",
                    "level": rng.choice(["国家", "省"]),
                    "grade": rng.choice(["一等", "二等", "三等"]),
                    "unit_rank": rng.randrange(1, 8),
                    "subject": f"A{rng.randrange(3)}",
                }
            )
        elif kind == 2:
            events.append(
                {
                    "type": "standard_published",
                    "date": day,
                    "scope": rng.choice(["国际标准", "国家标准", "行业标准"]),
                    "role": rng.choice(["主导", "参与"]),
                    "drafter_rank": rng.randrange(1, 6),
                    "subject": f"S{rng.randrange(4)}",
                }
            )
        elif kind == 3:
            events.append(
                {
                    "type": "innovation_org_recognized",
                    "date": day,
                    "org_type": rng.choice(["企业创新联合体", "工程研究中心", "产业联盟"]),
                    "level": rng.choice(["国家", "省", "市"]),
                    "role": rng.choice(["牵头", "参与"]),
                    "subject": f"O{rng.randrange(3)}",
                }
            )
        else:
            events.append(
                {
                    "type": "breakthrough_project_accepted",
                    "date": day,
                    "rd_investment_fen": rng.randrange(10**10),
                }
            )
    payments = []
    if rng.random() < 0.3:
        payments.append(
            {"item": "002/六/专精特新", "year": 2022, "amount_fen": 20_000_000, "subject": "ladder:专精特新"}
        )
    data = {"kind": "enterprise", "id": f"E{i}", "years": years, "events": events, "payments": payments}
    data["years"]["2023"] = {k: v for k, v in years["2023"].items() if v is not None}
    return parse_profile(data)


def timeit(fns, profiles, block: int = BLOCK) -> list[list[float]]:
    """CPU µs per profile for each function, in alternating blocks of ``block`` profiles (the first
    function on a block, then the next on the same block, …) so that a machine shared with other
    work slows every path alike: the ratio between paths is the robust number. A block is how bulk
    use runs (many profiles in a row); ``block=1`` interleaves profile by profile instead, where
    each path runs with the caches the other one left behind."""
    out: list[list[float]] = [[] for _ in fns]
    for i in range(0, len(profiles), block):
        chunk = profiles[i : i + block]
        for k, fn in enumerate(fns):
            times = out[k]
            for p in chunk:
                t0 = time.thread_time_ns()
                fn(p)
                times.append((time.thread_time_ns() - t0) / 1e3)
    return out


def report(name: str, us: list[float]) -> float:
    us = sorted(us)
    med = statistics.median(us)
    p99 = us[min(len(us) - 1, int(len(us) * 0.99))]
    print(f"{name:<45} median {med:9.1f} µs   p99 {p99:9.1f} µs")
    return med


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--profiles", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--block",
        type=int,
        default=BLOCK,
        help=f"profiles per block of each path (default {BLOCK}); 1 interleaves profile by profile",
    )
    args = ap.parse_args()
    book = load_rules()
    rng = random.Random(args.seed)
    profiles = [make_profile(rng, i) for i in range(args.profiles)]
    n_items = sum(len(rs.items) for rs in book.rulesets.values())
    load = os.getloadavg()[0]
    print(
        f"{args.profiles} profiles, {n_items} items, year 2023, "
        f"{os.cpu_count()} cores, load average {load:.1f}, "
        + ("interleaved profile by profile" if args.block == 1 else f"alternating blocks of {args.block}")
    )
    for scope, docs in (("002", ["002"]), ("all documents", None)):
        for p in profiles[:50]:  # warm-up: compiles the bulk plans, fills the caches
            calculate(book, p, 2023, near_misses=False, documents=docs)
            calculate(book, p, 2023, explain=False, near_misses=False, documents=docs)
        explained, bulk_us = timeit(
            [
                lambda p, d=docs: calculate(book, p, 2023, near_misses=False, documents=d),
                lambda p, d=docs: calculate(book, p, 2023, explain=False, near_misses=False, documents=d),
            ],
            profiles,
            args.block,
        )
        full = report(f"{scope}: explained (full trace)", explained)
        bulk = report(f"{scope}: bulk (no trace)", bulk_us)
        print(f"{scope}: bulk is {full / bulk:.1f}× faster than explained")
    sample = profiles[: max(1, len(profiles) // 10)]
    (with_nm,) = timeit([lambda p: calculate(book, p, 2023, documents=["002"])], sample)
    report("002: explained + near-misses", with_nm)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
