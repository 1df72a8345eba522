"""Working days for the 公示期 (notice window): holidays and make-up working days from chinesecalendar."""

from datetime import date

import pytest

from huiqi.redemption.calendar import CalendarNotCovered, add_working_days, is_working_day, notice_window


def test_make_up_working_days_count_and_holidays_do_not():
    # 2023 国庆/中秋: 9-29 … 10-6 off; Saturday 10-7 and Sunday 10-8 are make-up working days (调休上班).
    assert not is_working_day(date(2023, 9, 29))
    assert is_working_day(date(2023, 10, 7))
    assert is_working_day(date(2023, 10, 8))
    # 2026 春节: Saturday 2026-02-14 is a make-up working day.
    assert is_working_day(date(2026, 2, 14))


def test_five_working_day_notice_across_the_national_day_holiday():
    # Published Thursday 2023-09-28: working days are 9-28, 10-7, 10-8, 10-9, 10-10.
    assert notice_window(date(2023, 9, 28), 5) == (date(2023, 9, 28), date(2023, 10, 10))


def test_notice_published_on_a_holiday_starts_on_the_next_working_day():
    # Published on 2023-10-01 (holiday): counting starts on the make-up Saturday 10-7; 7 days end 10-13.
    assert notice_window(date(2023, 10, 1), 7) == (date(2023, 10, 7), date(2023, 10, 13))


def test_add_working_days_does_not_count_the_start_day():
    # Friday 2026-02-13 + 1 working day is the make-up Saturday 2026-02-14, not Monday.
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add_working_days(date(2023, 9, 28), 1) == date(2023, 10, 7)


def test_a_year_the_calendar_does_not_know_is_an_error_not_a_guess():
    with pytest.raises(CalendarNotCovered, match="2027"):
        add_working_days(date(2026, 12, 30), 5)
    with pytest.raises(ValueError):
        add_working_days(date(2023, 1, 3), 0)
