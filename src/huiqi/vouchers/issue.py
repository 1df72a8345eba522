"""发放: issuing the voucher of an application, inside the work year and the texts' caps.

Issuing an application twice returns the same voucher (``vouchers.application_id`` is UNIQUE). The
caps charged here, each a ``voucher_caps`` row (``huiqi.vouchers.caps``):

- 企业券: the holder's yearly quota (年度申领额度), 20万元 an enterprise, 10万元 a maker (003-23 第六条);
- 平台券: the item's ceiling for the platform, per year (已建) or over the build period (新建专业平台,
  500万元), with the face value — a decision, "根据…确定" — under the rule's ceiling of the year;
- 活动券: one voucher per person per activity (一人一券, 003-32 第二条) and at most 12 a year from
  one organiser (第六条).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from huiqi.money import format_fen
from huiqi.redemption import audit
from huiqi.store.models import Entity
from huiqi.store.models_vouchers import Voucher, VoucherApplication, VoucherProvider
from huiqi.vouchers import caps, texts
from huiqi.vouchers.schemes import (
    DISTRICT_RATIO_ITEM,
    PLATFORM_ITEMS,
    QUOTA_CAP_PARAM,
    SCHEME_DOCUMENT,
    VoucherError,
    cite_item,
    cite_param,
    covers,
    in_force,
    item,
    parameter,
    refuse,
    work_year_end,
)


def get_application(session: Session, application_id: int, lock: bool = False) -> VoucherApplication:
    query = select(VoucherApplication).where(VoucherApplication.id == application_id)
    row = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if row is None:
        raise VoucherError(f"no voucher application {application_id}")
    return row


def voucher_of(session: Session, application_id: int) -> Voucher | None:
    return session.execute(
        select(Voucher).where(Voucher.application_id == application_id)
    ).scalar_one_or_none()


def issue(
    session: Session,
    application_id: int,
    by: str,
    on: date,
    *,
    face_fen: int | None = None,
    rate: str | None = None,
    rate_basis: str | None = None,
) -> Voucher:
    """Issue the voucher of ``application_id``; again, the same voucher.

    ``face_fen``: 企业券, at most the quota asked (default: all of it); 平台券, the amount decided
    (required). ``rate`` and ``rate_basis``: 企业券 of a district with no ratio rule in force — the
    district's ratio ("0.3" or "30%") and the text that sets it."""
    app = get_application(session, application_id, lock=True)  # a concurrent issuer waits here
    found = voucher_of(session, application_id)
    if found is not None:
        return found
    if app.state != "applied":
        raise VoucherError(f"application {application_id} is {app.state}; nothing to issue")
    if on.year != app.year or on < app.applied_on:
        raise refuse(
            texts.work_year(app.scheme),
            f"application {application_id} (work year {app.year}, applied {app.applied_on}) "
            f"cannot be issued on {on}",
        )
    in_force(SCHEME_DOCUMENT[app.scheme], on)
    holder = session.get(Entity, app.holder_id)
    assert holder is not None
    voucher = Voucher(
        application_id=app.id,
        holder_id=app.holder_id,
        scheme=app.scheme,
        year=app.year,
        district=app.district,
        item=app.item,
        provider_id=app.provider_id,
        event_ref=app.event_ref,
        issued_on=on,
        valid_until=work_year_end(app.year),
        issued_by=by,
        state="issued",
    )
    if app.scheme == "enterprise":
        _enterprise(session, app, holder, voucher, on, face_fen, rate, rate_basis)
    elif app.scheme == "platform":
        _platform(session, app, holder, voucher, face_fen)
    else:
        _activity(session, app, holder, voucher)
    taken = session.execute(
        update(VoucherApplication)
        .where(VoucherApplication.id == app.id, VoucherApplication.state == "applied")
        .values(state="issued")
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # a concurrent issuer got there first; its voucher is the one
        raise VoucherError(f"application {application_id} was issued meanwhile; look again")
    session.expire(app)
    session.add(voucher)
    session.flush()
    audit.append(
        session,
        by,
        "voucher.issue",
        f"voucher:{voucher.id}",
        {
            "application": app.id,
            "scheme": app.scheme,
            "holder": holder.key,
            "year": app.year,
            "face_fen": voucher.face_fen,
            "valid_until": voucher.valid_until.isoformat(),
            "amount_basis": voucher.amount_basis,
        },
    )
    return voucher


def _charge(session: Session, key: caps.CapKey, amount: int, what: str) -> None:
    if not caps.charge(session, key, amount):
        left = caps.remaining(session, key)
        shown = format_fen(left) if key.unit == "fen" else f"{left} {key.unit}"
        raise VoucherError(f"{what}: the cap is reached ({shown} left) ({key.citation})")


def _enterprise(
    session: Session,
    app: VoucherApplication,
    holder: Entity,
    voucher: Voucher,
    on: date,
    face_fen: int | None,
    rate: str | None,
    rate_basis: str | None,
) -> None:
    face = app.requested_fen if face_fen is None else face_fen
    if not 0 < face <= app.requested_fen:
        raise VoucherError(
            "the face value is more than nothing and at most the quota asked "
            f"({format_fen(app.requested_fen)})"
        )
    voucher.face_fen = face
    rule_id = DISTRICT_RATIO_ITEM.get(app.district or "")
    rule = item(rule_id) if rule_id else None
    if rule is not None and holder.kind in rule.entities and covers(rule.validity, on):
        if rate is not None:
            raise VoucherError(f"{app.district}'s ratio is set by {rule.id}; no --rate is taken")
        voucher.ratio_item = rule.id
        voucher.amount_basis = cite_item(rule)
    else:
        voucher.rate, voucher.amount_basis = _given_rate(app.district, rate, rate_basis)
    param = QUOTA_CAP_PARAM[holder.kind]
    key = caps.CapKey(
        "enterprise",
        "quota",
        holder.key,
        str(app.year),
        "fen",
        parameter("003-23", param).value,
        cite_param("003-23", param),
    )
    _charge(session, key, face, f"{holder.key}'s 企业券 quota for {app.year}")


def _given_rate(district: str | None, rate: str | None, basis: str | None) -> tuple[str, str]:
    """A district ratio given at issue, where no rule of this project sets it (003-23 leaves it open)."""
    if rate is None or not (basis or "").strip():
        raise refuse(
            texts.OPEN_RATIO,
            f"no rule in force sets {district}'s 企业券 ratio: give the ratio and the text that sets it",
        )
    text = rate.strip()
    try:
        value = Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)
    except InvalidOperation as exc:
        raise VoucherError(f"ratio {rate!r}: write it as 0.3 or 30%") from exc
    if not 0 < value <= 1:
        raise VoucherError(f"ratio {rate!r} is not between 0 and 1 (100%)")
    return str(value), f"{basis.strip()}（{district}的企业券比例，发放时给定；{texts.OPEN_RATIO}）"


def _platform(
    session: Session, app: VoucherApplication, holder: Entity, voucher: Voucher, face_fen: int | None
) -> None:
    rule = item(app.item)
    basis = rule.discretion.basis if rule.discretion else ""
    if face_fen is None or face_fen <= 0:
        raise VoucherError(f"{app.item} leaves the amount to a decision ({basis}): give the amount decided")
    if face_fen > app.requested_fen or (app.cap_fen is not None and face_fen > app.cap_fen):
        ceiling = min(app.requested_fen, app.cap_fen if app.cap_fen is not None else app.requested_fen)
        raise VoucherError(
            f"{format_fen(face_fen)} is over the amount asked or the rule's ceiling ({format_fen(ceiling)})"
        )
    voucher.face_fen = face_fen
    voucher.amount_basis = f"{cite_item(rule)}（酌定：{basis}，发放时决定）"
    param, period = PLATFORM_ITEMS[app.item]
    if param is not None:
        key = caps.CapKey(
            "platform",
            app.item,
            holder.key,
            str(app.year) if period == "year" else period,
            "fen",
            parameter("003-23", param).value,
            cite_param("003-23", param, app.item),
        )
        _charge(session, key, face_fen, f"{holder.key}'s {app.item}")


def _activity(session: Session, app: VoucherApplication, holder: Entity, voucher: Voucher) -> None:
    provider = session.get(VoucherProvider, app.provider_id)
    assert provider is not None
    organiser = session.get(Entity, provider.entity_id)
    assert organiser is not None
    voucher.face_fen = app.requested_fen
    voucher.amount_basis = cite_param("003-32", "per_service")
    one = caps.CapKey(
        "activity",
        "one_each",
        f"{holder.key}@{organiser.key}#{app.event_ref}",
        str(app.year),
        "张",
        1,
        str(texts.ACTIVITY_ONE_EACH),
    )
    _charge(session, one, 1, f"{holder.key}'s voucher for activity {app.event_ref}")
    twelve = caps.CapKey(
        "activity",
        "holder_organiser",
        f"{holder.key}@{organiser.key}",
        str(app.year),
        "张",
        texts.PER_ORGANISER_YEAR,
        str(texts.TWELVE_PER_ORGANISER),
    )
    _charge(session, twelve, 1, f"{holder.key}'s vouchers for {organiser.key}'s activities in {app.year}")
