"""Random sequences of ledger operations against a tiny in-memory model of what should happen.

After every operation the database must agree with the model (what is reserved, spent, recovered)
and every invariant must hold — including after operations the rules refuse.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import pytest

from huiqi.redemption import budget, ledger
from huiqi.redemption.clawback import ClawbackError, claw_back
from huiqi.store.db import transaction

from .ledger_fixtures import add_enterprises, request, set_line

LIMIT = 1_000_000  # a small line, so that it runs out


@pytest.mark.parametrize("seed", [1, 2])
def test_random_operations_agree_with_the_model(engine, seed):
    rng = random.Random(seed)
    ids = add_enterprises(engine, 4)
    set_line(engine, amount_fen=LIMIT)
    orders: dict[str, dict] = {}  # key → {who, item, amount, status}
    recovered = 0
    seen: Counter = Counter()  # which outcomes the sequence exercised

    def live(who: int, item: str) -> bool:
        return any(
            o["who"] == who and o["item"] == item and o["status"] != "cancelled" for o in orders.values()
        )

    for step in range(50):
        op = rng.choice(["place", "place", "replay", "post", "cancel", "clawback"])
        try:
            with transaction(engine) as s:
                if op == "place":
                    key, who, item = f"k{step}", rng.choice(ids), rng.choice(["A", "B"])
                    amount = rng.randint(1, 600_000)
                    in_use = sum(o["amount"] for o in orders.values() if o["status"] != "cancelled")
                    expect = "ok"
                    if live(who, item):
                        expect = "already"
                    elif in_use + amount > LIMIT:
                        expect = "budget"
                    try:
                        ledger.place_order(s, request(key, who, amount, item=item), "maker")
                        assert expect == "ok", (step, expect)
                        orders[key] = {"who": who, "item": item, "amount": amount, "status": "reserved"}
                        seen["placed"] += 1
                    except ledger.AlreadyPaid:
                        assert expect == "already", step
                        seen["already paid"] += 1
                        raise
                    except budget.BudgetExceeded:
                        assert expect == "budget", step
                        seen["budget exhausted"] += 1
                        raise
                elif op == "replay" and orders:
                    key = rng.choice(list(orders))
                    o = orders[key]
                    _, created = ledger.place_order(
                        s, request(key, o["who"], o["amount"], item=o["item"]), "maker"
                    )
                    assert not created
                elif op == "post" and orders:
                    key = rng.choice(list(orders))
                    if orders[key]["status"] == "cancelled":
                        with pytest.raises(ledger.LedgerError):
                            ledger.post_order(s, key, "checker", date(2023, 11, 2))
                    else:
                        moved = ledger.post_order(s, key, "checker", date(2023, 11, 2))
                        assert moved == (orders[key]["status"] == "reserved")
                        orders[key]["status"] = "posted"
                        seen["posted"] += moved
                elif op == "cancel" and orders:
                    key = rng.choice(list(orders))
                    if orders[key]["status"] == "posted":
                        with pytest.raises(ledger.LedgerError):
                            ledger.cancel_order(s, key, "主动放弃", "maker")
                    else:
                        ledger.cancel_order(s, key, "主动放弃", "maker")
                        orders[key]["status"] = "cancelled"
                        seen["cancelled"] += 1
                elif op == "clawback" and orders:
                    key = rng.choice(list(orders))
                    o = orders[key]
                    if o["status"] == "posted" and "recovered" not in o:
                        claw_back(s, key, o["amount"], "虚报", date(2023, 12, 1), "auditor")
                        o["recovered"] = True
                        recovered += o["amount"]
                        seen["clawed back"] += 1
                    else:
                        with pytest.raises(ClawbackError):
                            claw_back(s, key, o["amount"] + 1, "虚报", date(2023, 12, 1), "auditor")
        except (ledger.AlreadyPaid, budget.BudgetExceeded):
            pass  # refused: the transaction rolled back, the model did not change

        with transaction(engine) as s:
            line = budget.get_budget(s, "002", 2023)
            s.refresh(line)
            reserved = sum(o["amount"] for o in orders.values() if o["status"] == "reserved")
            spent = sum(o["amount"] for o in orders.values() if o["status"] == "posted")
            assert (line.reserved_fen, line.spent_fen) == (reserved, spent), step
            assert ledger.check_invariants(s) == [], step
            total = sum(ledger.paid_so_far(s, who).committed_fen for who in ids)
            assert total == reserved + spent - recovered, step
    assert all(
        seen[k] > 0 for k in ("placed", "already paid", "budget exhausted", "posted", "clawed back")
    ), seen
