"""Dates as regulators write them: 2026-03-01, 2026/3/1, 2026.3.1, 2026年3月1日, 20260301,
and Excel date cells (or bare Excel serial numbers in a numeric cell)."""

from __future__ import annotations

import re
from datetime import date, datetime

from shuangsuiji.messages import msg

_YMD = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"  # a time part, as Excel text exports add
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# Excel's day 0 is 1899-12-30 once the 1900 leap-year bug is accounted for (serials > 60).
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()


def parse_date(value: object) -> date:
    """Read ``value`` as a calendar date, or raise ``ValueError`` saying what is accepted."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value != int(value) or not 61 <= value <= 2958465:
            raise ValueError(msg("%(value)r is not an Excel date", value=value))
        return date.fromordinal(_EXCEL_EPOCH + int(value))
    text = str(value).strip()
    match = _YMD.match(text) or _COMPACT.match(text)
    if match is None:
        raise ValueError(
            msg("%(value)r is not a date; write it as 2026-03-01, 2026/3/1 or 2026年3月1日",
                value=text)
        )
    year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(msg("%(value)r is not a calendar date (no such day)", value=text)
                         ) from None
