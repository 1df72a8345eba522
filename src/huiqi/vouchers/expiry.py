"""作废: what is not redeemed in its work year is void ("逾期自动作废", 003-23 第十二条).

``void_expired`` voids, as of a day, every voucher whose work year ended before it and that was not
redeemed (issued or used), and every application of an ended year never issued. Running it again
voids nothing more. Voiding does not give back the quota charged at issue: the text caps what is
applied for and issued in a year (年度申领额度), and a void voucher was issued.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.redemption import audit
from huiqi.store.models_vouchers import Voucher, VoucherApplication
from huiqi.vouchers import states, texts
from huiqi.vouchers.schemes import VoucherError, work_year_end


def void(session: Session, voucher: Voucher, on: date, by: str, reason: str) -> bool:
    """Void one voucher that is not redeemed; False when it already was void."""
    if voucher.state == "redeemed":
        raise VoucherError(f"voucher {voucher.id} is redeemed; it cannot be voided")
    if not states.move(session, voucher, ("issued", "used"), "void", voided_on=on, void_reason=reason):
        return False
    audit.append(
        session,
        by,
        "voucher.void",
        f"voucher:{voucher.id}",
        {"on": on.isoformat(), "reason": reason, "clause": texts.work_year(voucher.scheme).clause},
    )
    return True


def void_expired(session: Session, as_of: date, by: str) -> tuple[list[int], list[int]]:
    """Void what the end of a work year before ``as_of`` left unredeemed: (voucher ids, application ids)."""
    vouchers = session.execute(
        select(Voucher)
        .where(Voucher.state.in_(("issued", "used")), Voucher.valid_until < as_of)
        .order_by(Voucher.id)
        .with_for_update()
    ).scalars()
    voided = [
        v.id
        for v in list(vouchers)
        if void(session, v, as_of, by, f"work year {v.year} ended {v.valid_until} unredeemed")
    ]
    lapsed: list[int] = []
    for app in session.execute(
        select(VoucherApplication)
        .where(VoucherApplication.state == "applied")
        .order_by(VoucherApplication.id)
        .with_for_update()
    ).scalars():
        if work_year_end(app.year) < as_of:
            app.state = "void"
            lapsed.append(app.id)
            audit.append(
                session,
                by,
                "voucher.application_void",
                f"voucher-application:{app.id}",
                {"on": as_of.isoformat(), "year": app.year, "clause": texts.work_year(app.scheme).clause},
            )
    session.flush()
    return voided, lapsed
