"""Payment orders (支付指令) and the ledger: nothing is ever paid twice, no budget goes below zero.

An order's life: ``place_order`` (reserved: the budget line's money is held) → ``post_order``
(posted: paid out) or ``cancel_order`` (cancelled: the money is released). Each step is one
transaction that changes the order, moves the budget, writes a posting and an audit entry together.

Why a re-run after a crash pays nothing twice:
- the caller chooses the order's idempotency key; placing an order whose key exists is a no-op
  (and an error if the content differs: a key names one order forever);
- the database's partial UNIQUE index allows one live order per (beneficiary, item, period);
- ``post_order`` moves ``reserved → posted`` with a conditional UPDATE, so of two attempts exactly
  one moves the money; ``postings`` is UNIQUE on (order, entry).
The invariants are listed in docs/ledger.md and checked by ``check_invariants``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from huiqi.redemption import audit, budget
from huiqi.redemption.clawback import active_ban
from huiqi.redemption.faults import crash_point
from huiqi.redemption.sharing import CostShare
from huiqi.store.models import Budget, Clawback, Entity, PaymentOrder, Posting


class LedgerError(ValueError):
    """An order the rules forbid; the message says which rule."""


class AlreadyPaid(LedgerError):
    """The beneficiary already has a live order for this item and period."""


class IdempotencyConflict(LedgerError):
    """The key was used before for a different order."""


class Banned(LedgerError):
    """The beneficiary is under a ban (取消申请资格) on the order's date."""


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """What a caller asks to pay. ``key`` is the caller's idempotency key (幂等键)."""

    key: str
    beneficiary_id: int
    item: str
    period: str
    budget_line: str
    budget_year: int
    amount_fen: int
    citation: str
    ordered_on: date
    item_group: str | None = None
    share: CostShare | None = None  # None: the district programme pays it all


def _now() -> datetime:
    return datetime.now(UTC)


def _same_order(order: PaymentOrder, req: OrderRequest, budget_id: int) -> bool:
    return (
        order.beneficiary_id == req.beneficiary_id
        and order.item == req.item
        and order.period == req.period
        and order.amount_fen == req.amount_fen
        and order.budget_id == budget_id
    )


def _order_by_key(session: Session, key: str, lock: bool = False) -> PaymentOrder | None:
    query = select(PaymentOrder).where(PaymentOrder.idempotency_key == key)
    if lock:
        query = query.with_for_update()
    return session.execute(query.execution_options(populate_existing=True)).scalar_one_or_none()


def place_order(session: Session, req: OrderRequest, actor: str) -> tuple[PaymentOrder, bool]:
    """Place an order and reserve its amount; returns ``(order, created)``.

    Same key and same content again → ``(existing, False)``, nothing changes. Raises
    ``IdempotencyConflict``, ``AlreadyPaid``, ``Banned``, ``budget.BudgetExceeded`` or
    ``LedgerError``; the caller's transaction must then be rolled back (the ``transaction`` helper
    does it).
    """
    if isinstance(req.amount_fen, bool) or not isinstance(req.amount_fen, int) or req.amount_fen <= 0:
        raise LedgerError(
            f"order {req.key}: the amount must be a positive whole number of fen, got {req.amount_fen!r}"
        )
    if not req.key.strip():
        raise LedgerError("an order needs an idempotency key")
    if not req.citation.strip():
        raise LedgerError(f"order {req.key}: an order needs the citation of the clause it pays under")
    line = budget.get_budget(session, req.budget_line, req.budget_year)

    existing = _order_by_key(session, req.key)
    if existing is not None:
        if not _same_order(existing, req, line.id):
            raise IdempotencyConflict(
                f"idempotency key {req.key!r} already names a different order (#{existing.id})"
            )
        return existing, False

    beneficiary = session.get(Entity, req.beneficiary_id)
    if beneficiary is None:
        raise LedgerError(f"order {req.key}: no beneficiary with id {req.beneficiary_id}")
    live = session.execute(
        select(PaymentOrder).where(
            PaymentOrder.beneficiary_id == req.beneficiary_id,
            PaymentOrder.item == req.item,
            PaymentOrder.period == req.period,
            PaymentOrder.status != "cancelled",
        )
    ).scalar_one_or_none()
    if live is not None:
        raise AlreadyPaid(_already_paid_message(req, beneficiary, live))
    ban = active_ban(session, req.beneficiary_id, req.ordered_on)
    if ban is not None:
        raise Banned(
            f"order {req.key}: {beneficiary.name} ({beneficiary.key}) is barred from support until "
            f"{ban.end.isoformat()} (exclusive): {ban.citation}"
        )

    if req.share is None:
        city_fen, district_fen, share_citation = 0, req.amount_fen, None
    else:
        city_fen, district_fen = req.share.split(req.amount_fen)
        share_citation = f"{req.share.city}:{req.share.district} {req.share.citation}"
    order = PaymentOrder(
        idempotency_key=req.key,
        beneficiary_id=req.beneficiary_id,
        item=req.item,
        item_group=req.item_group,
        period=req.period,
        budget_id=line.id,
        amount_fen=req.amount_fen,
        city_share_fen=city_fen,
        district_share_fen=district_fen,
        share_citation=share_citation,
        citation=req.citation,
        status="reserved",
        ordered_on=req.ordered_on,
        created_by=actor,
        created_at=_now(),
    )
    # A concurrent transaction may insert the same key or the same (beneficiary, item, period)
    # between our checks and this insert; the UNIQUE constraints decide, inside a savepoint so that
    # we can still read what the winner wrote.
    try:
        with session.begin_nested():
            session.add(order)
            session.flush()
    except IntegrityError:
        winner = _order_by_key(session, req.key)
        if winner is not None and _same_order(winner, req, line.id):
            return winner, False
        if winner is not None:
            raise IdempotencyConflict(
                f"idempotency key {req.key!r} already names a different order (#{winner.id})"
            ) from None
        raise AlreadyPaid(
            f"order {req.key}: {beneficiary.key} already has a live order for {req.item} {req.period}"
        ) from None

    budget.reserve(session, line.id, req.amount_fen)
    session.add(
        Posting(order_id=order.id, budget_id=line.id, entry="reserve", amount_fen=req.amount_fen, at=_now())
    )
    audit.append(session, actor, "order.place", f"order:{req.key}", _order_payload(order, beneficiary))
    session.flush()
    crash_point("order.placed")
    return order, True


def _already_paid_message(req: OrderRequest, beneficiary: Entity, live: PaymentOrder) -> str:
    return (
        f"order {req.key}: {beneficiary.name} ({beneficiary.key}) already has order {live.idempotency_key!r} "
        f"({live.status}) for {req.item} {req.period}; a beneficiary is paid at most once per item and period"
    )


def _order_payload(order: PaymentOrder, beneficiary: Entity) -> dict:
    return {
        "beneficiary": {"kind": beneficiary.kind, "key": beneficiary.key},
        "item": order.item,
        "item_group": order.item_group,
        "period": order.period,
        "budget_id": order.budget_id,
        "amount_fen": order.amount_fen,
        "city_share_fen": order.city_share_fen,
        "district_share_fen": order.district_share_fen,
        "share_citation": order.share_citation,
        "citation": order.citation,
        "ordered_on": order.ordered_on.isoformat(),
    }


def post_order(session: Session, key: str, actor: str, on: date | None = None) -> bool:
    """Pay out a reserved order (reserved → posted). True if this call posted it, False if it already was.

    The ban is checked again on the posting day: an order approved before a clawback is not paid
    to a beneficiary barred since.
    """
    order = _order_by_key(session, key, lock=True)
    if order is None:
        raise LedgerError(f"no payment order with key {key!r}")
    if order.status == "posted":
        return False
    if order.status == "cancelled":
        raise LedgerError(f"order {key!r} was cancelled and cannot be paid")
    day = on or date.today()
    ban = active_ban(session, order.beneficiary_id, day)
    if ban is not None:
        raise Banned(f"order {key!r}: the beneficiary is barred until {ban.end.isoformat()}: {ban.citation}")
    moved = session.execute(
        update(PaymentOrder)
        .where(PaymentOrder.id == order.id, PaymentOrder.status == "reserved")
        .values(status="posted", posted_at=_now())
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # another transaction posted it first
        return False
    budget.post(session, order.budget_id, order.amount_fen)
    session.add(
        Posting(
            order_id=order.id, budget_id=order.budget_id, entry="post", amount_fen=order.amount_fen, at=_now()
        )
    )
    audit.append(session, actor, "order.post", f"order:{key}", {"amount_fen": order.amount_fen})
    session.flush()
    crash_point("order.posted")
    return True


def cancel_order(session: Session, key: str, reason: str, actor: str) -> bool:
    """Withdraw a reserved order (e.g. the enterprise declines, 主动放弃); its money is released.

    A posted order cannot be cancelled — money that left is recovered by a clawback (追回).
    """
    if not reason.strip():
        raise LedgerError("cancelling an order needs a reason")
    order = _order_by_key(session, key, lock=True)
    if order is None:
        raise LedgerError(f"no payment order with key {key!r}")
    if order.status == "cancelled":
        return False
    if order.status == "posted":
        raise LedgerError(f"order {key!r} is already paid; recover it with a clawback instead")
    moved = session.execute(
        update(PaymentOrder)
        .where(PaymentOrder.id == order.id, PaymentOrder.status == "reserved")
        .values(status="cancelled")
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise LedgerError(f"order {key!r} changed while being cancelled; try again")
    budget.release(session, order.budget_id, order.amount_fen)
    session.add(
        Posting(
            order_id=order.id,
            budget_id=order.budget_id,
            entry="release",
            amount_fen=order.amount_fen,
            at=_now(),
        )
    )
    audit.append(session, actor, "order.cancel", f"order:{key}", {"reason": reason})
    session.flush()
    return True


@dataclass(frozen=True, slots=True)
class PaidSoFar:
    """What a beneficiary has had for an item or a group: the input of 晋升补差 and cumulative caps."""

    posted_fen: int  # paid out
    reserved_fen: int  # approved, not yet paid out
    clawed_back_fen: int  # recovered (追回)

    @property
    def committed_fen(self) -> int:
        """Posted + reserved − recovered: what a new award must be reduced by, so nothing is paid twice."""
        return self.posted_fen + self.reserved_fen - self.clawed_back_fen


def paid_so_far(
    session: Session, beneficiary_id: int, item: str | None = None, item_group: str | None = None
) -> PaidSoFar:
    """Sum of the beneficiary's live orders for ``item`` and/or ``item_group`` (all items if neither)."""
    conditions = [PaymentOrder.beneficiary_id == beneficiary_id, PaymentOrder.status != "cancelled"]
    if item is not None:
        conditions.append(PaymentOrder.item == item)
    if item_group is not None:
        conditions.append(PaymentOrder.item_group == item_group)
    posted, reserved = session.execute(
        select(
            func.coalesce(
                func.sum(case((PaymentOrder.status == "posted", PaymentOrder.amount_fen), else_=0)), 0
            ),
            func.coalesce(
                func.sum(case((PaymentOrder.status == "reserved", PaymentOrder.amount_fen), else_=0)), 0
            ),
        ).where(*conditions)
    ).one()
    clawed = session.execute(
        select(func.coalesce(func.sum(Clawback.amount_fen), 0))
        .join(PaymentOrder, Clawback.order_id == PaymentOrder.id)
        .where(*conditions)
    ).scalar_one()
    return PaidSoFar(int(posted), int(reserved), int(clawed))


def check_invariants(session: Session) -> list[str]:
    """Every way the ledger could be wrong, checked from the rows; an empty list means consistent."""
    problems: list[str] = []
    sums: dict[tuple[int, str], int] = {}
    for budget_id, entry, total in session.execute(
        select(Posting.budget_id, Posting.entry, func.sum(Posting.amount_fen)).group_by(
            Posting.budget_id, Posting.entry
        )
    ):
        sums[(budget_id, entry)] = int(total)
    for b in session.execute(select(Budget).execution_options(populate_existing=True)).scalars():
        reserved = (
            sums.get((b.id, "reserve"), 0) - sums.get((b.id, "post"), 0) - sums.get((b.id, "release"), 0)
        )
        spent = sums.get((b.id, "post"), 0)
        if b.reserved_fen != reserved:
            problems.append(
                f"budget {b.line} {b.year}: reserved {b.reserved_fen} fen but postings say {reserved}"
            )
        if b.spent_fen != spent:
            problems.append(f"budget {b.line} {b.year}: spent {b.spent_fen} fen but postings say {spent}")
        if b.reserved_fen < 0 or b.spent_fen < 0 or b.reserved_fen + b.spent_fen > b.amount_fen:
            problems.append(
                f"budget {b.line} {b.year}: overrun ({b.reserved_fen}+{b.spent_fen} > {b.amount_fen})"
            )

    expected_entries = {
        "reserved": {"reserve"},
        "posted": {"reserve", "post"},
        "cancelled": {"reserve", "release"},
    }
    postings_by_order: dict[int, list[Posting]] = {}
    for p in session.execute(select(Posting)).scalars():
        postings_by_order.setdefault(p.order_id, []).append(p)
    live: dict[tuple[int, str, str], str] = {}
    for order in session.execute(select(PaymentOrder).execution_options(populate_existing=True)).scalars():
        mine = postings_by_order.get(order.id, [])
        entries = {p.entry for p in mine}
        if entries != expected_entries[order.status]:
            problems.append(
                f"order {order.idempotency_key}: status {order.status} but postings {sorted(entries)}"
            )
        for p in mine:
            if p.amount_fen != order.amount_fen or p.budget_id != order.budget_id:
                problems.append(f"order {order.idempotency_key}: posting {p.entry} does not match the order")
        if order.city_share_fen + order.district_share_fen != order.amount_fen:
            problems.append(f"order {order.idempotency_key}: shares do not add up to the amount")
        if order.status != "cancelled":
            triple = (order.beneficiary_id, order.item, order.period)
            if triple in live:
                problems.append(f"orders {live[triple]} and {order.idempotency_key} pay the same item twice")
            live[triple] = order.idempotency_key
    for claw, order in session.execute(select(Clawback, PaymentOrder).join(PaymentOrder)):
        if order.status != "posted" or claw.amount_fen > order.amount_fen:
            problems.append(f"clawback of {order.idempotency_key}: more than was paid, or of an unpaid order")
    return problems
