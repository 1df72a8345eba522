"""兑现: paying a used voucher, once, in its work year — or voiding it when the year is over.

What it pays, and to whom:

- 企业券: the district's ratio of the technical contract — the engine's amount for the district's rule
  item (滨江区: 002/五, 30%, at most 50万元 an enterprise a year, counted in ``voucher_caps``), or the
  ratio given at issue — never more than the face value; paid to the holder.
- 平台券: the face value decided at issue (酌定), paid to the platform.
- 活动券: 50元 a valid service (003-32 第八条), at most 200 services an activity and 20万元 an organiser a
  year; paid to the organiser.

A redemption asked after the work year (同一工作年度内完成，逾期自动作废, 003-23 第十二条) is refused
and the voucher is voided in the same transaction: the answer is ``Voided``, which the caller
reports as a refusal once the void is committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.engine.evaluate import ELIGIBLE
from huiqi.money import format_fen
from huiqi.redemption import audit
from huiqi.rules.ast import CapKind
from huiqi.store.models import Entity
from huiqi.store.models_vouchers import Voucher, VoucherProvider, VoucherRedemption, VoucherUse
from huiqi.vouchers import amounts, caps, expiry, states, texts
from huiqi.vouchers.contract import get_voucher, use_of
from huiqi.vouchers.schemes import VoucherError, cite_item, cite_param, item, parameter, refuse


@dataclass(frozen=True, slots=True)
class Voided:
    """The redemption was refused because the work year is over; the voucher is now void."""

    voucher_id: int
    reason: str


def redemption_of(session: Session, voucher_id: int) -> VoucherRedemption | None:
    return session.execute(
        select(VoucherRedemption).where(VoucherRedemption.voucher_id == voucher_id)
    ).scalar_one_or_none()


def redeem(session: Session, voucher_id: int, by: str, on: date) -> VoucherRedemption | Voided:
    """Redeem voucher ``voucher_id`` on ``on``; again, the same redemption."""
    voucher = get_voucher(session, voucher_id, lock=True)
    found = redemption_of(session, voucher_id)
    if found is not None:
        return found
    if voucher.state == "void":
        raise VoucherError(f"voucher {voucher_id} is void ({voucher.void_reason})")
    if on > voucher.valid_until:
        reason = f"not redeemed by the end of work year {voucher.year} ({voucher.valid_until}); asked on {on}"
        expiry.void(session, voucher, on, by, reason)
        return Voided(voucher_id, f"{reason} ({texts.work_year(voucher.scheme)})")
    use = use_of(session, voucher_id)
    if voucher.state != "used" or use is None:
        raise VoucherError(f"voucher {voucher_id} is {voucher.state}: only a used voucher is redeemed")
    if on < use.used_on:
        raise VoucherError(f"voucher {voucher_id} was used on {use.used_on}; it cannot be redeemed on {on}")
    holder = session.get(Entity, voucher.holder_id)
    assert holder is not None
    if voucher.scheme == "enterprise":
        amount, citation = _enterprise(session, voucher, use, holder)
        payee_id, district = holder.id, voucher.district
    elif voucher.scheme == "platform":
        amount, citation = voucher.face_fen, voucher.amount_basis
        payee_id, district = holder.id, None  # issued by the city (市科委): no district's redemption
    else:
        amount, citation = _activity(session, voucher)
        payee_id, district = use.provider_entity_id, voucher.district
    row = VoucherRedemption(
        voucher_id=voucher.id,
        use_id=use.id,
        holder_id=voucher.holder_id,
        scheme=voucher.scheme,
        year=voucher.year,
        valid_until=voucher.valid_until,
        face_fen=voucher.face_fen,
        payee_id=payee_id,
        district=district,
        amount_fen=amount,
        citation=citation,
        redeemed_on=on,
        redeemed_by=by,
    )
    session.add(row)
    if not states.move(session, voucher, ("used",), "redeemed"):
        raise VoucherError(f"voucher {voucher_id} changed meanwhile; look again")
    audit.append(
        session,
        by,
        "voucher.redeem",
        f"voucher:{voucher.id}",
        {"amount_fen": amount, "payee_id": payee_id, "district": district, "citation": citation},
    )
    return row


def _enterprise(session: Session, voucher: Voucher, use: VoucherUse, holder: Entity) -> tuple[int, str]:
    assert use.contract_fen is not None
    yearly: list[caps.CapKey] = []
    if voucher.rate is not None:
        due = amounts.ratio_amount(use.contract_fen, Decimal(voucher.rate))
        citation = voucher.amount_basis
    else:
        assert voucher.ratio_item is not None
        rule = item(voucher.ratio_item)
        result = amounts.evaluate(
            session, rule.id, holder, voucher.year, {"tech_service_contract_fen": use.contract_fen}
        )
        if result.status is not ELIGIBLE:
            why = "；".join(result.why_not) or ", ".join(result.missing)
            raise VoucherError(f"{rule.id} pays nothing on contract {use.ref}: {why}")
        due, citation = result.amount_fen, cite_item(rule)
        # the rule's own yearly caps (002/五: 单个企业年最高额度不超过50万元), across the holder's vouchers
        doc = rule.id.split("/")[0]
        yearly = [
            caps.CapKey(
                "enterprise",
                rule.id,
                holder.key,
                str(voucher.year),
                "fen",
                cap.param.value,
                cite_param(doc, cap.param.name, rule.id),
            )
            for cap in rule.caps
            if cap.kind is CapKind.PER_YEAR
        ]
    amount = min(due, voucher.face_fen)
    if amount < due:
        citation += f"；以券面额{format_fen(voucher.face_fen)}为限（{texts.SELF_APPLIED.clause}申领额度）"
    for key in yearly:
        left = caps.remaining(session, key)
        if left < amount:
            amount = left
            citation += f"；年度上限余额{format_fen(left)}（{key.citation}）"
    if amount <= 0:
        raise VoucherError(
            f"voucher {voucher.id} pays nothing on contract {use.ref}: a yearly cap is reached"
        )
    for key in yearly:  # the rows are locked since ``remaining``: the charge fits
        if not caps.charge(session, key, amount):
            raise VoucherError(f"{holder.key}'s yearly cap changed meanwhile; look again ({key.citation})")
    return amount, citation


def _activity(session: Session, voucher: Voucher) -> tuple[int, str]:
    provider = session.get(VoucherProvider, voucher.provider_id)
    assert provider is not None
    organiser = session.get(Entity, provider.entity_id)
    assert organiser is not None
    year = str(voucher.year)
    per_event = caps.CapKey(
        "activity",
        "event",
        f"{organiser.key}#{voucher.event_ref}",
        year,
        "次",
        parameter("003-32", "max_services_per_event").value,
        cite_param("003-32", "max_services_per_event"),
    )
    if not caps.charge(session, per_event, 1):
        raise refuse(texts.ACTIVITY_SIGN_IN, f"activity {voucher.event_ref} has had all its paid services")
    per_year = caps.CapKey(
        "activity",
        "provider_year",
        organiser.key,
        year,
        "fen",
        parameter("003-32", "org_year_cap").value,
        cite_param("003-32", "org_year_cap"),
    )
    if not caps.charge(session, per_year, voucher.face_fen):
        raise VoucherError(f"{organiser.key} has reached its yearly cap for {year} ({per_year.citation})")
    return voucher.face_fen, voucher.amount_basis
