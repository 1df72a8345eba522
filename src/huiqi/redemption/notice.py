"""公示 (public notice): a run's list published for a window of working days (公示期), and the rules
on what may happen while it is open.

The window is counted in working days by ``calendar.notice_window`` (holidays and make-up working
days from ``chinesecalendar``): it opens on the publication day when that is a working day. During
the window objections (异议) are raised and a beneficiary may decline (主动放弃); a line is decided
only after the window has closed and when no objection against it is pending.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.redemption import audit
from huiqi.redemption.calendar import notice_window
from huiqi.redemption.run import RunError, get_line, get_run
from huiqi.store.models_runs import Notice, Objection, RunLine


class NoticeError(RunError):
    """A step the notice rules forbid (publishing twice, deciding while the window is open…)."""


def get_notice(session: Session, run_id: int) -> Notice | None:
    return session.execute(select(Notice).where(Notice.run_id == run_id)).scalar_one_or_none()


def publish(session: Session, run_id: int, working_days: int, by: str, on: date) -> Notice:
    """Publish the run's list on ``on`` for ``working_days`` working days. A run is published once."""
    get_run(session, run_id)
    if get_notice(session, run_id) is not None:
        raise NoticeError(f"run {run_id} is already published")
    if working_days < 1:
        raise NoticeError(f"a notice window is at least 1 working day, got {working_days}")
    first, last = notice_window(on, working_days)
    notice = Notice(
        run_id=run_id,
        published_on=on,
        working_days=working_days,
        first_day=first,
        last_day=last,
        published_by=by,
    )
    session.add(notice)
    session.flush()
    audit.append(
        session,
        by,
        "notice.publish",
        f"run:{run_id}",
        {
            "published_on": on.isoformat(),
            "working_days": working_days,
            "first": first.isoformat(),
            "last": last.isoformat(),
        },
    )
    return notice


def require_published(session: Session, run_id: int) -> Notice:
    notice = get_notice(session, run_id)
    if notice is None:
        raise NoticeError(f"run {run_id} has not been published (huiqi notice publish {run_id})")
    return notice


def require_window_open(session: Session, run_id: int, on: date) -> Notice:
    """Objections and declines belong to the window (before it opens counts as inside: 公示 began)."""
    notice = require_published(session, run_id)
    if on > notice.last_day:
        raise NoticeError(f"the notice window of run {run_id} closed on {notice.last_day.isoformat()}")
    return notice


def require_decidable(session: Session, line: RunLine, on: date) -> None:
    """A line is decided only after its notice window and with no objection pending."""
    notice = require_published(session, line.run_id)
    if on <= notice.last_day:
        raise NoticeError(
            f"line {line.line_no} of run {line.run_id}: the notice window is open until "
            f"{notice.last_day.isoformat()}; decide from {notice.last_day.isoformat()} + 1 day"
        )
    pending = session.execute(
        select(Objection.id).where(Objection.line_id == line.id, Objection.state == "pending")
    ).first()
    if pending is not None:
        raise NoticeError(
            f"line {line.line_no} of run {line.run_id}: objection {pending[0]} is pending; resolve it first"
        )


def decline(session: Session, run_id: int, line_no: int, by: str, reason: str, on: date) -> RunLine:
    """主动放弃: the beneficiary gives up a line; it stays on the record and is never paid."""
    if not reason.strip():
        raise NoticeError("declining needs a reason")
    require_window_open(session, run_id, on)
    line = get_line(session, run_id, line_no, lock=True)
    if line.state != "open":
        raise NoticeError(
            f"line {line_no} of run {run_id} is {line.state}; only an open line can be declined"
        )
    line.state, line.state_reason, line.state_by = "declined", reason, by
    session.flush()
    audit.append(
        session, by, "line.decline", f"run:{run_id}/line:{line_no}", {"reason": reason, "on": on.isoformat()}
    )
    return line
