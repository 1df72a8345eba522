"""The scalar engine's answers in the vectorized engine's row shape, for agreement checks.

Loops over profiles with ``calculate(..., explain=False)``: the reference the property tests and the
benchmark's exactness check compare the SQL results against, never a way to compute a population.
"""

from __future__ import annotations

from huiqi.engine.evaluate import Status, calculate
from huiqi.engine.profile import Profile
from huiqi.rules.loader import RuleBook

# entity_id, item_id, year, status, amount_fen, cap_fen, missing (the sorted facts an undetermined
# item lacks; None on other rows)
Row = tuple[str, str, int, str, int, int | None, list[str] | None]


def scalar_rows(
    book: RuleBook,
    profiles: list[Profile],
    year: int,
    documents: list[str] | None = None,
    dense: bool = False,
) -> list[Row]:
    """Every (entity, item) row that is not ``not_eligible`` (all rows with ``dense``), sorted."""
    out: list[Row] = []
    for p in profiles:
        calc = calculate(book, p, year, explain=False, near_misses=False, documents=documents)
        for r in calc.items:
            if r.status is Status.NOT_ELIGIBLE and not dense:
                continue
            amount = r.amount_fen if r.status is Status.ELIGIBLE else 0
            cap = r.cap_fen if r.status is Status.DISCRETIONARY else None
            missing = list(r.missing) if r.status is Status.UNDETERMINED else None
            out.append((p.id, r.item.id, year, r.status.value, amount, cap, missing))
    return sorted(out)
