"""Read a holiday notice typed as CSV: one date per row.

Columns (headers in Chinese or English, any order, extra columns ignored):
日期/date, 类型/kind (休假/holiday or 调休上班/workday), 名称/name, and optionally 来源/source.
Encodings: UTF-8 with or without BOM, or GBK (what Excel on Chinese Windows saves).
"""

from __future__ import annotations

import codecs
import csv
import io

from shuangsuiji.messages import msg
from shuangsuiji.workdays.assemble import Entry, EntryKind
from shuangsuiji.workdays.dates import DATE_HINT, parse_typed_date
from shuangsuiji.workdays.errors import ImportIssue

_HEADERS: dict[str, str] = {
    "日期": "date",
    "date": "date",
    "类型": "kind",
    "kind": "kind",
    "type": "kind",
    "名称": "name",
    "name": "name",
    "节日": "name",
    "来源": "source",
    "source": "source",
}
_REQUIRED = ("date", "kind", "name")

_KINDS: dict[str, EntryKind] = {
    "休假": "holiday",
    "放假": "holiday",
    "holiday": "holiday",
    "调休上班": "workday",
    "上班": "workday",
    "补班": "workday",
    "workday": "workday",
}
_NEW_YEAR = {"元旦", "New Year's Day", "new year's day"}
_KIND_HINT = msg("use 休假 (or holiday) for a day off, 调休上班 (or workday) for a make-up "
                 "workday")


def decode(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM) or GBK; raises ``UnicodeDecodeError`` if neither."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # GB18030 is a superset of GBK and GB2312, so one attempt covers all three.
    return data.decode("gb18030")


def read_csv(text: str, filename: str, issues: list[ImportIssue]) -> list[Entry]:
    """Read entries from CSV text; append every problem found to ``issues``."""
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header: list[str] | None = None
    columns: dict[str, int] = {}
    entries: list[Entry] = []
    for row in rows:
        line = rows.line_num
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue  # blank lines and comments are allowed in a hand-typed file
        if header is None:
            header = cells
            columns = _columns(header, filename, line, issues)
            continue
        entry = _entry(cells, header, columns, filename, line, issues)
        if entry is not None:
            entries.append(entry)
    if header is None:
        issues.append(
            ImportIssue(
                filename,
                None,
                msg("the file is empty; expected a header row 日期,类型,名称 and one row per "
                    "date"),
            )
        )
    elif not entries and not issues:
        issues.append(ImportIssue(filename, None, msg("no dates below the header row")))
    return entries


def _delimiter(text: str) -> str:
    # Excel saves commas; a file pasted from elsewhere may be tab-separated.
    first = next((ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")), "")
    return "\t" if "\t" in first and "," not in first else ","


def _columns(
    header: list[str], filename: str, line: int, issues: list[ImportIssue]
) -> dict[str, int]:
    columns: dict[str, int] = {}
    for i, title in enumerate(header):
        key = _HEADERS.get(title.lower())
        if key is None:
            continue  # extra columns (备注, 星期…) are the admin's own notes
        if key in columns:
            issues.append(
                ImportIssue(
                    filename,
                    line,
                    msg("columns '%(first)s' and '%(second)s' mean the same; keep one",
                        first=header[columns[key]], second=title),
                    column=title,
                )
            )
        columns[key] = i
    missing = [k for k in _REQUIRED if k not in columns]
    for key in missing:
        zh = next(h for h, k in _HEADERS.items() if k == key)
        issues.append(
            ImportIssue(
                filename,
                line,
                msg("missing column %(zh)s/%(key)s; the header row has %(header)s and must "
                    "name 日期, 类型 and 名称 (or date, kind, name)", zh=zh, key=key,
                    header=", ".join(header) or msg("nothing")),
                column=f"{zh}/{key}",
            )
        )
    return columns


def _entry(
    cells: list[str],
    header: list[str],
    columns: dict[str, int],
    filename: str,
    line: int,
    issues: list[ImportIssue],
) -> Entry | None:
    if len(cells) > len(header) and any(cells[len(header) :]):
        issues.append(
            ImportIssue(
                filename,
                line,
                msg('%(values)s values but the header has %(columns)s columns; a comma inside '
                    'a name must be quoted ("…") or written as the full-width ，',
                    values=len(cells), columns=len(header)),
            )
        )
        return None
    if any(k not in columns for k in _REQUIRED):
        return None  # already reported on the header line; do not repeat on every row

    def cell(key: str) -> str:
        i = columns[key]
        return cells[i] if i < len(cells) else ""

    def problem(key: str, message: str) -> None:
        issues.append(ImportIssue(filename, line, message, column=header[columns[key]]))

    ok = True
    raw_date = cell("date")
    day = parse_typed_date(raw_date)
    if day is None:
        problem(
            "date",
            msg("'%(value)s' is not a date (%(hint)s)", value=raw_date, hint=DATE_HINT)
            if raw_date
            else msg("the date is empty (%(hint)s)", hint=DATE_HINT),
        )
        ok = False
    raw_kind = cell("kind")
    kind = _KINDS.get(raw_kind.lower())
    if kind is None:
        problem(
            "kind",
            msg("'%(value)s' is not a known kind; %(hint)s", value=raw_kind, hint=_KIND_HINT)
            if raw_kind
            else msg("the kind is empty; %(hint)s", hint=_KIND_HINT),
        )
        ok = False
    name = cell("name")
    if kind == "holiday" and not name:
        problem("name", msg("a day off needs the festival's name, e.g. 春节"))
        ok = False
    if not ok or day is None or kind is None:
        return None
    source = cell("source") if "source" in columns else ""
    # A 元旦 break may begin in late December (the 2019 notice put 2018-12-29..31 in it);
    # such days belong to the next year's notice, not to a calendar of their own year.
    year = day.year + 1 if day.month == 12 and name in _NEW_YEAR else None
    return Entry(day, kind, name, source or None, line, column=header[columns["date"]], year=year)
