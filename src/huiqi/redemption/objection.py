"""异议 (objections) against a line of a published run, and their resolution.

Anyone may object during the notice window (an enterprise about its own amount, a third party about
someone's eligibility). An official resolves it with a reason, either keeping the line as it is or
changing its amount (a discretionary line's new amount must stay within its stated ceiling). A
line with a pending objection cannot be decided.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from huiqi.money import format_fen
from huiqi.redemption import audit
from huiqi.redemption.notice import NoticeError, require_window_open
from huiqi.redemption.run import get_line
from huiqi.store.models_runs import Objection, RunLine


def add(session: Session, run_id: int, line_no: int, by: str, reason: str, on: date) -> Objection:
    """Record an objection against line ``line_no`` of run ``run_id`` (inside the notice window)."""
    if not reason.strip():
        raise NoticeError("an objection needs a reason")
    require_window_open(session, run_id, on)
    line = get_line(session, run_id, line_no, lock=True)
    if line.state != "open":
        raise NoticeError(
            f"line {line_no} of run {run_id} is {line.state}; objections are against open lines"
        )
    objection = Objection(line_id=line.id, raised_by=by, raised_on=on, reason=reason, state="pending")
    session.add(objection)
    session.flush()
    audit.append(
        session,
        by,
        "objection.add",
        f"objection:{objection.id}",
        {"run": run_id, "line": line_no, "reason": reason},
    )
    return objection


def resolve(
    session: Session, objection_id: int, by: str, reason: str, on: date, new_amount_fen: int | None = None
) -> Objection:
    """Resolve: keep the line (``new_amount_fen`` None) or change its amount; the reason is required."""
    if not reason.strip():
        raise NoticeError("resolving an objection needs a reason")
    objection = session.get(Objection, objection_id, with_for_update=True)
    if objection is None:
        raise NoticeError(f"no objection {objection_id}")
    if objection.state != "pending":
        raise NoticeError(f"objection {objection_id} is already resolved ({objection.state})")
    line = session.get(RunLine, objection.line_id)
    assert line is not None
    if new_amount_fen is not None:
        if new_amount_fen < 0:
            raise NoticeError("an amount cannot be negative")
        if line.cap_fen is not None and new_amount_fen > line.cap_fen:
            raise NoticeError(
                f"line {line.line_no}: {format_fen(new_amount_fen)} is above the ceiling the text states "
                f"({format_fen(line.cap_fen)})"
            )
        objection.old_amount_fen, objection.new_amount_fen = line.amount_fen, new_amount_fen
        line.amount_fen = new_amount_fen
        objection.state = "changed"
    else:
        objection.state = "kept"
    objection.resolved_by, objection.resolved_on, objection.resolution = by, on, reason
    session.flush()
    audit.append(
        session,
        by,
        "objection.resolve",
        f"objection:{objection_id}",
        {
            "run": line.run_id,
            "line": line.line_no,
            "state": objection.state,
            "reason": reason,
            "old_amount_fen": objection.old_amount_fen,
            "new_amount_fen": objection.new_amount_fen,
        },
    )
    return objection
