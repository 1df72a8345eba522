"""Two officials redeeming one voucher at the same moment, and two issuing one application: one wins.

Each thread has its own connection and transaction. On PostgreSQL the voucher's row lock (``SELECT …
FOR UPDATE``) makes the second wait and then find the redemption made; on SQLite ``BEGIN IMMEDIATE``
serialises the two. Either way there is one redemption, one payment, and the audit chain holds.
"""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import func, select

from huiqi.redemption.audit import verify
from huiqi.store.db import transaction
from huiqi.store.models import AuditEntry
from huiqi.store.models_vouchers import Voucher, VoucherCap, VoucherRedemption
from huiqi.vouchers import contract, issue, providers, quota, redeem

from .registry import WAN, add

THREADS = 2


def _together(fn) -> list:
    results: list = []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def worker(n: int) -> None:
        barrier.wait()
        try:
            result = fn(n)
        except Exception as exc:  # a refusal is an outcome to count, not a failure of the thread
            result = type(exc).__name__
        with lock:
            results.append(result)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _setup(engine) -> tuple[str, str, int]:
    with transaction(engine) as s:
        holder = add(s, "enterprise", 1, "杭州甲科技有限公司", years=range(2024, 2025))
        carrier = add(s, "carrier", 1, "某市级创新载体")
        providers.register(
            s, "enterprise", carrier, "市科委公布的市级创新载体名单", "市科委", date(2024, 1, 10)
        )
        app = quota.apply(
            s, "enterprise", holder, 2024, "q1", "申请人", date(2024, 3, 1), amount_fen=20 * WAN
        )
    return holder, carrier, app.id


def test_two_redemptions_of_one_voucher_at_once(engine):
    holder, carrier, app_id = _setup(engine)
    with transaction(engine) as s:
        voucher = issue.issue(s, app_id, "滨江区科技局", date(2024, 3, 5))
        contract.use(
            s, voucher.id, holder, carrier, "2024-1", "申请人", date(2024, 4, 2), contract_fen=40 * WAN,
            signed_on=date(2024, 4, 1),
        )  # fmt: skip

    def redeem_it(n: int) -> int:
        with transaction(engine) as s:
            return redeem.redeem(s, voucher.id, f"经办{n}", date(2024, 5, 1)).id

    outcomes = _together(redeem_it)
    with transaction(engine) as s:
        rows = list(s.execute(select(VoucherRedemption)).scalars())
        # one redemption; the second official got that same one back (a retry), or a refusal
        assert len(rows) == 1 and rows[0].amount_fen == 12 * WAN
        assert outcomes.count(rows[0].id) >= 1 and all(o in (rows[0].id, "VoucherError") for o in outcomes)
        redeemed = s.execute(select(func.count()).where(AuditEntry.action == "voucher.redeem")).scalar_one()
        assert redeemed == 1 and verify(s).ok
        # the 50万元 yearly cap of 002 五 was charged once
        cap = s.execute(select(VoucherCap).where(VoucherCap.cap == "002/五/创新券")).scalar_one()
        assert cap.used_value == 12 * WAN


def test_two_issues_of_one_application_at_once(engine):
    _, _, app_id = _setup(engine)

    def issue_it(n: int) -> int:
        with transaction(engine) as s:
            return issue.issue(s, app_id, f"经办{n}", date(2024, 3, 5)).id

    outcomes = _together(issue_it)
    with transaction(engine) as s:
        vouchers = list(s.execute(select(Voucher)).scalars())
        quota_row = s.execute(select(VoucherCap).where(VoucherCap.cap == "quota")).scalar_one()
        assert len(vouchers) == 1 and quota_row.used_value == 20 * WAN  # charged once
        assert vouchers[0].id in outcomes and verify(s).ok
