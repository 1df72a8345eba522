"""Several officials approving, and several payers paying, the same run at once on PostgreSQL:
one decision per line, every order paid once, the budget never overrun.

Skipped on SQLite, which admits one writer at a time, so there is no interleaving to test.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date

from sqlalchemy import func, select

from huiqi.redemption import decision, ledger, notice, orders
from huiqi.redemption.budget import get_budget
from huiqi.store.db import transaction
from huiqi.store.models import PaymentOrder
from huiqi.store.models_runs import Decision

from .conftest import needs_postgres
from .setup_registry import AFTER_WINDOW, MAKER, RUN_DAY, make_registry, start

THREADS = 6
WAN = 10_000 * 100


def _together(fn) -> Counter:  # type: ignore[no-untyped-def]
    outcomes: Counter = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def worker(n: int) -> None:
        barrier.wait()
        try:
            result = fn(n)
        except Exception as exc:  # a refusal is an outcome to count, not a failure of the thread
            result = type(exc).__name__
        with lock:
            outcomes[result] += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@needs_postgres
def test_concurrent_approvals_and_payments_of_one_run(engine, tmp_path):
    # 8 enterprises, budget 300万元 for 2023: fewer than the approved lines' total, so some are refused.
    make_registry(engine, tmp_path, n=8, budget_fen=300 * WAN)
    run_id = start(engine)
    with transaction(engine) as s:
        notice.publish(s, run_id, 5, MAKER, RUN_DAY)

    def approve(n: int) -> str:
        with transaction(engine) as s:
            made = decision.decide(s, run_id, f"复核{n}", True, "公示期满", AFTER_WINDOW)
        return f"decided {len(made)}"

    outcomes = _together(approve)
    with transaction(engine) as s:
        decisions = list(s.execute(select(Decision).where(Decision.run_id == run_id)).scalars())
    # the first official decides every line; the others, serialised by the row locks, find none open
    assert outcomes[f"decided {len(decisions)}"] == 1 and outcomes["decided 0"] == THREADS - 1
    assert len({d.line_id for d in decisions}) == len(decisions) > 2

    reports = []
    outcomes = _together(
        lambda n: reports.append(orders.pay(engine, run_id, f"财政{n}", date(2024, 3, 15))) or "ok"
    )
    assert outcomes["ok"] == THREADS
    with transaction(engine) as s:
        paid = list(s.execute(select(PaymentOrder).where(PaymentOrder.period == "2023")).scalars())
        line = get_budget(s, "002", 2023)
        assert line.spent_fen + line.reserved_fen <= line.amount_fen == 300 * WAN
        assert line.spent_fen == sum(o.amount_fen for o in paid if o.status == "posted")
        assert len({o.idempotency_key for o in paid}) == len(paid)
        assert (
            s.execute(select(func.count()).select_from(PaymentOrder)).scalar_one() == len(paid) + 1
        )  # + 2022
        assert ledger.check_invariants(s) == []
    assert sum(r.placed for r in reports) == len(paid)  # each order placed by exactly one payer
    assert sum(r.posted for r in reports) == len(paid)
