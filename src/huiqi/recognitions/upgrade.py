"""进档差额: on an upgrade, only the difference between the new tier's figure and what the ledger
already paid for the same recognition.

Where the tier figures are amounts, the engine pays the difference itself (the ``upgrade`` provision,
docs/rules.md §6 stage 5). The 未来工厂 tiers are ceilings ("分别给予不超过500万元、200万元、80万元",
003-22/二/（三）/8 and 003-13/三/（四）), so a run gives a discretionary line with the new tier's
ceiling and leaves the amount to a decision; 003-13/三/（四） adds "补助资金均按进档差额执行". This
module gives that decision its number: the line's ceiling less the live orders (posted or reserved,
net of 追回) already paid under the scheme's items for the same recognition (the run line's subject is
the recognition's ref).
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
    ceiling_fen: int  # the new tier's ceiling, as the run computed it
    paid_fen: int  # already paid for the same recognition (net of clawbacks)
    due_fen: int  # at most this is decided now: max(0, ceiling − paid)
    orders: list[str]  # the idempotency keys of the orders counted in paid_fen
    citation: Citation


def _scheme_of(item: str) -> Scheme | None:
    return next((s for s in SCHEMES.values() if item in s.difference_items), None)


def difference(session: Session, run_id: int, line_no: int) -> Difference:
    """The upgrade difference of one discretionary line of a tier scheme (``RunError`` otherwise)."""
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
    return Difference(line.cap_fen, paid, max(0, line.cap_fen - paid), keys, s.upgrade)
