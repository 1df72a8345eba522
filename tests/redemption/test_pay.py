"""Payment orders from an approved run: idempotent, budget-checked, split city:district, never twice."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pytest
from sqlalchemy import select

from huiqi.redemption import ledger, orders
from huiqi.redemption.audit import verify
from huiqi.redemption.budget import get_budget
from huiqi.redemption.sharing import CostShare
from huiqi.store.db import transaction
from huiqi.store.models import PaymentOrder

from .conftest import quote
from .setup_registry import A, C, lines, make_registry, published_and_approved, start

WAN = 10_000 * 100
PAY_DAY = date(2024, 3, 15)
# A 1:1 city:district share as several 003 documents set it for 滨江区 (002 itself sets none: the
# share is an explicit input of ``pay``, the rule files do not carry sharing yet).
SHARE = quote("003", "市与上城区、下城区、江干区、拱墅区、西湖区、滨江区、富阳区、钱塘新区的承担比例为 1:1")


def live_orders(engine, year: str = "2023") -> dict[str, PaymentOrder]:
    with transaction(engine) as s:
        rows = s.execute(select(PaymentOrder).where(PaymentOrder.period == year)).scalars()
        return {o.idempotency_key: o for o in rows}


def test_approved_lines_become_orders_once_and_feed_the_next_run(engine, tmp_path):
    make_registry(engine, tmp_path)
    run_id = start(engine)
    published_and_approved(engine, run_id)
    got = lines(engine, run_id)
    first, union = got[(A, "002/六/专精特新")].line_no, got[(C, "002/三/联合体共同体")].line_no

    report = orders.pay(engine, run_id, "财政局", PAY_DAY, share=CostShare(1, 1, SHARE))
    assert (report.placed, report.posted, report.refused) == (2, 2, [])
    paid = live_orders(engine)
    assert set(paid) == {f"run:{run_id}:line:{first}", f"run:{run_id}:line:{union}"}
    a = paid[f"run:{run_id}:line:{first}"]
    assert (a.amount_fen, a.status, a.item, a.item_group, a.budget_id) == (
        80 * WAN, "posted", "002/六/专精特新", "ladder:专精特新", a.budget_id,
    )  # fmt: skip
    assert (a.city_share_fen, a.district_share_fen) == (40 * WAN, 40 * WAN) and SHARE in a.share_citation
    with transaction(engine) as s:
        line = get_budget(s, "002", 2023)
        assert (line.spent_fen, line.reserved_fen) == (130 * WAN, 0)

    again = orders.pay(engine, run_id, "财政局", PAY_DAY, share=CostShare(1, 1, SHARE))
    assert (again.placed, again.posted, again.already_placed, again.already_posted) == (0, 0, 2, 2)

    # The next run reads the ledger: the ladder is paid up to 100万元, the union award is paid.
    rerun = lines(engine, start(engine))
    assert (A, "002/六/专精特新") not in rerun and (C, "002/三/联合体共同体") not in rerun
    with transaction(engine) as s:
        assert verify(s).ok and ledger.check_invariants(s) == []


def test_two_runs_approving_the_same_award_pay_it_once(engine, tmp_path):
    make_registry(engine, tmp_path)
    first, second = start(engine), start(engine, "002/六/专精特新")
    published_and_approved(engine, first)
    published_and_approved(engine, second)
    assert orders.pay(engine, first, "财政局", PAY_DAY).posted == 2
    report = orders.pay(engine, second, "财政局", PAY_DAY)
    assert report.posted == 0 and len(report.refused) == 1
    assert "at most once per item and period" in report.refused[0]
    assert sum(o.amount_fen for o in live_orders(engine).values()) == 130 * WAN


def test_the_budget_is_never_overrun(engine, tmp_path):
    make_registry(engine, tmp_path, budget_fen=100 * WAN)  # 100万元 for 2023: 80万 fits, then 50万 does not
    run_id = start(engine)
    published_and_approved(engine, run_id)
    report = orders.pay(engine, run_id, "财政局", PAY_DAY)
    assert report.posted == 1 and len(report.refused) == 1 and "budget" in report.refused[0].lower()
    with transaction(engine) as s:
        line = get_budget(s, "002", 2023)
        assert line.spent_fen + line.reserved_fen <= line.amount_fen
        assert ledger.check_invariants(s) == []


def test_an_unapproved_run_pays_nothing(engine, tmp_path):
    make_registry(engine, tmp_path)
    run_id = start(engine)
    with pytest.raises(orders.RunError, match="no approved line"):
        orders.pay(engine, run_id, "财政局", PAY_DAY)


CRASH_POINTS = ["order.placed:1", "pay.between_place_and_post:1", "order.posted:2", "order.placed:2"]


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_pay_killed_with_sigkill_then_rerun_pays_everything_exactly_once(engine, db_url, tmp_path, point):
    make_registry(engine, tmp_path)
    run_id = start(engine)
    published_and_approved(engine, run_id)
    cmd = [sys.executable, "-c", "from huiqi.cli import main; main()", "pay", str(run_id), "--by", "财政局",
           "--on", PAY_DAY.isoformat()]  # fmt: skip
    env = {**os.environ, "HUIQI_DATABASE_URL": db_url, "HUIQI_CRASH_AT": point}
    killed = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert killed.returncode == -9, killed.stderr  # SIGKILL, like a power cut
    with transaction(engine) as s:
        assert ledger.check_invariants(s) == []
        assert verify(s).ok
    env.pop("HUIQI_CRASH_AT")
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    paid = live_orders(engine)
    assert sorted(o.amount_fen for o in paid.values()) == [50 * WAN, 80 * WAN]
    assert all(o.status == "posted" for o in paid.values())
    with transaction(engine) as s:
        assert get_budget(s, "002", 2023).spent_fen == 130 * WAN
        assert ledger.check_invariants(s) == [] and verify(s).ok
