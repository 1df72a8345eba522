"""004's targets (指标) against the registry's current figures, over HTTP and on ``/desk/targets``.

``huiqi.indicators`` does the work (targets checked against the text, four states, never a silent 0); this
module picks the year, reads the registry and returns each ``Reading.to_json()`` as a typed model.
"""

from __future__ import annotations

import functools

from pydantic import BaseModel, Field
from sqlalchemy import Engine, func, select

from huiqi.api.errors import forbidden
from huiqi.api.library import corpus
from huiqi.auth.roles import Principal, may_read_indicators
from huiqi.indicators import Target, compute, connect_registry, load_targets
from huiqi.store import transaction
from huiqi.store.models import YearlyFact

YEAR_MIN, YEAR_MAX = 1949, 2100


class TargetReading(BaseModel):
    """One target of 004 against the registry (``huiqi.indicators.Reading.to_json``)."""

    id: str
    label: str = Field(description="the text's own name for the figure, e.g. 国家高新技术企业数")
    clause: str = Field(description="where 004 sets it, e.g. 004/一")
    quote: str = Field(description="the sentence, verbatim")
    target_year: int | None = Field(description="2027; null when the text names no year")
    target_value: str
    unit: str
    kind: str = Field(description="count, ratio, amount, increment or yearly")
    comparison: str = Field(description="at_least (达/以上), above (超过) or about (左右)")
    year: int = Field(description="the year the figure is taken at (its end)")
    base_year: int | None = Field(description="increments only: the year counted from")
    status: str = Field(description="computed, not_computable, no_data or needs_base_year")
    value: str | None = Field(description="the current figure, rounded for showing")
    progress_pct: str | None = Field(description="value as a percentage of the target (100.0 = reached)")
    gap: str | None = Field(description="target − value, 0 once reached")
    met: bool | None
    detail: str = Field(description="how the figure was taken, or why there is none")


class TargetsReport(BaseModel):
    document: str = "004"
    source: str = Field("registry", description="the figures are read from the registry (登记册)")
    year: int
    base_year: int | None
    problem: str | None = Field(None, description="why the base year given was not used")
    latest_data_year: int | None = Field(description="the latest year with yearly facts in the registry")
    target_years: list[int] = Field(description="the years 004 sets quantified targets for")
    readings: list[TargetReading]
    counts: dict[str, int] = Field(description="readings per status")


@functools.cache
def targets() -> tuple[Target, ...]:
    """004's targets, read and checked against the text once per process."""
    return tuple(load_targets(corpus=corpus()))


def _latest_year(engine: Engine) -> int | None:
    with transaction(engine) as s:
        return s.execute(select(func.max(YearlyFact.year))).scalar_one_or_none()


def targets_report(
    engine: Engine, who: Principal, fallback_year: int, year: int | None = None, base_year: int | None = None
) -> TargetsReport:
    """Each 004 target against the registry at the end of ``year``.

    ``year`` defaults to the latest year the registry has yearly facts for ("the current figures"), else
    ``fallback_year`` (today's year: an empty registry then reads no_data, never 0).
    ``base_year`` is where increments count from; 004 states none, so without it
    those targets read ``needs_base_year`` rather than a guessed year."""
    if not may_read_indicators(who):
        raise forbidden("只有部门经办人、财政和审计可以查看指标")
    latest = _latest_year(engine)
    year = year or latest or fallback_year
    problem = None
    if base_year is not None and base_year >= year:
        # Not an error of the request's shape (the schema cannot relate two parameters): the increments say
        # why they have no figure, like any other target without one, and the rest is computed.
        problem = f"基准年 base_year（{base_year}）须早于统计年份 year（{year}）：新增类指标未计算"
        base_year = None
    con = connect_registry(engine)
    try:
        readings = compute(list(targets()), con, year, base_year)
    finally:
        con.close()
    out = [TargetReading(**r.to_json()) for r in readings]
    if problem is not None:
        out = [r.model_copy(update={"detail": problem}) if r.status == "needs_base_year" else r for r in out]
    counts: dict[str, int] = {}
    for r in out:
        counts[r.status] = counts.get(r.status, 0) + 1
    return TargetsReport(
        year=year,
        base_year=base_year,
        problem=problem,
        latest_data_year=latest,
        target_years=sorted({t.year for t in targets() if t.year is not None}),
        readings=out,
        counts=counts,
    )
