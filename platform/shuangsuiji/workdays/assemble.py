"""Turn the entries read from an import file into checked :class:`YearCalendar` objects.

Shared by the CSV and TOML readers so both formats obey the same rules and report the
same problems in the same words.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Literal

from shuangsuiji.messages import msg
from shuangsuiji.workdays.dates import WEEKDAYS_ZH
from shuangsuiji.workdays.errors import ImportIssue
from shuangsuiji.workdays.yearcalendar import NamedDay, YearCalendar

EntryKind = Literal["holiday", "workday"]


@dataclass(frozen=True)
class Entry:
    """One dated line of a notice, with where it was read from."""

    day: date
    kind: EntryKind
    name: str
    source: str | None
    line: int | None
    column: str | None = None  # where the date was read (CSV header)
    field: str | None = None  # where the date was read (TOML key path)
    year: int | None = None  # the notice's year, when it differs from the date's own

    @property
    def notice_year(self) -> int:
        """The year of the notice this entry belongs to."""
        return self.year if self.year is not None else self.day.year


def assemble(
    entries: list[Entry], filename: str, default_source: str, issues: list[ImportIssue]
) -> list[YearCalendar]:
    """Check ``entries`` across lines and group them by year; append problems to ``issues``."""

    def problem(e: Entry, message: str) -> None:
        issues.append(ImportIssue(filename, e.line, message, column=e.column, field=e.field))

    first: dict[date, Entry] = {}
    by_year: dict[int, list[Entry]] = defaultdict(list)
    for e in entries:
        if e.day in first:
            other = first[e.day]
            at = msg("line %(line)s", line=other.line) if other.line is not None else other.field
            problem(e, msg("'%(day)s' is already listed (%(at)s); keep one of them",
                           day=e.day.isoformat(), at=at))
            continue
        first[e.day] = e
        if e.kind == "workday" and e.day.weekday() < 5:
            problem(
                e,
                msg("'%(day)s' is a %(weekday)s; a make-up workday (调休上班) is a Saturday or "
                    "Sunday — check the date against the notice", day=e.day.isoformat(),
                    weekday=WEEKDAYS_ZH[e.day.weekday()]),
            )
            continue
        by_year[e.notice_year].append(e)

    calendars: list[YearCalendar] = []
    for year in sorted(by_year):
        year_entries = by_year[year]
        sources = {e.source for e in year_entries if e.source}
        if len(sources) > 1:
            # Two notices mixed in one year's rows: refuse rather than pick one.
            for e in year_entries:
                if e.source and e.source != min(sources):
                    issues.append(
                        ImportIssue(
                            filename,
                            e.line,
                            msg("source '%(source)s' differs from '%(first)s' for %(year)s; "
                                "one year comes from one notice", source=e.source,
                                first=min(sources), year=year),
                            column=None,
                            field="source" if e.field else None,
                        )
                    )
            continue
        source = sources.pop() if sources else default_source
        holidays = tuple(
            sorted(NamedDay(e.day, e.name) for e in year_entries if e.kind == "holiday")
        )
        workdays = tuple(
            sorted(NamedDay(e.day, e.name) for e in year_entries if e.kind == "workday")
        )
        calendars.append(YearCalendar(year, holidays, workdays, source))
    return calendars
