"""Budgets (预算) over HTTP: use per policy line and year, and setting a line's budget (finance only).

The data functions call ``huiqi.redemption.budget`` (``report``, ``set_budget``: atomic, audited, never below
what is already reserved or spent); the 工作台 page ``/desk/budgets`` renders the same ``BudgetReport``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy import Engine, select

from huiqi.api.calculator import Money, money
from huiqi.api.errors import bad_request, forbidden
from huiqi.api.profile_contract import whole_number
from huiqi.auth.roles import Principal, may_read_budgets, may_set_budget
from huiqi.redemption.budget import BudgetError, BudgetLine, report, set_budget
from huiqi.store import transaction
from huiqi.store.models import Budget

YEAR_MIN, YEAR_MAX = 1949, 2100
# Engineering bound, not policy: 10^15 fen is 10 万亿元, far above any district's budget line.
AMOUNT_MAX_FEN = 10**15


class BudgetLineOut(BaseModel):
    line: str = Field(description="the policy line, e.g. 002 or 002/六")
    year: int
    budget: Money
    reserved: Money = Field(description="held by approved orders not yet paid")
    spent: Money = Field(description="paid out")
    remaining: Money = Field(description="budget − reserved − spent")
    used_pct: str | None = Field(description="(reserved + spent) / budget, one decimal; null for a 0 budget")
    citation: str = Field(description="the clause or decision that set the amount")


class BudgetReport(BaseModel):
    year: int | None = Field(description="the year asked for, or null for every year")
    years: list[int] = Field(description="the years that have budget lines")
    lines: list[BudgetLineOut]
    total: BudgetLineOut | None = Field(
        description="the sum over the lines shown (line 合计, year of the first)"
    )


class BudgetSet(BaseModel):
    line: str = Field(min_length=1, max_length=100, pattern=r"\S", description="policy line, e.g. 002")
    # Strict, as the calculator's body: true is not 1 fen and "2023" is not a year; 2023.0 is (JSON Schema).
    model_config = ConfigDict(strict=True)

    year: Annotated[int, BeforeValidator(whole_number)] = Field(ge=YEAR_MIN, le=YEAR_MAX)
    amount_fen: Annotated[int, BeforeValidator(whole_number)] = Field(
        ge=0, le=AMOUNT_MAX_FEN, description="the line's budget in fen (分)"
    )
    citation: str = Field(
        min_length=1,
        max_length=2000,
        pattern=r"\S",
        description="the clause or decision that sets it, quoted, e.g. 002 一: 每年安排专项资金不少于3亿元",
    )


def _pct(used: int, amount: int) -> str | None:
    if amount == 0:
        return None
    tenths = (used * 1000 * 2 + amount) // (amount * 2)  # 四舍五入 to one decimal, in integers
    return f"{tenths // 10}.{tenths % 10}"


def line_out(b: BudgetLine) -> BudgetLineOut:
    return BudgetLineOut(
        line=b.line,
        year=b.year,
        budget=money(b.amount_fen),
        reserved=money(b.reserved_fen),
        spent=money(b.spent_fen),
        remaining=money(b.available_fen),
        used_pct=_pct(b.reserved_fen + b.spent_fen, b.amount_fen),
        citation=b.citation,
    )


def budget_report(engine: Engine, who: Principal, year: int | None = None) -> BudgetReport:
    """Every budget line (of ``year`` if given) with budget, reserved, spent and remaining."""
    if not may_read_budgets(who):
        raise forbidden("只有部门经办人、财政和审计可以查看预算执行情况")
    with transaction(engine) as s:
        lines = report(s, year)
        years = sorted({b.year for b in report(s)})
    total = None
    if lines:
        total = line_out(
            BudgetLine(
                "合计",
                lines[0].year,
                sum(b.amount_fen for b in lines),
                sum(b.reserved_fen for b in lines),
                sum(b.spent_fen for b in lines),
                "",
            )
        )
    return BudgetReport(year=year, years=years, lines=[line_out(b) for b in lines], total=total)


def set_line(engine: Engine, who: Principal, data: BudgetSet) -> BudgetLineOut:
    """Create a line's budget for a year or change it (finance). Audited with its citation."""
    if not may_set_budget(who):
        raise forbidden("只有财政可以设定预算")
    line, citation = data.line.strip(), data.citation.strip()
    try:
        with transaction(engine) as s:
            existing = s.execute(
                select(Budget).where(Budget.line == line, Budget.year == data.year)
            ).scalar_one_or_none()
            if existing is not None and data.amount_fen < existing.reserved_fen + existing.spent_fen:
                used = existing.reserved_fen + existing.spent_fen
                raise bad_request(
                    f"预算 {line}（{data.year}年）不能调到 {money(data.amount_fen).display}："
                    f"已预留和已支付合计 {money(used).display}"
                )
            b = set_budget(s, line, data.year, data.amount_fen, citation, who.username)
            return line_out(BudgetLine(b.line, b.year, b.amount_fen, b.reserved_fen, b.spent_fen, b.citation))
    except BudgetError as exc:  # set_budget re-checks under its row lock; a concurrent change lands here
        raise bad_request(str(exc)) from None
