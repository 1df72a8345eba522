"""City:district cost sharing (市与区县（市）两级财政按比例承担).

Several city documents in 003 say a subsidy is borne by the city and the district in a ratio, e.g.
"市与上城区、…、滨江区、…的承担比例为 1:1；市与萧山区、余杭区、…的承担比例为 1:3". A payment
records both shares in fen and they add up to the amount exactly.

The odd fen: the city's share is ``amount × city / (city + district)`` rounded to the fen by the
project's one rule (``round_fen``, 四舍五入), and the district's share is the rest, so the two add up
exactly. 1:1 on 1,001 fen → city 501, district 500; 1:3 on 1,002 fen → city 251, district 751.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from huiqi.money import round_fen


@dataclass(frozen=True, slots=True)
class CostShare:
    """A city:district ratio and the text that sets it (quoted verbatim)."""

    city: int
    district: int
    citation: str

    def __post_init__(self) -> None:
        if self.city < 0 or self.district < 0 or self.city + self.district == 0:
            raise ValueError(
                f"a cost-sharing ratio needs non-negative parts, not both zero: {self.city}:{self.district}"
            )
        if not self.citation.strip():
            raise ValueError("a cost-sharing ratio needs the citation of the clause that sets it")

    def split(self, amount_fen: int) -> tuple[int, int]:
        """(city_fen, district_fen) for ``amount_fen``; they add up to it exactly."""
        if amount_fen < 0:
            raise ValueError(f"cannot split a negative amount: {amount_fen}")
        # The project's one rounding rule (四舍五入 to the fen), as the population stages use it, so a
        # simulated split is exactly the split that is paid.
        city_fen = round_fen(Decimal(amount_fen) * self.city / (self.city + self.district))
        district_fen = amount_fen - city_fen
        assert city_fen + district_fen == amount_fen and city_fen >= 0 and district_fen >= 0
        return city_fen, district_fen


def parse_ratio(text: str, citation: str) -> CostShare:
    """``"1:3"`` (or ``1：3``) → CostShare(1, 3)."""
    parts = text.replace("：", ":").split(":")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise ValueError(f"a cost-sharing ratio is written city:district, e.g. 1:3, not {text!r}")
    return CostShare(int(parts[0]), int(parts[1]), citation)
