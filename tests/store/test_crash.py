"""Crash tests: a payment batch killed with SIGKILL at many points, then re-run.

After every kill the ledger must be consistent (postings add up to each budget's use, every order's
status matches its postings), and after the final re-run every order is paid exactly once.
Runs on SQLite and, with HUIQI_TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import csv
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from huiqi.redemption import ledger
from huiqi.redemption.audit import verify
from huiqi.store.db import transaction
from huiqi.store.models import Budget, PaymentOrder, Posting

from .conftest import credit_code, quote
from .ledger_fixtures import BUDGET_FEN, ITEM, ITEM_CITATION, add_enterprises, set_line

SHARE = quote("003", "市与萧山区、余杭区、临安区、桐庐县、建德市、淳安县的承担比例为 1:3")
COLUMNS = ["key", "beneficiary", "item", "period", "budget_line", "budget_year", "amount_fen", "citation",
           "ordered_on", "city_share", "district_share", "share_citation"]  # fmt: skip


def write_batch(path: Path, n: int) -> tuple[Path, int]:
    """``n`` orders to ``n`` enterprises, amounts 100万元 + i fen; every third one split 1:3."""
    total = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        w = csv.writer(out)
        w.writerow(COLUMNS)
        for i in range(1, n + 1):
            amount = 100_000_000 + i
            total += amount
            share = ["1", "3", SHARE] if i % 3 == 0 else ["", "", ""]
            key = f"2023-{ITEM}-{i}"
            fields = [credit_code(i), ITEM, "2023", "002", "2023", amount, ITEM_CITATION, "2023-11-01"]
            w.writerow([key, *fields, *share])
    return path, total


def run_batch(db_url: str, batch: Path, crash_at: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "HUIQI_DATABASE_URL": db_url}
    env.pop("HUIQI_CRASH_AT", None)
    if crash_at:
        env["HUIQI_CRASH_AT"] = crash_at
    return subprocess.run(
        [sys.executable, "-m", "huiqi.redemption.batch", str(batch)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def statuses(engine) -> Counter:
    with transaction(engine) as s:
        return Counter(s.execute(select(PaymentOrder.status)).scalars())


def order_count(engine) -> int:
    with transaction(engine) as s:
        return s.execute(select(func.count()).select_from(PaymentOrder)).scalar_one()


def assert_consistent(engine) -> None:
    with transaction(engine) as s:
        assert ledger.check_invariants(s) == []
        assert verify(s).ok


def assert_all_paid_once(engine, n: int, total: int) -> None:
    assert_consistent(engine)
    with transaction(engine) as s:
        b = s.execute(select(Budget)).scalar_one()
        assert (b.amount_fen, b.reserved_fen, b.spent_fen) == (BUDGET_FEN, 0, total)
        posts = s.execute(select(func.sum(Posting.amount_fen)).where(Posting.entry == "post")).scalar_one()
        assert posts == total
        rows = s.execute(select(PaymentOrder.beneficiary_id, PaymentOrder.status)).all()
    assert len(rows) == n and len({r.beneficiary_id for r in rows}) == n
    assert {r.status for r in rows} == {"posted"}


@pytest.fixture
def ready(engine, tmp_path):
    n = 12
    add_enterprises(engine, n)
    set_line(engine)
    batch, total = write_batch(tmp_path / "batch.csv", n)
    return engine, batch, n, total


def test_killed_at_every_kind_of_point_then_rerun(ready, db_url):
    engine, batch, n, total = ready
    # Each run dies at a point further into the batch; the state after each kill is what a re-run
    # starts from. (point:k = die the k-th time the point is passed in that run.)
    plan = [
        ("batch.before_place_commit:1", {}),  # nothing committed yet
        ("order.placed:2", {"posted": 1}),  # inside order 2's transaction, before commit
        ("batch.between_place_and_post:4", {"posted": 3, "reserved": 1}),
        ("batch.before_post_commit:6", {"posted": 5, "reserved": 1}),
        ("order.posted:2", {"posted": 6, "reserved": 1}),  # the 2nd posting of this run, uncommitted
        ("batch.after_post_commit:9", {"posted": 9}),
    ]
    for crash_at, expected in plan:
        done = run_batch(db_url, batch, crash_at)
        assert done.returncode == -signal.SIGKILL, (crash_at, done.stdout, done.stderr)
        assert statuses(engine) == Counter(expected), crash_at
        assert_consistent(engine)
    final = run_batch(db_url, batch)
    assert final.returncode == 0, final.stderr
    assert "placed 3 (already 9), posted 3 (already 9)" in final.stdout
    assert_all_paid_once(engine, n, total)
    again = run_batch(db_url, batch)  # a second complete run is a no-op
    assert "placed 0 (already 12), posted 0 (already 12)" in again.stdout
    assert_all_paid_once(engine, n, total)


def test_killed_from_outside_at_random_moments_then_rerun(ready, db_url):
    engine, batch, n, total = ready
    rng = random.Random(20231101)
    env = {**os.environ, "HUIQI_DATABASE_URL": db_url}
    env.pop("HUIQI_CRASH_AT", None)
    kills = 0
    # Each round dies at a random point of its progress (after k more orders exist), not after a fixed
    # delay: on a quiet machine a whole batch can finish before any delay chosen in advance runs out.
    for _ in range(8):
        before = order_count(engine)
        if before >= n - 1:
            break
        target = before + rng.randint(1, n - 1 - before)
        proc = subprocess.Popen(
            [sys.executable, "-m", "huiqi.redemption.batch", str(batch)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while proc.poll() is None and order_count(engine) < target and time.monotonic() < deadline:
            time.sleep(0.002)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=120)
        assert_consistent(engine)
    final = run_batch(db_url, batch)
    assert final.returncode == 0, final.stderr
    assert_all_paid_once(engine, n, total)
    assert kills >= 1  # at least one run really was killed mid-way


def test_two_processes_paying_the_same_batch_at_once(ready, db_url):
    # Two officials start the same payment run at the same moment (on SQLite the writers queue on the
    # database lock; on PostgreSQL they interleave on row locks): every order is still paid once.
    engine, batch, n, total = ready
    env = {**os.environ, "HUIQI_DATABASE_URL": db_url}
    env.pop("HUIQI_CRASH_AT", None)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "huiqi.redemption.batch", str(batch)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    placed = sum(int(out.split("placed ")[1].split(" ")[0]) for out, _ in outputs)
    posted = sum(int(out.split("posted ")[1].split(" ")[0]) for out, _ in outputs)
    assert (placed, posted) == (n, n)  # between them, each order was placed once and paid once
    assert_all_paid_once(engine, n, total)
