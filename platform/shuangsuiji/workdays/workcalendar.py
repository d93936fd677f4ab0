"""The PRC working-day calendar: the package's years, overridden by tenant-imported years.

A tenant-imported year wins over the package for that year. The import is a deliberate act
by the tenant's administrator citing a State Council notice, and the package may be stale:
it is upgraded only when the deployment is, and the State Council has amended arrangements
mid-year before (the 2015 Victory Day holiday, the 2020 Spring Festival extension). The
administrator's import is therefore the better evidence, and the deadline records which
source decided each year.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from shuangsuiji.messages import msg
from shuangsuiji.workdays.package import package_day, package_source, package_years
from shuangsuiji.workdays.yearcalendar import YearCalendar

Coverage = Literal["package", "tenant"]
DayKind = Literal["weekday", "weekend", "holiday", "makeup_workday"]


class UncoveredYearError(LookupError):
    """Asked whether a day is a working day in a year that no calendar covers."""


@dataclass(frozen=True)
class DayInfo:
    """One day as the calendar sees it.

    ``coverage`` is ``None`` when no calendar covers the year: ``workday`` is then only the
    weekend rule (Monday–Friday), a guess that ignores that year's holidays.
    """

    day: date
    workday: bool
    kind: DayKind
    name: str | None
    coverage: Coverage | None


@dataclass(frozen=True)
class YearSource:
    """Which calendar decided the days of one year, for the record kept with a deadline."""

    year: int
    coverage: Coverage | None
    source: str | None


class WorkCalendar:
    """Working days in the PRC: the ``chinesecalendar`` package plus tenant-imported years."""

    def __init__(self, supplements: Iterable[YearCalendar] = ()) -> None:
        """Build a calendar; ``supplements`` are the tenant's imported years, one per year."""
        self._years: dict[int, YearCalendar] = {}
        self._holidays: dict[date, str] = {}
        self._workdays: dict[date, str] = {}
        for cal in supplements:
            if cal.year in self._years:
                # Two notices for one year is ambiguous; the caller must pick the one in force.
                raise ValueError(msg(
                    "two tenant calendars for %(year)s: %(first)r and %(second)r; pass only "
                    "the one in force", year=cal.year, first=self._years[cal.year].source,
                    second=cal.source,
                ))
            self._years[cal.year] = cal
            self._holidays.update((n.day, n.name) for n in cal.holidays)
            self._workdays.update((n.day, n.name) for n in cal.workdays)

    @property
    def tenant_years(self) -> tuple[int, ...]:
        """The years supplied by the tenant, ascending."""
        return tuple(sorted(self._years))

    def coverage(self, d: date) -> Coverage | None:
        """Which calendar decides ``d``: ``"tenant"``, ``"package"``, or ``None`` for neither."""
        if d.year in self._years or d in self._holidays or d in self._workdays:
            # The second test catches late-December days that next year's notice lists
            # as part of its 元旦 break; the notice decides those days.
            return "tenant"
        if d.year in package_years():
            return "package"
        return None

    def source(self, year: int) -> YearSource:
        """The calendar, and its notice or package version, that decides most days of ``year``."""
        if year in self._years:
            return YearSource(year, "tenant", self._years[year].source)
        if year in package_years():
            return YearSource(year, "package", package_source())
        return YearSource(year, None, None)

    def day(self, d: date) -> DayInfo:
        """Describe ``d``; never raises, falling back to the weekend rule for uncovered years."""
        cov = self.coverage(d)
        weekend = d.weekday() >= 5
        if cov == "tenant":
            if d in self._holidays:
                return DayInfo(d, False, "holiday", self._holidays[d], cov)
            if d in self._workdays:
                return DayInfo(d, True, "makeup_workday", self._workdays[d], cov)
        elif cov == "package":
            info = package_day(d)
            if info.holiday_name is not None:
                return DayInfo(d, False, "holiday", info.holiday_name, cov)
            if info.workday_name is not None or (info.workday and weekend):
                return DayInfo(d, True, "makeup_workday", info.workday_name, cov)
        if weekend:
            return DayInfo(d, False, "weekend", None, cov)
        return DayInfo(d, True, "weekday", None, cov)

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` is a working day (工作日).

        Raises :class:`UncoveredYearError` for a year no calendar covers: a plain yes/no
        cannot carry "this is a guess", so we refuse rather than guess silently. Use
        :meth:`day` to get the weekend-rule guess together with ``coverage=None``.
        """
        info = self.day(d)
        if info.coverage is None:
            raise UncoveredYearError(msg(
                "%(year)s is not covered: the chinesecalendar package knows %(first)s–%(last)s, "
                "and no tenant calendar for %(year)s was imported. Import the State Council's "
                "%(year)s holiday notice (see docs/working-days.md).",
                year=d.year, first=package_years().start, last=package_years().stop - 1,
            ))
        return info.workday
