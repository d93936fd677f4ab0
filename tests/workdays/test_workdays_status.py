"""Dashboard status of a publication against its deadline.

The deadline is Chongqing's 20 working days after work ending Fri 25 Sep 2026: due Thu
29 Oct (counted by hand in test_workdays_deadline.py). Its last counted days are
Fri 23, Mon 26, Tue 27, Wed 28, Thu 29 Oct.
"""

from __future__ import annotations

from datetime import date

import pytest

from shuangsuiji.workdays import WorkCalendar, due_date, status


@pytest.fixture
def deadline(cq_rule):
    return due_date(date(2026, 9, 25), cq_rule, WorkCalendar())


@pytest.mark.parametrize(
    ("published_on", "today", "expected"),
    [
        (date(2026, 10, 29), date(2026, 11, 25), "on_time"),  # on the last day
        (date(2026, 10, 12), date(2026, 10, 12), "on_time"),
        (date(2026, 10, 30), date(2026, 11, 25), "late"),
        (None, date(2026, 10, 30), "overdue"),
        (None, date(2026, 10, 29), "due_soon"),  # 1 working day left, today
        (None, date(2026, 10, 23), "due_soon"),  # Fri: 23, 26, 27, 28, 29 = 5 left
        (None, date(2026, 10, 24), "due_soon"),  # Sat: 4 left
        (None, date(2026, 10, 22), "pending"),  # Thu: 6 left
        # 1 Oct is four calendar weeks before the due date but also just before a
        # seven-day holiday: in working days it is far from due.
        (None, date(2026, 10, 1), "pending"),
        (None, date(2026, 9, 25), "pending"),  # the day the work ended
    ],
)
def test_status(deadline, published_on, today, expected) -> None:
    assert status(deadline, published_on, today) == expected


def test_due_soon_threshold_is_adjustable(deadline) -> None:
    assert status(deadline, None, date(2026, 10, 22), due_soon_days=6) == "due_soon"
    assert status(deadline, None, date(2026, 10, 29), due_soon_days=0) == "pending"


def test_negative_threshold_is_refused(deadline) -> None:
    with pytest.raises(ValueError, match="due_soon_days"):
        status(deadline, None, date(2026, 10, 1), due_soon_days=-1)
