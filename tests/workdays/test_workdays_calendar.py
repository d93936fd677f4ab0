"""The working-day calendar: the package's years, tenant years, and the years nobody knows."""

from __future__ import annotations

from datetime import date

import chinese_calendar
import pytest

from shuangsuiji.workdays import (
    NamedDay,
    UncoveredYearError,
    WorkCalendar,
    YearCalendar,
    package_years,
)


def test_package_years_is_where_chinese_calendar_answers() -> None:
    years = package_years()
    chinese_calendar.is_workday(date(years.start, 6, 1))
    chinese_calendar.is_workday(date(years.stop - 1, 6, 1))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(years.stop, 6, 1))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(years.start - 1, 6, 1))


@pytest.mark.parametrize(
    ("day", "workday", "kind", "name"),
    [
        # From the 2026 notice (《国务院办公厅关于2026年部分节假日安排的通知》):
        (date(2026, 2, 14), True, "makeup_workday", "春节"),  # Sat, worked
        (date(2026, 2, 16), False, "holiday", "春节"),  # Mon, off
        (date(2026, 2, 15), False, "holiday", "春节"),  # Sun inside the block
        (date(2026, 10, 10), True, "makeup_workday", "国庆节"),  # Sat, worked
        (date(2026, 10, 11), False, "weekend", None),  # ordinary Sunday
        (date(2026, 3, 2), True, "weekday", None),  # ordinary Monday
    ],
)
def test_package_days_of_2026(day, workday, kind, name) -> None:
    cal = WorkCalendar()
    info = cal.day(day)
    assert (info.workday, info.kind, info.name, info.coverage) == (workday, kind, name, "package")
    assert cal.is_workday(day) is workday


def test_uncovered_year_refuses_a_yes_or_no() -> None:
    year = package_years().stop + 50  # far beyond any release of the package
    cal = WorkCalendar()
    assert cal.coverage(date(year, 3, 1)) is None
    with pytest.raises(UncoveredYearError, match=f"Import the State Council's {year}"):
        cal.is_workday(date(year, 3, 1))
    guess = cal.day(date(year, 3, 1))
    assert guess.coverage is None
    assert guess.workday is (date(year, 3, 1).weekday() < 5)


def test_tenant_year_overrides_the_package(calendar_2027) -> None:
    fictional_2026 = YearCalendar(
        2026,
        holidays=(NamedDay(date(2026, 3, 2), "测试假日"),),
        workdays=(),
        source="fictional 2026 notice",
    )
    cal = WorkCalendar([fictional_2026, calendar_2027])
    assert cal.coverage(date(2026, 3, 2)) == "tenant"
    assert not cal.is_workday(date(2026, 3, 2))
    # The package's 国庆 is not consulted once the tenant decides 2026.
    assert cal.is_workday(date(2026, 10, 1))
    assert cal.tenant_years == (2026, 2027)
    assert cal.source(2026).source == "fictional 2026 notice"
    assert cal.source(2025).coverage == "package"


def test_tenant_calendar_of_2027(calendar_2027) -> None:
    cal = WorkCalendar([calendar_2027])
    assert cal.coverage(date(2027, 5, 1)) == "tenant"
    assert not cal.is_workday(date(2027, 1, 1))  # Fri, 元旦
    assert cal.is_workday(date(2027, 2, 20))  # Sat, worked
    assert not cal.is_workday(date(2027, 2, 21))  # Sun
    assert cal.is_workday(date(2027, 2, 15))  # Mon after 春节
    assert cal.day(date(2027, 2, 8)).name == "春节"


def test_two_calendars_for_one_year_are_refused(calendar_2027) -> None:
    other = YearCalendar(2027, (), (), source="another notice")
    with pytest.raises(ValueError, match="two tenant calendars for 2027"):
        WorkCalendar([calendar_2027, other])


def test_late_december_days_of_next_years_notice() -> None:
    # A 元旦 break may start in December (the 2019 notice: 2018-12-30 to 2019-01-01 off).
    # Far-future years so that no package release covers them.
    notice = YearCalendar(
        2100,
        holidays=(NamedDay(date(2099, 12, 31), "元旦"), NamedDay(date(2100, 1, 1), "元旦")),
        workdays=(),
        source="fictional 2100 notice",
    )
    cal = WorkCalendar([notice])
    assert cal.coverage(date(2099, 12, 31)) == "tenant"
    assert not cal.is_workday(date(2099, 12, 31))
    assert cal.coverage(date(2099, 12, 30)) is None


@pytest.mark.parametrize(
    ("holidays", "workdays", "message"),
    [
        ((), (NamedDay(date(2027, 2, 8), "春节"),), "is a weekday"),  # Mon
        ((NamedDay(date(2026, 6, 1), "x"),), (), "is not in 2027"),
        ((NamedDay(date(2027, 2, 6), "春节"),), (NamedDay(date(2027, 2, 6), "春节"),), "twice"),
        ((NamedDay(date(2027, 2, 6), " "),), (), "has no name"),
    ],
)
def test_year_calendar_checks_itself(holidays, workdays, message) -> None:
    with pytest.raises(ValueError, match=message):
        YearCalendar(2027, holidays, workdays, source="test")
