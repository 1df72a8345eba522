"""申领: applying for a voucher's quota in a work year.

The client names its application (``request_key``), so sending it again after a lost answer returns
the same application instead of a second one. What the application carries differs by scheme:

- 企业券: the amount asked for — its size is the applicant's ("酌请自主申领", 003-23 第六条), an input;
  the holder's registered district issues it (第六条), so that district must be known.
- 平台券: the rule item of 第九条 and the facts it reads (stage, kind, assessment grade, contract or
  equipment amounts); the engine says whether the platform qualifies and the ceiling, and the amount
  asked for must stay under it.
- 活动券: the registered organiser and its activity; one voucher is one service, 50元 (003-32 第八条).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.engine.evaluate import DISCRETIONARY, NOT_ELIGIBLE
from huiqi.money import format_fen
from huiqi.redemption import audit
from huiqi.store.models import Entity
from huiqi.store.models_vouchers import VoucherApplication
from huiqi.vouchers import amounts, providers, texts
from huiqi.vouchers.schemes import (
    ACTIVITY_ITEM,
    ENTERPRISE_ITEM,
    HOLDER_KINDS,
    PLATFORM_ITEMS,
    SCHEME_DOCUMENT,
    SCHEME_NAMES,
    VoucherError,
    district_of,
    entity,
    in_force,
    parameter,
    refuse,
)


def apply(
    session: Session,
    scheme: str,
    holder_key: str,
    year: int,
    request_key: str,
    by: str,
    on: date,
    *,
    amount_fen: int | None = None,
    item_id: str | None = None,
    facts: dict[str, Any] | None = None,
    provider_key: str | None = None,
    event_ref: str | None = None,
) -> VoucherApplication:
    """Record an application; the same ``request_key`` again returns the first one unchanged."""
    holder = entity(session, holder_key, "holder")
    found = session.execute(
        select(VoucherApplication).where(VoucherApplication.request_key == request_key)
    ).scalar_one_or_none()
    if found is not None:
        if (found.scheme, found.holder_id, found.year) != (scheme, holder.id, year):
            raise VoucherError(f"request key {request_key} already names another application ({found.id})")
        return found
    name = SCHEME_NAMES[scheme]
    if on.year != year:
        raise refuse(
            texts.work_year(scheme), f"an application for work year {year} is made in {year}, not on {on}"
        )
    in_force(SCHEME_DOCUMENT[scheme], on)
    if holder.kind not in HOLDER_KINDS[scheme]:
        raise VoucherError(f"{name} is not held by a {holder.kind} ({holder_key})")
    if scheme == "enterprise":
        row = _enterprise(holder, amount_fen)
    elif scheme == "platform":
        row = _platform(session, holder, year, on, amount_fen, item_id, facts or {})
    else:
        row = _activity(session, holder, on, provider_key, event_ref)
    row.request_key = request_key
    row.scheme = scheme
    row.holder_id = holder.id
    row.year = year
    row.applied_on = on
    row.applied_by = by
    row.state = "applied"
    session.add(row)
    session.flush()
    audit.append(
        session,
        by,
        "voucher.apply",
        f"voucher-application:{row.id}",
        {
            "scheme": scheme,
            "holder": holder.key,
            "year": year,
            "item": row.item,
            "requested_fen": row.requested_fen,
            "cap_fen": row.cap_fen,
            "request_key": request_key,
        },
    )
    return row


def _enterprise(holder: Entity, amount_fen: int | None) -> VoucherApplication:
    if amount_fen is None or amount_fen <= 0:
        raise refuse(
            texts.SELF_APPLIED, "a 企业券 application states the quota asked for (a positive amount)"
        )
    district = district_of(holder)
    if district is None:
        raise refuse(texts.DISTRICT_ISSUES, f"{holder.key} has no registered district to issue its 企业券")
    return VoucherApplication(
        item=ENTERPRISE_ITEM[holder.kind], requested_fen=amount_fen, facts={}, district=district
    )


def _platform(
    session: Session,
    holder: Entity,
    year: int,
    on: date,
    amount_fen: int | None,
    item_id: str | None,
    facts: dict[str, Any],
) -> VoucherApplication:
    if item_id not in PLATFORM_ITEMS:
        raise VoucherError(
            f"a 平台券 application names its item of 003-23 第九条: {', '.join(PLATFORM_ITEMS)}"
        )
    providers.registered(session, "platform", holder.id, holder.key, on)
    if amount_fen is None or amount_fen <= 0:
        raise VoucherError("a 平台券 application states the amount asked for (a positive amount)")
    result = amounts.evaluate(session, item_id, holder, year, facts)
    if result.status is NOT_ELIGIBLE:
        raise VoucherError(f"{item_id}: not eligible: {'；'.join(result.why_not)}")
    if result.status is not DISCRETIONARY:
        raise VoucherError(f"{item_id}: facts missing to decide: {', '.join(result.missing)}")
    if result.cap_fen is not None and amount_fen > result.cap_fen:
        raise VoucherError(
            f"{item_id}: {format_fen(amount_fen)} asked, over the ceiling of {format_fen(result.cap_fen)} "
            f"({result.item.source.clause}: {result.item.source.quote})"
        )
    return VoucherApplication(
        item=item_id, requested_fen=amount_fen, cap_fen=result.cap_fen, facts=facts, district=None
    )


def _activity(
    session: Session, holder: Entity, on: date, provider_key: str | None, event_ref: str | None
) -> VoucherApplication:
    if not provider_key or not (event_ref or "").strip():
        raise VoucherError("an 活动券 application names the organiser (服务机构) and its activity")
    organiser = entity(session, provider_key, "organiser")
    provider = providers.registered(session, "activity", organiser.id, provider_key, on)
    if organiser.id == holder.id:
        raise VoucherError(f"{holder.key} cannot hold a voucher for its own activity")
    return VoucherApplication(
        item=ACTIVITY_ITEM,
        requested_fen=parameter("003-32", "per_service").value,
        facts={},
        district=district_of(organiser),
        provider_id=provider.id,
        event_ref=event_ref,
    )
