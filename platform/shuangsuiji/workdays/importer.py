"""Import a tenant calendar from a file an administrator typed from the State Council notice.

Two formats, chosen by the file's suffix: ``.csv`` (one date per row; see
:mod:`shuangsuiji.workdays.import_csv`) and ``.toml`` (one table per festival; see
:mod:`shuangsuiji.workdays.import_toml`). Every problem in the file is collected and
raised together in one :class:`CalendarImportError`, so the administrator fixes the file
in one pass; nothing is returned unless the whole file is good.
"""

from __future__ import annotations

from pathlib import Path, PurePath

from shuangsuiji.messages import msg
from shuangsuiji.workdays.assemble import Entry, assemble
from shuangsuiji.workdays.errors import CalendarImportError, ImportIssue
from shuangsuiji.workdays.import_csv import decode, read_csv
from shuangsuiji.workdays.import_toml import read_toml
from shuangsuiji.workdays.yearcalendar import YearCalendar

SUFFIXES = (".csv", ".toml")


def parse_calendar(data: bytes, filename: str, *, source: str | None = None) -> list[YearCalendar]:
    """Parse an uploaded calendar file's bytes; ``filename`` picks the format and names errors.

    ``source`` names the notice for a CSV file without a 来源/source column (a TOML file
    carries its own); when neither is given, the file name is recorded as the source.
    Returns one :class:`YearCalendar` per year in the file, ascending; raises
    :class:`CalendarImportError` listing every problem.
    """
    name = PurePath(filename).name
    suffix = PurePath(filename).suffix.lower()
    issues: list[ImportIssue] = []
    if suffix not in SUFFIXES:
        raise CalendarImportError(
            [
                ImportIssue(
                    name,
                    None,
                    msg("unknown file type '%(suffix)s'; save the calendar as .csv (UTF-8 or "
                        "GBK) or .toml", suffix=suffix or msg("(none)")),
                )
            ]
        )
    try:
        text = decode(data) if suffix == ".csv" else data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        allowed = msg("UTF-8 or GBK") if suffix == ".csv" else "UTF-8"
        raise CalendarImportError(
            [
                ImportIssue(
                    name,
                    line,
                    msg("byte %(byte)s cannot be read as %(allowed)s; save the file as UTF-8 "
                        "(Excel: 另存为 → CSV UTF-8)", byte=exc.start, allowed=allowed),
                )
            ]
        ) from None

    entries: list[Entry]
    if suffix == ".csv":
        entries = read_csv(text, name, issues)
        file_source = None
    else:
        entries, file_source = read_toml(text, name, issues)
    calendars = assemble(entries, name, file_source or source or name, issues)
    if issues:
        raise CalendarImportError(issues)
    return calendars


def load_calendar_file(path: str | Path, *, source: str | None = None) -> list[YearCalendar]:
    """Read and parse a calendar file from disk; see :func:`parse_calendar`."""
    p = Path(path)
    return parse_calendar(p.read_bytes(), p.name, source=source)
