"""The PRC working-day calendar and publication deadlines (工作日与公开期限).

A pure package: plain dates and dataclasses in and out, no Flask, no database, no clock
(the caller passes "today"). The host stores tenant calendars and passes them back in.

- :class:`WorkCalendar` — working days from the ``chinesecalendar`` package, overridden by
  tenant-imported :class:`YearCalendar` years.
- :func:`due_date` — count a :class:`~shuangsuiji.rules.DeadlineRule` into a :class:`Deadline`.
- :func:`status` — on time, late, due soon, overdue or pending.
- :func:`parse_calendar` / :func:`load_calendar_file` — import a State Council holiday notice
  typed as CSV or TOML.

See docs/working-days.md for the counting rules and the import format.
"""

from shuangsuiji.workdays.deadline import Deadline, ExcludedPeriod, SkippedDay, due_date
from shuangsuiji.workdays.errors import CalendarImportError, ImportIssue
from shuangsuiji.workdays.importer import load_calendar_file, parse_calendar
from shuangsuiji.workdays.package import package_source, package_years
from shuangsuiji.workdays.status import PublicationStatus, status
from shuangsuiji.workdays.workcalendar import (
    Coverage,
    DayInfo,
    UncoveredYearError,
    WorkCalendar,
    YearSource,
)
from shuangsuiji.workdays.yearcalendar import NamedDay, YearCalendar

__all__ = [
    "CalendarImportError",
    "Coverage",
    "DayInfo",
    "Deadline",
    "ExcludedPeriod",
    "ImportIssue",
    "NamedDay",
    "PublicationStatus",
    "SkippedDay",
    "UncoveredYearError",
    "WorkCalendar",
    "YearCalendar",
    "YearSource",
    "due_date",
    "load_calendar_file",
    "package_source",
    "package_years",
    "parse_calendar",
    "status",
]
