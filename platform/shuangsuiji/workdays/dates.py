"""Reading the dates an administrator types, in the forms Excel and the notices use."""

from __future__ import annotations

import re
from datetime import date

from shuangsuiji.messages import msg

# ISO "2027-02-06", Excel's zh_CN display "2027/2/6", dotted "2027.2.6", and the notice's
# own "2027年2月6日": the forms someone copying a notice into a spreadsheet produces.
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")

WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

#: Shown in error messages so the fix is obvious.
DATE_HINT = msg("write it as YYYY-MM-DD, e.g. 2027-02-06")


def parse_typed_date(text: str) -> date | None:
    """Parse a typed date; ``None`` if it is not a real calendar date in an accepted form."""
    m = _DATE.fullmatch(text.strip())
    if m is None:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None
