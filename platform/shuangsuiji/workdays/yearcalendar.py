"""One year of the PRC holiday arrangement, as the State Council's notice publishes it.

Each November the General Office of the State Council issues 《国务院办公厅关于N年部分节假日安排的
通知》: for each festival, the days off (放假) and the weekend days that become working days
(调休上班). A :class:`YearCalendar` holds exactly that, plus the notice it came from, so a
deadline decided with it can cite its source.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shuangsuiji.messages import msg


@dataclass(frozen=True, order=True)
class NamedDay:
    """A date with the festival it belongs to, e.g. ``NamedDay(date(2027, 2, 6), "春节")``."""

    day: date
    name: str


@dataclass(frozen=True)
class YearCalendar:
    """The holiday arrangement of one year.

    ``holidays`` are the days off (放假), including weekend days inside a festival's block,
    because the notice lists them as part of the festival. ``workdays`` are make-up working
    days (调休上班): weekend days on which people work. Every other Monday–Friday is a working
    day and every other Saturday/Sunday is not. ``source`` names the notice (document number
    or title) and is kept with every deadline decided from this calendar. Days of the
    December before ``year`` are allowed, for a 元旦 break that begins then.
    """

    year: int
    holidays: tuple[NamedDay, ...]
    workdays: tuple[NamedDay, ...]
    source: str

    def __post_init__(self) -> None:
        # Checked here as well as in the importer, because callers may also build
        # calendars from their own storage; a malformed year must never reach a deadline.
        problems: list[str] = []
        seen: dict[date, str] = {}
        for kind, days in (("holiday", self.holidays), ("workday", self.workdays)):
            # the kind as a word of the message (the English word is the kind itself)
            word = msg("holiday") if kind == "holiday" else msg("workday")
            for named in days:
                if not in_notice_year(named.day, self.year):
                    problems.append(msg("%(kind)s %(day)s is not in %(year)s", kind=word,
                                        day=named.day.isoformat(), year=self.year))
                if named.day in seen:
                    problems.append(msg("%(day)s is listed twice (%(first)s and %(second)s)",
                                        day=named.day.isoformat(), first=seen[named.day],
                                        second=word))
                seen[named.day] = word
                if kind == "workday" and named.day.weekday() < 5:
                    problems.append(msg(
                        "make-up workday %(day)s is a weekday; 调休上班 days are Saturdays or "
                        "Sundays", day=named.day.isoformat(),
                    ))
                if not named.name.strip() and kind == "holiday":
                    problems.append(msg("holiday %(day)s has no name", day=named.day.isoformat()))
        if not self.source.strip():
            problems.append(msg("source (the notice it comes from) is empty"))
        if problems:
            raise ValueError(msg("YearCalendar %(year)s: %(problems)s", year=self.year,
                                 problems=_semicolons(problems)))

    def holiday_name(self, d: date) -> str | None:
        """Name of the festival if ``d`` is a day off in this calendar, else ``None``."""
        return _lookup(self.holidays, d)

    def workday_name(self, d: date) -> str | None:
        """Name of the festival if ``d`` is a make-up workday in this calendar, else ``None``."""
        return _lookup(self.workdays, d)


def in_notice_year(d: date, year: int) -> bool:
    """Whether a notice for ``year`` may list ``d``: its own year, or the December before.

    A 元旦 break can start in late December, and the next year's notice lists those days
    (the 2019 notice: 2018-12-29 worked, 2018-12-30 to 2019-01-01 off).
    """
    return d.year == year or (d.year == year - 1 and d.month == 12)


def _semicolons(parts: list[str]) -> str:
    """``parts`` joined by "; ", as one message whose parts are translated where they are
    messages (split in halves: nested only as deep as the logarithm of their number)."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return msg("%(first)s; %(rest)s", first=_semicolons(parts[:half]),
               rest=_semicolons(parts[half:]))


def _lookup(days: tuple[NamedDay, ...], d: date) -> str | None:
    # A year has a few dozen entries at most; a linear scan keeps the dataclass frozen
    # and hashable without a cached index.
    for named in days:
        if named.day == d:
            return named.name
    return None
