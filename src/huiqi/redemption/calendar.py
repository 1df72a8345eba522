"""Working days (工作日) for notice windows (公示期 "5个工作日") and other deadlines.

The calendar is the ``chinesecalendar`` library (import ``chinese_calendar``), which follows the
State Council's yearly holiday notices: public holidays, and the weekend days that are make-up
working days (调休上班). It covers a fixed range of years; for a day outside it there is no
answer to give, so these functions raise ``CalendarNotCovered`` rather than guess from weekdays —
upgrade the library once the State Council publishes the next year's arrangement.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar


class CalendarNotCovered(ValueError):
    """The holiday calendar has no data for the year asked about."""


def is_working_day(day: date) -> bool:
    """True on a working day: a weekday that is not a public holiday, or a make-up working day."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError as exc:
        raise CalendarNotCovered(
            f"the working-day calendar (chinesecalendar {chinese_calendar.__version__}) has no data for "
            f"{day.year}: {exc}; upgrade chinesecalendar once that year's holidays are published"
        ) from exc


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (``start`` itself is not counted; ``n >= 1``).

    A notice published on a Friday with a 5-working-day window closes on the fifth working day that
    follows; ``add_working_days(friday, 5)`` is that day.
    """
    if n < 1:
        raise ValueError(f"a number of working days must be at least 1, got {n}")
    day = start
    remaining = n
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def notice_window(published: date, working_days: int) -> tuple[date, date]:
    """First and last day of a 公示期 of ``working_days`` working days counted from ``published``.

    Counting starts on the day of publication when that is a working day (公示期自发布之日起), else
    on the next working day.
    """
    if working_days < 1:
        raise ValueError(f"a notice window is at least 1 working day, got {working_days}")
    first = published if is_working_day(published) else add_working_days(published, 1)
    last = first if working_days == 1 else add_working_days(first, working_days - 1)
    return first, last
