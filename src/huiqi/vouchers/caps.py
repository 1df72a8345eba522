"""Counting a cap the texts set (年度上限) for one party and period: a ``voucher_caps`` row.

Charging is one conditional ``UPDATE … SET used_value = used_value + n WHERE used_value + n <=
limit_value``: it takes the row's lock (PostgreSQL; SQLite has one writer at a time), so two
concurrent charges are serialised and the CHECK ``used_value <= limit_value`` is the last word.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from huiqi.store.models_vouchers import VoucherCap


@dataclass(frozen=True, slots=True)
class CapKey:
    """Which cap (``quota``, ``holder_provider``, ``event``, ``provider_year``, ``platform``), for whom
    and over which period, in which unit, with its limit and the clause that sets it."""

    scheme: str
    cap: str
    party: str
    period: str
    unit: str
    limit: int
    citation: str


def _row(session: Session, key: CapKey) -> VoucherCap:
    query = select(VoucherCap).where(
        VoucherCap.scheme == key.scheme,
        VoucherCap.cap == key.cap,
        VoucherCap.party == key.party,
        VoucherCap.period == key.period,
    )
    row = session.execute(query.with_for_update()).scalar_one_or_none()
    if row is not None:
        return row
    try:  # the first charge creates the row; a concurrent first charge may win the insert
        with session.begin_nested():
            session.add(
                VoucherCap(
                    scheme=key.scheme,
                    cap=key.cap,
                    party=key.party,
                    period=key.period,
                    unit=key.unit,
                    limit_value=key.limit,
                    used_value=0,
                    citation=key.citation,
                )
            )
    except IntegrityError:
        pass
    return session.execute(query.with_for_update()).scalar_one()


def remaining(session: Session, key: CapKey) -> int:
    """What is left under the cap (locking its row until the transaction ends)."""
    row = _row(session, key)
    return row.limit_value - row.used_value


def charge(session: Session, key: CapKey, amount: int) -> bool:
    """Add ``amount`` to the cap if it fits; False (nothing charged) when it would go over."""
    row = _row(session, key)
    done = session.execute(
        update(VoucherCap)
        .where(VoucherCap.id == row.id, VoucherCap.used_value + amount <= VoucherCap.limit_value)
        .values(used_value=VoucherCap.used_value + amount)
        .execution_options(synchronize_session=False)
    )
    session.expire(row)
    return done.rowcount == 1
