"""Publication deadlines over real 2026 holidays, counted by hand from the State Council's
2026 notice (《国务院办公厅关于2026年部分节假日安排的通知》):

    元旦 1月1日–3日; 1月4日(周日)上班.
    春节 2月15日(周日)–23日(周一); 2月14日(周六)、2月28日(周六)上班.
    中秋 9月25日(周五)–27日.   国庆 10月1日(周四)–7日; 9月20日(周日)、10月10日(周六)上班.

Every expected date below was worked out on paper from that notice and a wall calendar,
not by running the code.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from shuangsuiji.workdays import (
    ExcludedPeriod,
    WorkCalendar,
    YearCalendar,
    due_date,
    package_years,
)

# The tests about a year no calendar covers ask for ``calendar_until_2026`` (tests/conftest.py)
# rather than skipping the day chinesecalendar learns 2027.
needs_2027_uncovered = pytest.mark.usefixtures("calendar_until_2026")


def skipped_as_tuples(deadline) -> list[tuple[date, str, str | None]]:
    return [(s.day, s.reason, s.name) for s in deadline.skipped]


def test_chongqing_20_days_across_national_day(cq_rule) -> None:
    # Work ends Fri 25 Sep (itself 中秋). Counting starts Sat 26 Sep:
    # 26–27 Sep 中秋 off; 28, 29, 30 Sep = 1–3; 1–7 Oct 国庆 off; 8 Oct = 4, 9 Oct = 5,
    # Sat 10 Oct worked = 6; Sun 11 Oct off; 12–16 Oct = 7–11; 19–23 Oct = 12–16;
    # 26, 27, 28, 29 Oct = 17–20. Last day: Thu 29 Oct 2026.
    d = due_date(date(2026, 9, 25), cq_rule, WorkCalendar())
    assert d.start == date(2026, 9, 26)
    assert d.due == date(2026, 10, 29)
    assert len(d.counted) == 20
    assert date(2026, 10, 10) in d.counted  # the make-up Saturday counts
    assert skipped_as_tuples(d) == [
        (date(2026, 9, 26), "holiday", "中秋"),
        (date(2026, 9, 27), "holiday", "中秋"),
        *((date(2026, 10, day), "holiday", "国庆节") for day in range(1, 8)),
        (date(2026, 10, 11), "weekend", None),
        (date(2026, 10, 17), "weekend", None),
        (date(2026, 10, 18), "weekend", None),
        (date(2026, 10, 24), "weekend", None),
        (date(2026, 10, 25), "weekend", None),
    ]
    assert not d.provisional
    assert d.warning is None
    assert [(s.year, s.coverage) for s in d.sources] == [(2026, "package")]
    assert d.cite == cq_rule.cite


def test_chongqing_testing_period_is_not_counted(cq_rule) -> None:
    # Testing Mon 12 – Fri 16 Oct removes five working days from the count above:
    # 8, 9, 10 Oct = 4–6; 19–23 Oct = 7–11; 26–30 Oct = 12–16; 2–5 Nov = 17–20.
    period = ExcludedPeriod(date(2026, 10, 12), date(2026, 10, 16), "testing", "样品送检")
    d = due_date(date(2026, 9, 25), cq_rule, WorkCalendar(), excluded=[period])
    assert d.due == date(2026, 11, 5)
    excluded = [(s.day, s.name) for s in d.skipped if s.reason == "excluded_period"]
    assert excluded == [(date(2026, 10, day), "testing: 样品送检") for day in range(12, 17)]


def test_excluded_period_over_a_weekend_only_removes_working_days(cq_rule) -> None:
    # Appraisal Fri 9 – Tue 13 Oct: working days inside it are 9, 10 (make-up Sat), 12, 13;
    # Sun 11 was off anyway. Four working days later than 29 Oct: 30 Oct, 2, 3, 4 Nov.
    period = ExcludedPeriod(date(2026, 10, 9), date(2026, 10, 13), "appraisal")
    d = due_date(date(2026, 9, 25), cq_rule, WorkCalendar(), excluded=[period])
    assert d.due == date(2026, 11, 4)
    reasons = {s.day: s.reason for s in d.skipped}
    assert reasons[date(2026, 10, 10)] == "excluded_period"
    assert reasons[date(2026, 10, 11)] == "weekend"


def test_excluded_days_extend_the_count(cq_rule) -> None:
    # Five excluded working days given as a number: the same date as the dated period above.
    d = due_date(date(2026, 9, 25), cq_rule, WorkCalendar(), excluded_days=5)
    assert d.due == date(2026, 11, 5)
    assert d.excluded_days == 5
    assert len(d.counted) == 25


def test_miit_30_days_across_spring_festival(miit_rule) -> None:
    # Work ends Fri 6 Feb. Sat 7, Sun 8 off; 9–13 Feb = 1–5; Sat 14 Feb worked = 6;
    # 15–23 Feb 春节 off; 24–27 Feb = 7–10; Sat 28 Feb worked = 11; Sun 1 Mar off;
    # 2–6 Mar = 12–16; 9–13 = 17–21; 16–20 = 22–26; 23, 24, 25, 26 Mar = 27–30.
    d = due_date(date(2026, 2, 6), miit_rule, WorkCalendar())
    assert d.due == date(2026, 3, 26)
    assert date(2026, 2, 14) in d.counted
    assert date(2026, 2, 28) in d.counted
    assert skipped_as_tuples(d) == [
        (date(2026, 2, 7), "weekend", None),
        (date(2026, 2, 8), "weekend", None),
        *((date(2026, 2, day), "holiday", "春节") for day in range(15, 24)),
        (date(2026, 3, 1), "weekend", None),
        (date(2026, 3, 7), "weekend", None),
        (date(2026, 3, 8), "weekend", None),
        (date(2026, 3, 14), "weekend", None),
        (date(2026, 3, 15), "weekend", None),
        (date(2026, 3, 21), "weekend", None),
        (date(2026, 3, 22), "weekend", None),
    ]


@pytest.mark.parametrize(
    ("end", "due"),
    [
        (date(2026, 3, 2), date(2026, 3, 3)),  # Mon → Tue: the end day itself is not counted
        (date(2026, 3, 6), date(2026, 3, 9)),  # Fri → Mon
        (date(2026, 9, 30), date(2026, 10, 8)),  # Wed before 国庆 → Thu after it
    ],
)
def test_first_working_day_after_the_end_is_day_one(cq_rule, end, due) -> None:
    one_day = replace(cq_rule, working_days=1)
    assert due_date(end, one_day, WorkCalendar()).due == due


@needs_2027_uncovered
def test_deadline_in_2027_without_tenant_calendar_is_provisional(miit_rule) -> None:
    # Work ends Tue 15 Dec 2026. 16–18 Dec = 1–3; 21–25 = 4–8; 28–31 = 9–12 (2026 package);
    # 2027 unknown, weekends only: Fri 1 Jan = 13; 4–8 = 14–18; 11–15 = 19–23;
    # 18–22 = 24–28; Mon 25, Tue 26 Jan = 29, 30.
    d = due_date(date(2026, 12, 15), miit_rule, WorkCalendar())
    assert d.due == date(2027, 1, 26)
    assert d.provisional
    assert d.uncovered_years == (2027,)
    assert d.warning is not None
    assert "2027" in d.warning and "Import" in d.warning
    assert date(2027, 1, 1) in d.counted  # 元旦 was not known, so it was counted
    assert [(s.year, s.coverage) for s in d.sources] == [(2026, "package"), (2027, None)]


def test_deadline_in_2027_with_tenant_calendar(miit_rule, calendar_2027) -> None:
    # Same count with 元旦 1–3 Jan 2027 known: Fri 1 Jan is off, so day 30 moves to Wed 27 Jan.
    d = due_date(date(2026, 12, 15), miit_rule, WorkCalendar([calendar_2027]))
    assert d.due == date(2027, 1, 27)
    assert not d.provisional
    assert d.warning is None
    assert (date(2027, 1, 1), "holiday", "元旦") in skipped_as_tuples(d)
    assert [(s.year, s.coverage, s.source) for s in d.sources] == [
        (2026, "package", d.sources[0].source),
        (2027, "tenant", calendar_2027.source),
    ]


@needs_2027_uncovered
def test_tenant_calendar_moves_a_provisional_date_across_spring_festival(
    cq_rule, calendar_2027
) -> None:
    # Work ends Fri 29 Jan 2027. Weekends only: 1–5 Feb = 1–5, 8–12 = 6–10, 15–19 = 11–15,
    # 22–26 = 16–20 → Fri 26 Feb, provisional.
    # With the (illustrative) notice: 1–5 Feb = 1–5; 6–14 Feb 春节 off; 15–19 = 6–10;
    # Sat 20 worked = 11; 22–26 = 12–16; 1–4 Mar = 17–20 → Thu 4 Mar.
    guess = due_date(date(2027, 1, 29), cq_rule, WorkCalendar())
    known = due_date(date(2027, 1, 29), cq_rule, WorkCalendar([calendar_2027]))
    assert (guess.due, guess.provisional) == (date(2027, 2, 26), True)
    assert (known.due, known.provisional) == (date(2027, 3, 4), False)
    assert date(2027, 2, 20) in known.counted


def test_crossing_into_any_uncovered_year_is_provisional(cq_rule) -> None:
    # Independent of which years the installed package knows: the day after its last year.
    last = package_years().stop - 1
    d = due_date(date(last, 12, 30), cq_rule, WorkCalendar())
    assert d.provisional
    assert d.uncovered_years == (last + 1,)


def test_tenant_year_replaces_package_year(cq_rule) -> None:
    # A (fictional) tenant 2026 with no holidays decides every day of 2026: Thu 1 Oct,
    # 国庆 in the package, is then the first working day after Wed 30 Sep.
    moved = YearCalendar(
        2026, holidays=(), workdays=(), source="fictional: 2026 with no holidays at all"
    )
    d = due_date(date(2026, 9, 30), cq_rule, WorkCalendar([moved]))
    assert d.counted[0] == date(2026, 10, 1)
    assert {s.coverage for s in d.skipped} == {"tenant"}


def test_miit_rule_refuses_excluded_periods(miit_rule) -> None:
    period = ExcludedPeriod(date(2026, 3, 2), date(2026, 3, 3), "testing")
    with pytest.raises(ValueError, match="allows no excluded periods"):
        due_date(date(2026, 2, 6), miit_rule, WorkCalendar(), excluded=[period])
    with pytest.raises(ValueError, match="allows no excluded periods"):
        due_date(date(2026, 2, 6), miit_rule, WorkCalendar(), excluded_days=2)


def test_bad_excluded_periods_are_explained(cq_rule) -> None:
    wrong_kind = ExcludedPeriod(date(2026, 10, 12), date(2026, 10, 16), "holiday")
    with pytest.raises(ValueError, match="kind 'holiday' is not one of testing"):
        due_date(date(2026, 9, 25), cq_rule, WorkCalendar(), excluded=[wrong_kind])
    reversed_dates = ExcludedPeriod(date(2026, 10, 16), date(2026, 10, 12), "testing")
    with pytest.raises(ValueError, match="swap the dates"):
        due_date(date(2026, 9, 25), cq_rule, WorkCalendar(), excluded=[reversed_dates])
    with pytest.raises(ValueError, match="must not be negative"):
        due_date(date(2026, 9, 25), cq_rule, WorkCalendar(), excluded_days=-1)


def test_unknown_start_event_is_refused(cq_rule) -> None:
    odd = replace(cq_rule, start_event="report_signed")
    with pytest.raises(ValueError, match="start_event 'report_signed'"):
        due_date(date(2026, 9, 25), odd, WorkCalendar())
