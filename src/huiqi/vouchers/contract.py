"""使用: spending a voucher, once, by its holder, with a registered provider, in its work year.

- 企业券: on a technical contract, with its registration number (合同登记编号, 003-23 第十一条), signed
  with a registered 创新载体 that is not related to the holder ("向非关联的上述创新载体购买", 第六条/1).
- 平台券: the platform's own technical contract with an enterprise it serves (第九条/2 "与我市企业签订
  的技术合同"); the platform must be registered.
- 活动券: the holder signs in at the activity the voucher was issued for; the voucher flows to the
  organiser and counts as one valid service (有效服务, 003-32 第七条).

Recording the same use again returns it; another use of a used voucher is refused (不重复使用), and
so is a use by anyone but the holder (不得转让、买卖). The database holds both: ``voucher_uses``
carries the voucher's holder through a composite foreign key, and ``voucher_id`` is UNIQUE.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.redemption import audit
from huiqi.store.models import Entity
from huiqi.store.models_vouchers import Voucher, VoucherProvider, VoucherUse
from huiqi.vouchers import providers, states, texts
from huiqi.vouchers.schemes import VoucherError, entity, refuse


def get_voucher(session: Session, voucher_id: int, lock: bool = False) -> Voucher:
    query = select(Voucher).where(Voucher.id == voucher_id)
    row = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if row is None:
        raise VoucherError(f"no voucher {voucher_id}")
    return row


def use_of(session: Session, voucher_id: int) -> VoucherUse | None:
    return session.execute(select(VoucherUse).where(VoucherUse.voucher_id == voucher_id)).scalar_one_or_none()


def non_transferable(scheme: str) -> texts.Cited:
    return texts.ACTIVITY_ONE_EACH if scheme == "activity" else texts.NOT_TRANSFERABLE


def use(
    session: Session,
    voucher_id: int,
    holder_key: str,
    provider_key: str,
    ref: str,
    by: str,
    on: date,
    *,
    contract_fen: int | None = None,
    signed_on: date | None = None,
    investment_related: bool = False,
    client_key: str | None = None,
) -> VoucherUse:
    """Record the use of voucher ``voucher_id`` by ``holder_key`` with ``provider_key`` on ``ref``
    (a contract's registration number, or the activity)."""
    voucher = get_voucher(session, voucher_id, lock=True)
    holder = entity(session, holder_key, "holder")
    if holder.id != voucher.holder_id:
        raise refuse(non_transferable(voucher.scheme), f"voucher {voucher_id} is not {holder_key}'s to use")
    ref = ref.strip()
    found = use_of(session, voucher_id)
    if found is not None:
        provider = session.get(VoucherProvider, found.provider_id)
        same_provider = provider is not None and session.get(Entity, provider.entity_id).key == provider_key
        if found.ref == ref and same_provider:
            return found
        raise refuse(
            non_transferable(voucher.scheme), f"voucher {voucher_id} was already used on {found.ref}"
        )
    if voucher.state != "issued":
        raise VoucherError(f"voucher {voucher_id} is {voucher.state}; it cannot be used")
    if not voucher.issued_on <= on <= voucher.valid_until:
        raise refuse(
            texts.work_year(voucher.scheme),
            f"voucher {voucher_id} is usable from {voucher.issued_on} to {voucher.valid_until}, not on {on}",
        )
    if not ref:
        raise VoucherError(
            "name the contract (its registration number) or the activity the voucher is used on"
        )
    provider_entity = entity(session, provider_key, "provider")
    provider = providers.registered(session, voucher.scheme, provider_entity.id, provider_key, on)
    row = VoucherUse(
        voucher_id=voucher.id,
        holder_id=voucher.holder_id,
        scheme=voucher.scheme,
        year=voucher.year,
        valid_until=voucher.valid_until,
        face_fen=voucher.face_fen,
        provider_id=provider.id,
        provider_entity_id=provider_entity.id,
        ref=ref,
        investment_related=investment_related,
        used_on=on,
        recorded_by=by,
    )
    if voucher.scheme == "activity":
        if provider.id != voucher.provider_id or ref != voucher.event_ref:
            raise refuse(
                texts.ACTIVITY_SIGN_IN,
                f"voucher {voucher_id} is for activity {voucher.event_ref} of its own organiser, not {ref} "
                f"of {provider_key}",
            )
        row.signed_on = on
    else:
        _contract(session, voucher, holder, provider_entity, row, contract_fen, signed_on, client_key, on)
    session.add(row)
    if not states.move(session, voucher, ("issued",), "used"):
        raise VoucherError(f"voucher {voucher_id} changed meanwhile; look again")
    audit.append(
        session,
        by,
        "voucher.use",
        f"voucher:{voucher.id}",
        {
            "holder": holder.key,
            "provider": provider_key,
            "ref": ref,
            "contract_fen": row.contract_fen,
            "signed_on": row.signed_on.isoformat(),
            "used_on": on.isoformat(),
        },
    )
    return row


def _contract(
    session: Session,
    voucher: Voucher,
    holder: Entity,
    provider_entity: Entity,
    row: VoucherUse,
    contract_fen: int | None,
    signed_on: date | None,
    client_key: str | None,
    on: date,
) -> None:
    if contract_fen is None or contract_fen <= 0:
        raise refuse(texts.TECH_CONTRACT, "the technical contract's amount is required (a positive amount)")
    if signed_on is None or not voucher.issued_on <= signed_on <= on:
        raise refuse(
            texts.work_year(voucher.scheme),
            f"the contract is signed between the voucher's issue ({voucher.issued_on}) and its use ({on})",
        )
    row.contract_fen = contract_fen
    row.signed_on = signed_on
    backed = session.execute(
        select(VoucherUse.voucher_id).where(
            VoucherUse.provider_id == row.provider_id,
            VoucherUse.ref == row.ref,
            VoucherUse.scheme != "activity",
        )
    ).scalar_one_or_none()
    if backed is not None:
        raise refuse(texts.NOT_TRANSFERABLE, f"contract {row.ref} already backs voucher {backed}")
    if voucher.scheme == "enterprise":
        if provider_entity.id == holder.id:
            raise refuse(texts.UNRELATED_CARRIER, "a holder cannot buy the service from itself")
        if row.investment_related:
            raise refuse(texts.UNRELATED_CARRIER, f"{provider_entity.key} is related to {holder.key}")
        return
    # 平台券: the platform serves an enterprise under its own registration
    if provider_entity.id != holder.id:
        raise VoucherError("a 平台券 is used on the platform's own contracts: the provider is the holder")
    if not client_key:
        raise VoucherError("a 平台券 contract names the enterprise served (--client)")
    client = entity(session, client_key, "client")
    if client.id == holder.id:
        raise VoucherError("the platform cannot be its own client")
    row.client_id = client.id
