"""Budgets (预算) per policy line per year: set, reserve, post, release — atomically.

A line's money is in three states: available (``amount − reserved − spent``), reserved by approved
orders not yet paid, and spent. Every move is one conditional ``UPDATE`` whose ``WHERE`` clause
re-checks the condition on the row it changes, so on PostgreSQL two concurrent approvals serialise
on the row lock and the second sees the first one's effect; on SQLite the single writer does the
same. The table's CHECK constraints (``reserved + spent <= amount``, both ``>= 0``) are the last
line of defence: even a bug in this module cannot commit an overrun.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from huiqi.redemption import audit
from huiqi.store.models import Budget


class BudgetError(ValueError):
    """A budget operation that the rules forbid (unknown line, overrun, lowering below use)."""


class BudgetExceeded(BudgetError):
    """Not enough available money on the line for this order."""


def get_budget(session: Session, line: str, year: int) -> Budget:
    budget = session.execute(
        select(Budget).where(Budget.line == line, Budget.year == year)
    ).scalar_one_or_none()
    if budget is None:
        raise BudgetError(f"no budget for line {line!r} in {year}; set one with `huiqi budget set`")
    return budget


def set_budget(session: Session, line: str, year: int, amount_fen: int, citation: str, actor: str) -> Budget:
    """Create the line's budget for ``year`` or change its amount (never below what is already used)."""
    if amount_fen < 0:
        raise BudgetError(f"a budget cannot be negative: {amount_fen} fen")
    if not citation.strip():
        raise BudgetError("a budget needs a citation: the clause or decision that sets it")
    budget = session.execute(
        select(Budget).where(Budget.line == line, Budget.year == year).with_for_update()
    ).scalar_one_or_none()
    if budget is None:
        budget = Budget(
            line=line, year=year, amount_fen=amount_fen, reserved_fen=0, spent_fen=0, citation=citation
        )
        session.add(budget)
        previous = None
    else:
        used = budget.reserved_fen + budget.spent_fen
        if amount_fen < used:
            raise BudgetError(
                f"budget {line} {year} cannot go to {amount_fen} fen: "
                f"{used} fen are already reserved or spent"
            )
        previous = budget.amount_fen
        budget.amount_fen = amount_fen
        budget.citation = citation
    session.flush()
    audit.append(
        session,
        actor,
        "budget.set",
        f"budget:{line}:{year}",
        {"amount_fen": amount_fen, "previous_fen": previous, "citation": citation},
    )
    return budget


def reserve(session: Session, budget_id: int, amount_fen: int) -> None:
    """available → reserved, only if the line has ``amount_fen`` available (else ``BudgetExceeded``)."""
    result = session.execute(
        update(Budget)
        .where(
            Budget.id == budget_id,
            Budget.amount_fen - Budget.reserved_fen - Budget.spent_fen >= amount_fen,
        )
        .values(reserved_fen=Budget.reserved_fen + amount_fen)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        budget = session.get(Budget, budget_id, populate_existing=True)
        available = budget.amount_fen - budget.reserved_fen - budget.spent_fen if budget else 0
        line = f"{budget.line} {budget.year}" if budget else str(budget_id)
        raise BudgetExceeded(f"budget {line} has {available} fen available, the order needs {amount_fen} fen")


def post(session: Session, budget_id: int, amount_fen: int) -> None:
    """reserved → spent (the money is paid out)."""
    _move(session, budget_id, reserved=-amount_fen, spent=amount_fen)


def release(session: Session, budget_id: int, amount_fen: int) -> None:
    """reserved → available (an order cancelled before payment)."""
    _move(session, budget_id, reserved=-amount_fen, spent=0)


def _move(session: Session, budget_id: int, reserved: int, spent: int) -> None:
    result = session.execute(
        update(Budget)
        .where(Budget.id == budget_id, Budget.reserved_fen + reserved >= 0)
        .values(reserved_fen=Budget.reserved_fen + reserved, spent_fen=Budget.spent_fen + spent)
        .execution_options(synchronize_session=False)
    )
    # The order's own state machine guarantees the reservation exists; failing here is a bug.
    assert result.rowcount == 1, f"budget {budget_id}: reserved amount would go negative"


@dataclass(frozen=True, slots=True)
class BudgetLine:
    line: str
    year: int
    amount_fen: int
    reserved_fen: int
    spent_fen: int
    citation: str

    @property
    def available_fen(self) -> int:
        return self.amount_fen - self.reserved_fen - self.spent_fen


def report(session: Session, year: int | None = None) -> list[BudgetLine]:
    """Every budget line (of ``year`` if given) with its use, ordered by year and line."""
    query = select(Budget).order_by(Budget.year, Budget.line)
    if year is not None:
        query = query.where(Budget.year == year)
    return [
        BudgetLine(b.line, b.year, b.amount_fen, b.reserved_fen, b.spent_fen, b.citation)
        for b in session.execute(query.execution_options(populate_existing=True)).scalars()
    ]
