"""Holders and providers the voucher tests share, added straight to the registry's table."""

from __future__ import annotations

from sqlalchemy.orm import Session

from huiqi.store.models import Entity, YearlyFact

from .conftest import credit_code

WAN = 10_000 * 100  # 1万元 in fen
YUAN = 100


def add(
    session: Session, kind: str, n: int, name: str, district: str | None = "滨江区", years: range = range(0)
) -> str:
    """An entity of ``kind`` with a key made from ``n``; returns the key. An enterprise with ``years``
    has its fiscal revenue in the district in those years (002's 资助对象 condition)."""
    key = credit_code(n) if kind in ("enterprise", "institution") else f"{kind}-{n:04d}"
    attributes = {"district": district} if district else {}
    session.add(
        Entity(
            kind=kind,
            key=key,
            name=name,
            credit_code=key if kind in ("enterprise", "institution") else None,
            attributes=attributes,
            content_hash=f"{n:064d}",
        )
    )
    session.flush()
    entity = session.query(Entity).filter_by(kind=kind, key=key).one()
    for year in years:
        session.add(
            YearlyFact(entity_id=entity.id, year=year, name="is_fiscal_revenue_in_district", value=True)
        )
    session.flush()
    return key
