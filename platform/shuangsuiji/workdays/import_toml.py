"""Read a holiday notice typed as TOML: one ``[[festival]]`` table per item of the notice.

    year = 2027
    source = "国办发明电〔2026〕N号"

    [[festival]]
    name = "春节"
    from = 2027-02-06     # first day off, inclusive
    to = 2027-02-12       # last day off, inclusive
    workdays = [2027-02-13]   # 调休上班, optional

This mirrors the notice's own wording ("2月6日至12日放假调休，共7天。2月13日（周六）上班").
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from shuangsuiji.messages import msg
from shuangsuiji.workdays.assemble import Entry
from shuangsuiji.workdays.dates import DATE_HINT, parse_typed_date
from shuangsuiji.workdays.errors import ImportIssue
from shuangsuiji.workdays.yearcalendar import in_notice_year

_AT_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")
_FESTIVAL_HEADER = re.compile(r"^\s*\[\[\s*festival\s*\]\]")
_KEYS = {"name", "from", "to", "workdays"}


def read_toml(
    text: str, filename: str, issues: list[ImportIssue]
) -> tuple[list[Entry], str | None]:
    """Read entries and the file's ``source``; append every problem found to ``issues``."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _AT_LINE.search(str(exc))
        said = _AT_LINE.sub("", str(exc)).strip()  # tomllib's own words, in English
        issues.append(
            ImportIssue(
                filename,
                int(m[1]) if m else None,
                msg("not valid TOML: %(said)s (column %(column)s)", said=said, column=m[2])
                if m
                else msg("not valid TOML: %(said)s", said=said),
            )
        )
        return [], None

    # tomllib keeps no positions; the n-th [[festival]] header is the n-th table.
    header_lines = [i for i, ln in enumerate(text.splitlines(), 1) if _FESTIVAL_HEADER.match(ln)]

    def problem(line: int | None, path: str, message: str) -> None:
        issues.append(ImportIssue(filename, line, message, field=path))

    year = doc.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        problem(None, "year", msg("missing or not a whole number; write e.g. year = 2027"))
        year = None
    source = doc.get("source")
    if not isinstance(source, str) or not source.strip():
        problem(None, "source",
                msg('missing; name the notice, e.g. source = "国办发明电〔2026〕N号"'))
        source = None
    festivals = doc.get("festival")
    if not isinstance(festivals, list) or not festivals:
        problem(None, "festival", msg("no [[festival]] tables; add one per item of the notice"))
        return [], source

    entries: list[Entry] = []
    for n, fest in enumerate(festivals, 1):
        line = header_lines[n - 1] if len(header_lines) == len(festivals) else None
        path = f"festival[{n}]"
        if not isinstance(fest, dict):
            problem(line, path, msg("must be a table with name, from, to and optional workdays"))
            continue
        for key in sorted(set(fest) - _KEYS):
            problem(line, f"{path}.{key}",
                    msg("unknown key; allowed: %(keys)s", keys=tuple(sorted(_KEYS))))
        name = fest.get("name")
        if not isinstance(name, str) or not name.strip():
            problem(line, f"{path}.name",
                    msg('missing; write the festival\'s name, e.g. name = "春节"'))
            continue
        first = _date(fest.get("from"), line, f"{path}.from", problem)
        last = _date(fest.get("to", fest.get("from")), line, f"{path}.to", problem)
        if first and last:
            if last < first:
                problem(line, f"{path}.to", msg("'%(last)s' is before from = %(first)s; swap them",
                                                last=str(last), first=str(first)))
            else:
                d = first
                while d <= last:
                    entries.append(
                        Entry(d, "holiday", name.strip(), None, line, field=f"{path}.from")
                    )
                    d += timedelta(days=1)
        raw_workdays = fest.get("workdays", [])
        if not isinstance(raw_workdays, list):
            problem(line, f"{path}.workdays", msg("must be a list of dates, e.g. [2027-02-13]"))
            continue
        for i, raw in enumerate(raw_workdays, 1):
            w = _date(raw, line, f"{path}.workdays[{i}]", problem)
            if w:
                entries.append(
                    Entry(w, "workday", name.strip(), None, line, field=f"{path}.workdays[{i}]")
                )
    if year is not None:
        for e in entries:
            if not in_notice_year(e.day, year):
                problem(
                    e.line,
                    e.field or "",
                    msg("'%(day)s' is outside year = %(year)s (only the December before may "
                        "appear, for a 元旦 break)", day=str(e.day), year=year),
                )
        entries = [replace(e, year=year) for e in entries if in_notice_year(e.day, year)]
    return entries, source


def _date(raw: Any, line: int | None, path: str, problem: Any) -> date | None:
    # TOML has native dates; a quoted "2027-02-06" is accepted too, since it is a common slip.
    if isinstance(raw, date) and not hasattr(raw, "hour"):
        return raw
    if isinstance(raw, str):
        parsed = parse_typed_date(raw)
        if parsed is not None:
            return parsed
        problem(line, path, msg("'%(value)s' is not a date (%(hint)s)", value=raw,
                                hint=DATE_HINT))
        return None
    problem(
        line,
        path,
        msg("missing or not a date (%(hint)s)", hint=DATE_HINT)
        if raw is None
        else msg("'%(value)s' is not a date (%(hint)s)", value=str(raw), hint=DATE_HINT),
    )
    return None
