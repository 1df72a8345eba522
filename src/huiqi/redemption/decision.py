"""审批决定 (decisions) on the lines of a run, maker-checker (审核分离).

The official who prepared a run (its maker, 经办人) cannot approve or reject any of its lines: this
module refuses it with a clear message, and the database refuses it again (CHECK ``decided_by <>
preparer`` on ``decisions``, with ``preparer`` tied to the run by a composite foreign key), so no
code path can get around it. Every decision records who, on which day, why, and — for an approval —
the amount to pay and the payment order's idempotency key, derived from (run, line).

An eligible line is approved at its current amount (the engine's figure, or the one an objection
resolution set). A discretionary line (酌定事项) needs an amount from the decision itself, within the
ceiling its text states when it states one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.money import format_fen
from huiqi.redemption import audit
from huiqi.redemption.notice import require_decidable
from huiqi.redemption.run import RunError, get_line, get_run
from huiqi.store.models_runs import Decision, RunLine


class MakerCheckerError(RunError):
    """The preparer of a run tried to decide on it."""


def order_key(run_id: int, line_no: int) -> str:
    """The idempotency key of the payment order of a line: one line, one order, forever."""
    return f"run:{run_id}:line:{line_no}"


def decide(
    session: Session,
    run_id: int,
    by: str,
    approve: bool,
    reason: str,
    on: date,
    line_nos: list[int] | None = None,
    amount_fen: int | None = None,
) -> list[Decision]:
    """Approve or reject lines of a run (all open lines when ``line_nos`` is None).

    With ``line_nos`` None, open discretionary lines without an amount are left undecided (each needs
    its own amount); ``amount_fen`` applies only to the discretionary lines named in ``line_nos``.
    """
    run = get_run(session, run_id)
    by = by.strip()  # " 王经办" is 王经办: a stray space must not pass the maker-checker rule
    if not by:
        raise RunError("a decision needs the name of the deciding official (--by)")
    if by == run.prepared_by:
        raise MakerCheckerError(
            f"{by} prepared run {run_id} and cannot decide on it: "
            "a second official must (maker-checker, 审核分离)"
        )
    if not reason.strip():
        raise RunError("a decision needs a reason")
    if line_nos is None:
        lines = list(
            session.execute(
                select(RunLine)
                .where(RunLine.run_id == run_id, RunLine.state == "open")
                .order_by(RunLine.line_no)
                .with_for_update()  # two officials deciding at once: the second waits, then sees the first
                .execution_options(populate_existing=True)
            ).scalars()
        )
        if approve:  # a discretionary line without an amount waits for its own decision
            lines = [ln for ln in lines if ln.status == "eligible" or ln.amount_fen is not None]
    else:
        lines = [get_line(session, run_id, n, lock=True) for n in line_nos]
    made = []
    for line in lines:
        if line.state != "open":
            raise RunError(
                f"line {line.line_no} of run {run_id} is {line.state}; only an open line can be decided"
            )
        require_decidable(session, line, on)
        amount = None
        if approve:
            amount = _amount_to_pay(line, amount_fen)
        decision = Decision(
            run_id=run_id,
            line_id=line.id,
            preparer=run.prepared_by,
            decided_by=by,
            decision="approve" if approve else "reject",
            amount_fen=amount,
            reason=reason,
            decided_on=on,
            at=datetime.now(UTC),
            order_key=order_key(run_id, line.line_no) if approve and amount else None,
        )
        session.add(decision)
        line.state = "approved" if approve else "rejected"
        line.state_by = by
        if amount is not None:
            line.amount_fen = amount
        session.flush()
        audit.append(
            session,
            by,
            f"decision.{decision.decision}",
            f"run:{run_id}/line:{line.line_no}",
            {"amount_fen": amount, "reason": reason, "on": on.isoformat(), "preparer": run.prepared_by},
        )
        made.append(decision)
    return made


def _amount_to_pay(line: RunLine, amount_fen: int | None) -> int:
    if line.status == "eligible":
        if amount_fen is not None and amount_fen != line.amount_fen:
            raise RunError(
                f"line {line.line_no} is computed by the rules ({format_fen(line.amount_fen or 0)}); "
                "change its amount through an objection's resolution, not in the decision"
            )
        return line.amount_fen or 0
    amount = amount_fen if amount_fen is not None else line.amount_fen
    if amount is None:
        raise RunError(
            f"line {line.line_no} is discretionary (酌定): the decision must give the amount (--amount)"
        )
    if amount < 0:
        raise RunError("an amount cannot be negative")
    if line.cap_fen is not None and amount > line.cap_fen:
        raise RunError(
            f"line {line.line_no}: {format_fen(amount)} is above the ceiling the text states "
            f"({format_fen(line.cap_fen)})"
        )
    return amount
