"""Payment orders and the ledger: idempotent, paid at most once, never over budget, clawback and ban."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import IntegrityError

from huiqi.redemption import budget, ledger
from huiqi.redemption.audit import verify
from huiqi.redemption.clawback import ClawbackError, add_years, claw_back
from huiqi.redemption.sharing import CostShare
from huiqi.store.db import transaction
from huiqi.store.models import Budget, PaymentOrder

from .conftest import quote
from .ledger_fixtures import BUDGET_FEN, CAP_FEN, ITEM, add_enterprises, request, set_line

BAN_5Y = quote("003", "5年内取消申请科技资金补助的资格")
SHARE_1_1 = quote(
    "003", "市与上城区、下城区、江干区、拱墅区、西湖区、滨江区、富阳区、钱塘新区的承担比例为 1:1"
)


def pay(engine, req, on=date(2023, 11, 2)):
    with transaction(engine) as s:
        order, created = ledger.place_order(s, req, "maker")
    with transaction(engine) as s:
        posted = ledger.post_order(s, req.key, "checker", on)
    return order, created, posted


def line_state(engine, line="002", year=2023):
    with transaction(engine) as s:
        b = budget.get_budget(s, line, year)
        return b.amount_fen, b.reserved_fen, b.spent_fen


def test_an_award_at_its_cap_is_reserved_then_paid(engine):
    (a,) = add_enterprises(engine, 1)
    set_line(engine)
    with transaction(engine) as s:
        order, created = ledger.place_order(s, request("2023-002四-A", a), "maker")
    assert created and order.status == "reserved"
    assert line_state(engine) == (BUDGET_FEN, CAP_FEN, 0)
    with transaction(engine) as s:
        assert ledger.post_order(s, "2023-002四-A", "checker", date(2023, 11, 2))
    assert line_state(engine) == (BUDGET_FEN, 0, CAP_FEN)  # 3亿 budget, 500万 spent
    with transaction(engine) as s:
        assert ledger.paid_so_far(s, a, item=ITEM) == ledger.PaidSoFar(CAP_FEN, 0, 0)
        assert ledger.check_invariants(s) == []
        assert verify(s).entries == 3  # budget.set, order.place, order.post


def test_replaying_the_same_key_is_a_no_op(engine):
    (a,) = add_enterprises(engine, 1)
    set_line(engine)
    pay(engine, request("k", a))
    _, created, posted = pay(engine, request("k", a))
    assert (created, posted) == (False, False)
    assert line_state(engine) == (BUDGET_FEN, 0, CAP_FEN)


def test_a_key_names_one_order_forever(engine):
    a, b = add_enterprises(engine, 2)
    set_line(engine)
    pay(engine, request("k", a))
    with pytest.raises(ledger.IdempotencyConflict), transaction(engine) as s:
        ledger.place_order(s, request("k", b), "maker")
    with pytest.raises(ledger.IdempotencyConflict), transaction(engine) as s:
        ledger.place_order(s, request("k", a, amount_fen=CAP_FEN - 1), "maker")


def test_the_same_item_and_period_is_paid_once_whatever_the_key(engine):
    (a,) = add_enterprises(engine, 1)
    set_line(engine)
    pay(engine, request("first", a))
    with pytest.raises(ledger.AlreadyPaid, match="at most once"), transaction(engine) as s:
        ledger.place_order(s, request("second", a), "maker")
    pay(engine, request("next-year", a, period="2024"))  # another period is another payment
    assert line_state(engine) == (BUDGET_FEN, 0, 2 * CAP_FEN)


def test_the_database_itself_refuses_a_second_payment(engine):
    # Bypass the code: a raw INSERT of a second live order for the same (beneficiary, item, period).
    (a,) = add_enterprises(engine, 1)
    set_line(engine)
    order, _, _ = pay(engine, request("first", a))
    row = {
        c.name: getattr(order, c.key)
        for c in PaymentOrder.__table__.columns
        if c.name not in ("id", "idempotency_key")
    }
    with pytest.raises(IntegrityError), transaction(engine) as s:
        s.execute(insert(PaymentOrder).values(**row, idempotency_key="sneaky"))


def test_no_order_takes_the_budget_below_zero(engine):
    a, b, c = add_enterprises(engine, 3)
    set_line(engine, amount_fen=2 * CAP_FEN + 99)
    pay(engine, request("a", a))
    pay(engine, request("b", b))
    with pytest.raises(budget.BudgetExceeded, match="99 fen available"), transaction(engine) as s:
        ledger.place_order(s, request("c", c), "maker")
    with transaction(engine) as s:
        assert s.execute(select(PaymentOrder).where(PaymentOrder.idempotency_key == "c")).first() is None
        assert ledger.check_invariants(s) == []
    assert line_state(engine) == (2 * CAP_FEN + 99, 0, 2 * CAP_FEN)


def test_the_database_itself_refuses_an_overrun(engine):
    set_line(engine, amount_fen=100)
    with pytest.raises(IntegrityError), transaction(engine) as s:
        s.execute(update(Budget).values(spent_fen=101))


def test_a_budget_cannot_be_lowered_below_its_use(engine):
    (a,) = add_enterprises(engine, 1)
    set_line(engine)
    pay(engine, request("a", a))
    with pytest.raises(budget.BudgetError, match="already reserved or spent"), transaction(engine) as s:
        budget.set_budget(s, "002", 2023, CAP_FEN - 1, "decision", "finance")


def test_cancelling_a_reserved_order_releases_its_money_and_frees_the_item(engine):
    (a,) = add_enterprises(engine, 1)
    set_line(engine)
    with transaction(engine) as s:
        ledger.place_order(s, request("a", a), "maker")
    with transaction(engine) as s:
        assert ledger.cancel_order(s, "a", "主动放弃", "maker")
    assert line_state(engine) == (BUDGET_FEN, 0, 0)
    pay(engine, request("a-again", a))  # a cancelled order does not count as paid
    with pytest.raises(ledger.LedgerError, match="clawback"), transaction(engine) as s:
        ledger.cancel_order(s, "a-again", "late", "maker")
    with transaction(engine) as s:
        assert ledger.check_invariants(s) == []


def test_city_district_shares_are_recorded_and_add_up(engine):
    (a,) = add_enterprises(engine, 1)
    set_line(engine)
    order, _, _ = pay(engine, request("a", a, amount_fen=1_000_001, share=CostShare(1, 1, SHARE_1_1)))
    # the city's half, 500,000.5 fen, rounds half up (huiqi.money.round_fen); the district pays the rest
    assert (order.city_share_fen, order.district_share_fen) == (500_001, 500_000)
    assert order.share_citation.startswith("1:1 市与上城区")


def test_paid_so_far_by_group_feeds_the_upgrade_difference(engine):
    # 晋升补差: a 省级 award paid at 100万 in 2022, promoted to 国家级 (cap 500万) in 2023: the
    # engine pays 500万 − what the group already holds.
    (a,) = add_enterprises(engine, 1)
    set_line(engine, line="002", year=2022)
    set_line(engine)
    pay(
        engine,
        request(
            "prov", a, 100_000_000, item="002/九/省", item_group="002/九", period="2022", budget_year=2022
        ),
    )
    with transaction(engine) as s:
        held = ledger.paid_so_far(s, a, item_group="002/九").committed_fen
    assert held == 100_000_000
    pay(engine, request("nat", a, CAP_FEN - held, item="002/九/国家", item_group="002/九"))
    with transaction(engine) as s:
        assert ledger.paid_so_far(s, a, item_group="002/九").committed_fen == CAP_FEN


def test_clawback_and_a_five_year_ban_across_all_policies(engine):
    a, b = add_enterprises(engine, 2)
    set_line(engine)
    set_line(engine, line="001", year=2024)
    pay(engine, request("a", a))
    with transaction(engine) as s:
        _claw, barred, created = claw_back(
            s, "a", CAP_FEN, "研发投入虚报", date(2024, 3, 15), "auditor", ban_years=5, ban_citation=BAN_5Y
        )
    assert created and barred.end == date(2029, 3, 15)
    with transaction(engine) as s:
        assert ledger.paid_so_far(s, a, item=ITEM) == ledger.PaidSoFar(CAP_FEN, 0, CAP_FEN)
        assert ledger.paid_so_far(s, a, item=ITEM).committed_fen == 0
    # Another policy (001), another item: still barred on the ban's last day …
    other = request(
        "a-001", a, 1_000, item="001/x", budget_line="001", budget_year=2024, ordered_on=date(2029, 3, 14)
    )
    with pytest.raises(ledger.Banned, match="5年内取消申请"), transaction(engine) as s:
        ledger.place_order(s, other, "maker")
    # … and free the day after; the other enterprise never was barred.
    pay(
        engine,
        request(
            "a-001", a, 1_000, item="001/x", budget_line="001", budget_year=2024, ordered_on=date(2029, 3, 15)
        ),
    )
    pay(engine, request("b-001", b, 1_000, item="001/x", budget_line="001", budget_year=2024))
    with transaction(engine) as s:
        assert ledger.check_invariants(s) == []
        assert verify(s).ok


def test_a_ban_stops_payment_of_an_order_approved_before_it(engine):
    (a,) = add_enterprises(engine, 1)
    set_line(engine)
    pay(engine, request("a1", a, item="002/一"))
    with transaction(engine) as s:
        ledger.place_order(s, request("a2", a), "maker")  # approved, not yet paid
    with transaction(engine) as s:
        claw_back(
            s, "a1", 10, "虚假材料", date(2023, 11, 5), "auditor", ban_years=3, ban_citation="三年内不得申请"
        )
    with pytest.raises(ledger.Banned), transaction(engine) as s:
        ledger.post_order(s, "a2", "checker", date(2023, 11, 6))
    with transaction(engine) as s:
        assert ledger.cancel_order(s, "a2", "banned", "checker")
        assert ledger.check_invariants(s) == []


def test_clawback_rules(engine):
    (a,) = add_enterprises(engine, 1)
    set_line(engine)
    with transaction(engine) as s:
        ledger.place_order(s, request("r", a), "maker")
    with pytest.raises(ClawbackError, match="not paid"), transaction(engine) as s:
        claw_back(s, "r", 1, "x", date(2023, 12, 1), "auditor")
    with transaction(engine) as s:
        ledger.post_order(s, "r", "checker", date(2023, 11, 2))
    with pytest.raises(ClawbackError, match="between 1 and"), transaction(engine) as s:
        claw_back(s, "r", CAP_FEN + 1, "x", date(2023, 12, 1), "auditor")
    with pytest.raises(ClawbackError, match="citation"), transaction(engine) as s:
        claw_back(s, "r", 1, "x", date(2023, 12, 1), "auditor", ban_years=5)
    with transaction(engine) as s:
        _, _, created = claw_back(s, "r", 100, "x", date(2023, 12, 1), "auditor")
    with transaction(engine) as s:
        _, _, created = claw_back(s, "r", 100, "x", date(2023, 12, 1), "auditor")  # replay: no-op
    assert not created
    with pytest.raises(ClawbackError, match="second one"), transaction(engine) as s:
        claw_back(s, "r", 200, "x", date(2023, 12, 1), "auditor")


def test_ban_length_counts_whole_years():
    assert add_years(date(2024, 3, 15), 5) == date(2029, 3, 15)
    assert add_years(date(2024, 2, 29), 3) == date(2027, 3, 1)


def test_bad_orders_are_refused_with_a_reason(engine):
    (a,) = add_enterprises(engine, 1)
    set_line(engine)
    for bad, match in [
        (request("z", a, 0), "positive whole number"),
        (request("f", a, 1.5), "positive whole number"),  # never a float
        (request("c", a, citation=" "), "citation"),
        (request("y", a, budget_year=2030), "no budget"),
        (request("u", 10_000), "no beneficiary"),
    ]:
        with (
            pytest.raises(ledger.LedgerError, match=match)
            if "budget" not in match
            else pytest.raises(budget.BudgetError, match=match),
            transaction(engine) as s,
        ):
            ledger.place_order(s, bad, "maker")


def test_invariant_check_sees_a_tampered_budget(engine):
    (a,) = add_enterprises(engine, 1)
    set_line(engine)
    pay(engine, request("a", a))
    with transaction(engine) as s:
        s.execute(text("UPDATE budgets SET spent_fen = spent_fen - 1"))
    with transaction(engine) as s:
        assert ledger.check_invariants(s) == [
            f"budget 002 2023: spent {CAP_FEN - 1} fen but postings say {CAP_FEN}"
        ]
