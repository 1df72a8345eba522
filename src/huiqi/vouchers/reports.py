"""The city's share of each district's redemptions in a year (市与区县（市）分担), per scheme.

- 活动券: the year's redemptions of each district split by the ratio of 003-32 第八条 (``cost_sharing:``
  in its rule file: 滨江区 1:1, 萧山区 1:3 …), with ``huiqi.redemption.sharing.CostShare`` — the
  project's one split and rounding rule — on the district's total (the city funds a district's year,
  "每年根据…实际使用情况兑付", 003-32 第三条). A district of today is shared as the text's district it
  came from (临平区 as 余杭区); a district the text does not name is reported unsplit, never guessed.
- 企业券: the city gives each district "不超过40%" of what it redeemed (003-23 第七条): a ceiling, so the
  report gives the city's ceiling (40%, rounded to the fen) and the district's remainder at least.
- 平台券: issued and paid by the city (市科委, 第八条); no district's share.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.money import round_fen
from huiqi.redemption.sharing import CostShare
from huiqi.store.models_vouchers import VoucherRedemption
from huiqi.vouchers import texts
from huiqi.vouchers.schemes import SCHEME_NAMES, parameter, ruleset


@dataclass(frozen=True, slots=True)
class DistrictShare:
    district: str  # as registered (today's name); "" when no district (平台券)
    named_as: str  # the district the text names (余杭区 for 临平区); "" when not shared
    vouchers: int
    total_fen: int
    city_fen: int | None  # None: not split (the text names no ratio for the district)
    district_fen: int | None
    kind: str  # "ratio" (city:district), "ceiling" (the city's at most), "city" (all the city's), "none"
    basis: str


def city_share(session: Session, scheme: str, year: int) -> list[DistrictShare]:
    """One row per district with redemptions of ``scheme`` in work year ``year``."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for district, amount in session.execute(
        select(VoucherRedemption.district, VoucherRedemption.amount_fen).where(
            VoucherRedemption.scheme == scheme, VoucherRedemption.year == year
        )
    ):
        row = totals[district or ""]
        row[0] += 1
        row[1] += amount
    return [_share(scheme, district, n, total) for district, (n, total) in sorted(totals.items())]


def _share(scheme: str, district: str, n: int, total: int) -> DistrictShare:
    if scheme == "platform":
        return DistrictShare(district, "", n, total, total, 0, "city", str(texts.PLATFORM_BY_CITY))
    if scheme == "enterprise":
        rate = parameter("003-23", "city_voucher_share_cap").value
        assert isinstance(rate, Decimal)
        city = round_fen(Decimal(total) * rate)
        # the rule file's figure (40%), cited with its whole sentence
        basis = str(texts.CITY_SHARE)
        assert parameter("003-23", "city_voucher_share_cap").text in basis
        return DistrictShare(district, district, n, total, city, total - city, "ceiling", basis)
    sharing = ruleset("003-32").cost_sharing
    assert sharing is not None
    found = sharing.ratio(district) if district else None
    if found is None:
        named = "、".join(sharing.by_district)
        whose = district or "an unregistered district"
        why = f"{sharing.source.clause} sets no ratio for {whose} (it names {named})"
        return DistrictShare(district, "", n, total, None, None, "none", why)
    city_parts, own_parts, named = found
    share = CostShare(city_parts, own_parts, f"{sharing.source.clause}: {sharing.source.quote}")
    city, own = share.split(total)
    return DistrictShare(district, named, n, total, city, own, "ratio", share.citation)


def as_json(scheme: str, year: int, rows: list[DistrictShare]) -> dict[str, Any]:
    return {
        "scheme": scheme,
        "name": SCHEME_NAMES[scheme],
        "year": year,
        "districts": [asdict(r) for r in rows],
        "total_fen": sum(r.total_fen for r in rows),
        "city_fen": sum(r.city_fen or 0 for r in rows),
    }
