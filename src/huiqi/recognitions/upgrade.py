"""进档差额: on an upgrade, only the difference between the new tier's figure and what the ledger
already paid for the same recognition.

The engine settles it (the ``upgrade`` provision, docs/rules.md §6 stage 5): for tier figures that are
amounts it pays the difference; for the 未来工厂 tiers, which are ceilings ("分别给予不超过500万元、
200万元、80万元", 003-22/二/（三）/8, which adopts 003-13/三/（四） "补助资金均按进档差额执行"), it lowers
the new tier's ceiling by what the same recognition (the run line's subject, its ref) was paid, so the
run line's ceiling is already the difference and ``decision approve`` checks against it. This module
does not compute the difference a second time: it reads the line's ceiling and lists the live orders
(posted or reserved, net of 追回) of the scheme's items for the same recognition — the payments the
engine deducted — so the decision can see where the figure comes from.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.recognitions.schemes import SCHEMES, Citation, Scheme
from huiqi.redemption.decision import order_key
from huiqi.redemption.run import RunError, get_line
from huiqi.store.models import Clawback, PaymentOrder
from huiqi.store.models_runs import Decision, RunLine


@dataclass(frozen=True, slots=True)
class Difference:
    ceiling_fen: int  # the line's ceiling, as the run computed it: the engine already deducted paid_fen
    paid_fen: int  # already paid for the same recognition (net of clawbacks), for the record
    due_fen: int  # at most this is decided now: the line's ceiling
    orders: list[str]  # the idempotency keys of the orders counted in paid_fen
    citation: Citation


def _scheme_of(item: str) -> Scheme | None:
    return next((s for s in SCHEMES.values() if item in s.difference_items), None)


def difference(session: Session, run_id: int, line_no: int) -> Difference:
    """The upgrade difference of one discretionary line of a tier scheme, as the engine settled it,
    with the orders it deducted (``RunError`` for another line)."""
    line = get_line(session, run_id, line_no)
    s = _scheme_of(line.item)
    if s is None or s.upgrade is None:
        items = ", ".join(i for sc in SCHEMES.values() for i in sc.difference_items)
        raise RunError(f"line {line_no} ({line.item}) is not a tier award paid by difference ({items})")
    if line.status != "discretionary" or line.cap_fen is None:
        raise RunError(f"line {line_no} has no ceiling to take the difference of ({line.status})")
    mine = {subject for subject, _ in line.subjects or []}
    rows = session.execute(
        select(PaymentOrder, Clawback.amount_fen, RunLine.subjects)
        .outerjoin(Clawback, Clawback.order_id == PaymentOrder.id)
        .outerjoin(Decision, Decision.order_key == PaymentOrder.idempotency_key)
        .outerjoin(RunLine, RunLine.id == Decision.line_id)
        .where(
            PaymentOrder.beneficiary_id == line.entity_id,
            PaymentOrder.item.in_(s.difference_items),
            PaymentOrder.status != "cancelled",
            PaymentOrder.idempotency_key != order_key(run_id, line_no),
        )
        .order_by(PaymentOrder.id)
    ).all()
    paid, keys = 0, []
    for order, clawed, subjects in rows:
        theirs = {subject for subject, _ in subjects or []}
        # the same recognition: the same subject (its ref); an order placed outside a run has none
        # and counts only when this line has none either
        if (mine & theirs) or (not mine and not theirs):
            paid += order.amount_fen - (clawed or 0)
            keys.append(order.idempotency_key)
    return Difference(line.cap_fen, paid, line.cap_fen, keys, s.upgrade)
