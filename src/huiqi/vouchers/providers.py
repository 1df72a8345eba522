"""The register of providers a voucher may be used with (登记的服务提供方).

企业券: the 创新载体 the province and city publish ("载体范围以市科委公布为准", 003-23 第六条/1);
平台券: the platforms the city approved (立项, 第八条/1), which hold their own vouchers;
活动券: the 服务机构 that passed the expert review ("评审通过后，纳入活动券资助范围", 003-32 第五条).
``basis`` records the list or decision a provider is registered under.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.redemption import audit
from huiqi.store.models_vouchers import VoucherProvider
from huiqi.vouchers import texts
from huiqi.vouchers.schemes import SCHEME_NAMES, VoucherError, entity, refuse

REGISTER_TEXT = {
    "enterprise": texts.CARRIER_LIST,
    "platform": texts.PLATFORM_LIST,
    "activity": texts.ORGANISER_REVIEW,
}


def register(session: Session, scheme: str, key: str, basis: str, by: str, on: date) -> VoucherProvider:
    """Register the entity ``key`` as a provider of ``scheme``; registering it again is a no-op."""
    if not basis.strip():
        raise VoucherError(f"say which list or decision registers the provider ({REGISTER_TEXT[scheme]})")
    e = entity(session, key, "provider")
    found = provider_of(session, scheme, e.id)
    if found is not None:
        return found
    row = VoucherProvider(scheme=scheme, entity_id=e.id, registered_on=on, registered_by=by, basis=basis)
    session.add(row)
    session.flush()
    audit.append(
        session,
        by,
        "voucher.provider",
        f"voucher-provider:{row.id}",
        {"scheme": scheme, "entity": e.key, "on": on.isoformat(), "basis": basis},
    )
    return row


def provider_of(session: Session, scheme: str, entity_id: int) -> VoucherProvider | None:
    return session.execute(
        select(VoucherProvider).where(
            VoucherProvider.scheme == scheme, VoucherProvider.entity_id == entity_id
        )
    ).scalar_one_or_none()


def registered(session: Session, scheme: str, entity_id: int, key: str, on: date) -> VoucherProvider:
    """The registration of ``entity_id`` for ``scheme`` in force on ``on``; refused otherwise."""
    row = provider_of(session, scheme, entity_id)
    name = SCHEME_NAMES[scheme]
    if row is None:
        raise refuse(REGISTER_TEXT[scheme], f"{key} is not a registered provider of {name}")
    if row.registered_on > on:
        raise refuse(
            REGISTER_TEXT[scheme],
            f"{key} is registered for {name} only from {row.registered_on}, not on {on}",
        )
    return row
