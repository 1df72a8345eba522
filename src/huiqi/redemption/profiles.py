"""Registry → profiles: what the engine is given for one registered entity.

A profile (``docs/facts.md``) is built from the entity's stored attributes (static facts), its
yearly facts, its dated events, and its **live ledger payments** (posted or reserved, net of any
clawback / 追回): so 晋升补差 (upgrade differences) and cumulative caps read the ledger, and an
approved order not yet paid is never paid a second time through a difference.

A payment made from a run line carries the subjects (不重复 / 补差 keys: a product, a project, an
award ladder) the engine computed for that line, so a later run finds "the same subject was already
paid". A payment ordered outside a run (``huiqi ledger pay``) carries its ``item_group`` as subject
when it is an award ladder (``ladder:…``), else none (the engine then matches it to the yearly
occurrence of its own item).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.recognitions.facts import add_to_profiles as add_recognitions
from huiqi.rules import facts as vocab
from huiqi.store.models import Clawback, Entity, Event, PaymentOrder, YearlyFact
from huiqi.store.models_runs import Decision, RunLine


def _static_facts(entity: Entity) -> dict[str, Any]:
    kind = vocab.EntityKind(entity.kind)
    out: dict[str, Any] = {}
    candidates = {"name": entity.name, "credit_code": entity.credit_code, **(entity.attributes or {})}
    for name, value in candidates.items():
        spec = vocab.FACTS_BY_NAME.get(name)
        if (
            value is None
            or spec is None
            or spec.period is not vocab.Period.STATIC
            or kind not in spec.entities
        ):
            continue
        out[name] = value
    return out


def _payments(session: Session, entity_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Live orders of these entities as profile payments (net of clawbacks)."""
    rows = session.execute(
        select(PaymentOrder, Clawback.amount_fen, RunLine.subjects, RunLine.amount_fen)
        .outerjoin(Clawback, Clawback.order_id == PaymentOrder.id)
        .outerjoin(Decision, Decision.order_key == PaymentOrder.idempotency_key)
        .outerjoin(RunLine, RunLine.id == Decision.line_id)
        .where(PaymentOrder.beneficiary_id.in_(entity_ids), PaymentOrder.status != "cancelled")
        .order_by(PaymentOrder.id)
    ).all()
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for order, clawed, subjects, line_amount in rows:
        net = order.amount_fen - (clawed or 0)
        if net <= 0:
            continue
        year = int(order.period[:4])
        base = {"item": order.item, "year": year}
        dues = [(s, due) for s, due in (subjects or []) if due > 0]
        if dues and not clawed and sum(d for _, d in dues) == order.amount_fen == line_amount:
            # paid exactly as computed: one payment per subject, as the engine split it
            out[order.beneficiary_id].extend({**base, "amount_fen": d, "subject": s} for s, d in dues)
            continue
        subject = dues[0][0] if len(dues) == 1 else None
        if subject is None and order.item_group and order.item_group.startswith("ladder:"):
            subject = order.item_group
        payment = {**base, "amount_fen": net}
        if subject is not None:
            payment["subject"] = subject
        out[order.beneficiary_id].append(payment)
    return out


def build_profiles(
    session: Session, entities: list[Entity], year: int | None = None
) -> dict[int, dict[str, Any]]:
    """One profile dict (ready for ``parse_profile``) per entity id, all years and events included.

    The entities' recognitions (``huiqi.recognitions``) add their events and yearly facts; with
    ``year`` (a run's year) a recognition that no longer holds in that year adds no event."""
    ids = [e.id for e in entities]
    years: dict[int, dict[int, dict[str, Any]]] = defaultdict(lambda: defaultdict(dict))
    for fact in session.execute(
        select(YearlyFact).where(YearlyFact.entity_id.in_(ids)).order_by(YearlyFact.year, YearlyFact.name)
    ).scalars():
        years[fact.entity_id][fact.year][fact.name] = fact.value
    events: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for ev in session.execute(
        select(Event).where(Event.entity_id.in_(ids)).order_by(Event.on_date, Event.type, Event.ref)
    ).scalars():
        events[ev.entity_id].append(
            {"type": ev.type, "date": ev.on_date.isoformat(), **(ev.attributes or {})}
        )
    payments = _payments(session, ids)
    profiles = {
        e.id: {
            "kind": e.kind,
            "id": e.key,
            "facts": _static_facts(e),
            "years": {str(y): dict(sorted(f.items())) for y, f in sorted(years[e.id].items())},
            "events": events[e.id],
            "payments": payments[e.id],
        }
        for e in entities
    }
    add_recognitions(session, profiles, year)
    return profiles
