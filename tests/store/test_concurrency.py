"""Many concurrent approvals against one budget on PostgreSQL: no double payment, no overrun.

Skipped on SQLite, which admits one writer at a time (every transaction there starts with
BEGIN IMMEDIATE), so there is no concurrent interleaving to test.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from huiqi.redemption import budget, ledger
from huiqi.redemption.audit import verify
from huiqi.store.db import transaction
from huiqi.store.models import Budget, PaymentOrder

from .conftest import needs_postgres
from .ledger_fixtures import CAP_FEN, add_enterprises, request, set_line

THREADS = 8


@needs_postgres
@pytest.mark.parametrize("pause", [0.0, 0.02], ids=["no-pause", "race-window"])
def test_concurrent_approvals_never_pay_twice_nor_overrun(engine, monkeypatch, pause):
    # 30 enterprises each due 500万 under 002 四, but the line holds only 10 such awards.
    # Every thread tries every enterprise under two different keys (a shared key, replayed by every
    # thread, and a key of its own for the same item and period — a second payment in disguise).
    # "race-window" sleeps between the code's own checks and its INSERT, so that threads pass the
    # checks together and only the database's constraints and row locks can stop them.
    if pause:
        real_active_ban = ledger.active_ban

        def slow_active_ban(*args, **kwargs):
            found = real_active_ban(*args, **kwargs)
            time.sleep(pause)
            return found

        monkeypatch.setattr(ledger, "active_ban", slow_active_ban)
    ids = add_enterprises(engine, 30)
    set_line(engine, amount_fen=10 * CAP_FEN)
    outcomes: Counter = Counter()
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        attempts = [attempt for i in ids for attempt in ((f"k-{i}", i), (f"k-{i}-t{seed}", i))]
        if seed % 2:  # half the threads go in step through the same list (most collisions), half shuffled
            rng.shuffle(attempts)
        start.wait()
        for key, beneficiary in attempts:
            try:
                with transaction(engine) as s:
                    _, created = ledger.place_order(s, request(key, beneficiary), f"official{seed}")
                # Another thread replaying the same key may post the order first: that is fine, and
                # then this post is a no-op. Exactly one post per order must return True.
                with transaction(engine) as s:
                    posted = ledger.post_order(s, key, f"checker{seed}", date(2023, 11, 2))
                found = ["placed"] * created + ["posted"] * posted + ["replayed"] * (not created)
            except ledger.AlreadyPaid:
                found = ["already paid"]
            except budget.BudgetExceeded:
                found = ["budget exhausted"]
            with lock:
                outcomes.update(found)

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert outcomes["placed"] == 10 and outcomes["posted"] == 10
    refused = outcomes["already paid"] + outcomes["budget exhausted"]
    assert outcomes["placed"] + outcomes["replayed"] + refused == THREADS * 60
    assert outcomes["budget exhausted"] > 0 and outcomes["already paid"] > 0
    with transaction(engine) as s:
        b = s.execute(select(Budget)).scalar_one()
        assert (b.reserved_fen, b.spent_fen) == (0, 10 * CAP_FEN)
        per_beneficiary = s.execute(
            select(PaymentOrder.beneficiary_id, func.count()).group_by(PaymentOrder.beneficiary_id)
        ).all()
        assert len(per_beneficiary) == 10 and all(count == 1 for _, count in per_beneficiary)
        assert ledger.check_invariants(s) == []
        v = verify(s)
        assert v.ok and v.entries == 1 + 2 * 10  # budget.set + place/post of each paid order
