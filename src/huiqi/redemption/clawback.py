"""Clawback (追回) of a payment made on false facts, and the ban (取消申请资格) that follows.

The ban's length is an input with its citation, because the documents differ: several city
documents in 003 say "5年内取消申请科技资金补助的资格" / "5 年内取消市科技项目申报资格", the
incubation-park rules say "三年内不得申请市级及以上园区". Whatever document sets it, a ban bars the
entity from every order under every policy (``place_order`` and ``post_order`` check it).
A ban runs from the decision day for whole years: from 2024-03-15 for 5 years means barred on
2024-03-15 … 2029-03-14, free again on 2029-03-15 (``end`` is exclusive; a 29 February start
ends on 1 March).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.redemption import audit
from huiqi.store.models import Ban, Clawback, Entity, PaymentOrder


class ClawbackError(ValueError):
    """A clawback or ban the rules forbid."""


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 Feb → the year has no such day
        return day.replace(year=day.year + years, day=28) + timedelta(days=1)


def active_ban(session: Session, entity_id: int, on: date) -> Ban | None:
    """The ban in force for ``entity_id`` on ``on``, if any (the one that ends last)."""
    return (
        session.execute(
            select(Ban)
            .where(Ban.entity_id == entity_id, Ban.start <= on, Ban.end > on)
            .order_by(Ban.end.desc())
            .limit(1)
        )
        .scalars()
        .first()
    )


def ban(
    session: Session,
    entity_id: int,
    start: date,
    years: int,
    citation: str,
    reason: str,
    actor: str,
    clawback_id: int | None = None,
) -> Ban:
    """Bar an entity from all support for ``years`` years from ``start``; ``citation`` quotes the clause."""
    if years < 1:
        raise ClawbackError(f"a ban lasts at least one year, got {years}")
    if not citation.strip():
        raise ClawbackError("a ban needs the citation of the clause that sets its length")
    entity = session.get(Entity, entity_id)
    if entity is None:
        raise ClawbackError(f"no entity with id {entity_id}")
    record = Ban(
        entity_id=entity_id,
        start=start,
        end=add_years(start, years),
        years=years,
        citation=citation,
        reason=reason,
        clawback_id=clawback_id,
    )
    session.add(record)
    session.flush()
    audit.append(
        session,
        actor,
        "ban",
        f"entity:{entity.kind}:{entity.key}",
        {
            "start": start.isoformat(),
            "end": record.end.isoformat(),
            "years": years,
            "citation": citation,
            "reason": reason,
        },
    )
    return record


def claw_back(
    session: Session,
    order_key: str,
    amount_fen: int,
    reason: str,
    decided_on: date,
    actor: str,
    ban_years: int | None = None,
    ban_citation: str | None = None,
) -> tuple[Clawback, Ban | None, bool]:
    """Record the recovery of ``amount_fen`` of a paid order, and the ban if ``ban_years`` is given.

    At most one clawback per order (UNIQUE); asking again with the same amount is a no-op that
    returns the existing record with ``created=False``. Returns ``(clawback, ban, created)``.
    """
    order = session.execute(
        select(PaymentOrder).where(PaymentOrder.idempotency_key == order_key).with_for_update()
    ).scalar_one_or_none()
    if order is None:
        raise ClawbackError(f"no payment order with key {order_key!r}")
    existing = session.execute(select(Clawback).where(Clawback.order_id == order.id)).scalar_one_or_none()
    if existing is not None:
        if existing.amount_fen != amount_fen:
            raise ClawbackError(
                f"order {order_key!r} already has a clawback of {existing.amount_fen} fen; "
                "a second one is not allowed"
            )
        prior_ban = session.execute(select(Ban).where(Ban.clawback_id == existing.id)).scalar_one_or_none()
        return existing, prior_ban, False
    if order.status != "posted":
        raise ClawbackError(
            f"order {order_key!r} is {order.status}, not paid: cancel it instead of clawing back"
        )
    if (
        isinstance(amount_fen, bool)
        or not isinstance(amount_fen, int)
        or not 0 < amount_fen <= order.amount_fen
    ):
        raise ClawbackError(
            f"a clawback of order {order_key!r} is between 1 and {order.amount_fen} fen, got {amount_fen!r}"
        )
    if not reason.strip():
        raise ClawbackError("a clawback needs a reason (the false facts found)")
    if ban_years is not None and not (ban_citation or "").strip():
        raise ClawbackError("a ban needs the citation of the clause that sets its length")
    record = Clawback(
        order_id=order.id, amount_fen=amount_fen, reason=reason, decided_on=decided_on, decided_by=actor
    )
    session.add(record)
    session.flush()
    audit.append(
        session,
        actor,
        "order.clawback",
        f"order:{order_key}",
        {"amount_fen": amount_fen, "reason": reason, "decided_on": decided_on.isoformat()},
    )
    barred = None
    if ban_years is not None:
        barred = ban(
            session, order.beneficiary_id, decided_on, ban_years, ban_citation or "", reason, actor, record.id
        )
    return record, barred, True
