"""The years the installed ``chinesecalendar`` package knows, and what it says about a day.

``chinese_calendar`` raises ``NotImplementedError`` for a year outside its data. We derive
its range from the data it ships rather than hard-coding it, so upgrading the package
(which happens each November when a new notice is out) widens coverage with no code change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from importlib import metadata

import chinese_calendar


@dataclass(frozen=True)
class PackageDay:
    """What the package says of one day: working or not, and the festival's name if any."""

    workday: bool
    holiday_name: str | None  # set on a day off that belongs to a festival
    workday_name: str | None  # set on a make-up workday (调休上班)


@cache
def package_years() -> range:
    """The years the installed package covers, e.g. ``range(2004, 2027)``."""
    # The package validates a date against the min and max year of its holidays table,
    # so this is exactly the range in which its functions answer instead of raising.
    years = [d.year for d in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


@cache
def package_source() -> str:
    """The package and version, recorded as the source of the years it decides."""
    try:
        version = metadata.version("chinesecalendar")
    except metadata.PackageNotFoundError:  # vendored or renamed installs
        version = "unknown version"
    return f"chinesecalendar {version}"


# The package scans its whole holiday table to validate every date it is given; a
# dashboard recounting many deadlines asks about the same few hundred days again and again.
@lru_cache(maxsize=4096)
def package_day(d: date) -> PackageDay:
    """Ask the package about ``d``; raises ``NotImplementedError`` outside :func:`package_years`."""
    off, name = chinese_calendar.get_holiday_detail(d)
    if off:
        return PackageDay(workday=False, holiday_name=_chinese(name), workday_name=None)
    return PackageDay(workday=True, holiday_name=None, workday_name=_chinese(name))


def _chinese(name: str | None) -> str | None:
    # The package names festivals in English ("Spring Festival"); the notices and the
    # regulators' users speak Chinese, so tenant and package calendars give the same names.
    if name is None:
        return None
    try:
        return str(chinese_calendar.Holiday(name).chinese)
    except ValueError:
        return name
