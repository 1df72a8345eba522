"""Targets read against the data: the current figure, progress towards the target and the gap.

    targets = load_targets()                                  # 004's, checked against the text
    con = connect_population(Path("pop"))                     # or connect_registry(engine)
    for r in compute(targets, con, 2026, base_year=2024):
        print(r.target.label, r.value, r.progress_pct, r.gap)

A target is in one of four states, never silently 0: ``computed``; ``not_computable`` (the facts
vocabulary cannot express it, ``Target.why``); ``no_data`` (computable, but the source holds no
record of it — no such title at all, no enterprise reporting both facts of a ratio);
``needs_base_year`` (an increment asked for without a base year).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import duckdb

from huiqi.indicators import measures
from huiqi.indicators.targets import Target

STATUSES = ("computed", "not_computable", "no_data", "needs_base_year")


@dataclass(frozen=True, slots=True)
class Reading:
    """One target against the data of one year."""

    target: Target
    year: int
    status: str
    value: Decimal | None
    detail: str  # how the figure was taken, or why there is none
    base_year: int | None = None  # increments only: the year counted from

    @property
    def progress_pct(self) -> Decimal | None:
        """Current value as a percentage of the target, one decimal (100.0 = reached)."""
        if self.value is None:
            return None
        return (self.value / self.target.value * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def gap(self) -> Decimal | None:
        """How much is still missing (target − current); 0 once the value is reached or passed.

        For "超过" (``above``) a figure equal to the target has gap 0 yet is not met: read ``met``."""
        if self.value is None:
            return None
        return max(self.target.value - self.value, Decimal(0))

    @property
    def met(self) -> bool | None:
        """Whether the figure meets the target: "达/以上" at least the value, "超过" strictly above."""
        if self.value is None or self.target.comparison == "about":
            return None
        if self.target.comparison == "above":
            return self.value > self.target.value
        return self.value >= self.target.value

    def to_json(self) -> dict:
        t = self.target
        return {
            "id": t.id,
            "label": t.label,
            "clause": t.clause,
            "quote": t.quote,
            "target_year": t.year,
            "target_value": str(t.value),
            "unit": t.unit,
            "kind": t.kind,
            "comparison": t.comparison,
            "year": self.year,
            "base_year": self.base_year,
            "status": self.status,
            "value": None if self.value is None else str(display(self.value, t)),
            "progress_pct": None if self.progress_pct is None else str(self.progress_pct),
            "gap": None if self.gap is None else str(display(self.gap, t)),
            "met": self.met,
            "detail": self.detail,
        }


def display(value: Decimal, target: Target) -> Decimal:
    """A figure rounded for showing: whole numbers for counts, two decimals for ratios and amounts."""
    places = Decimal(1) if target.kind in ("count", "increment", "yearly") else Decimal("0.01")
    return value.quantize(places, ROUND_HALF_UP)


def compute(
    targets: list[Target], source: duckdb.DuckDBPyConnection, year: int, base_year: int | None = None
) -> list[Reading]:
    """Each target against ``source`` (see :mod:`huiqi.indicators.sources`) at the end of ``year``.

    ``base_year`` is where increments ("新增45家") count from: 004 states none, so the caller
    chooses; it is returned on every increment's reading.
    """
    return [_reading(t, source, year, base_year) for t in targets]


def _reading(target: Target, con: duckdb.DuckDBPyConnection, year: int, base_year: int | None) -> Reading:
    m = target.measure
    if m is None:
        return Reading(target, year, "not_computable", None, target.why or "")
    if m.mechanism == "title_holders":
        figure = measures.title_holders(con, m, year)
    elif m.mechanism == "newly_titled":
        try:
            figure = measures.newly_titled(con, m, year, base_year)
        except measures.NeedsBaseYear as exc:
            return Reading(target, year, "needs_base_year", None, str(exc))
    else:
        figure = measures.ratio_of_sums(con, m, year, target.unit)
    used_base = base_year if m.mechanism == "newly_titled" else None
    if figure is None:
        return Reading(target, year, "no_data", None, _no_data(target, year), used_base)
    return Reading(target, year, "computed", figure.value, figure.detail, used_base)


def _no_data(target: Target, year: int) -> str:
    m = target.measure
    assert m is not None
    if m.mechanism == "ratio_of_sums":
        return f"no enterprise reports both {m.numerator} and {m.denominator} for {year}"
    level = f" ({m.level})" if m.level else ""
    return f"the source records no enterprise_title {m.title}{level} at all"
