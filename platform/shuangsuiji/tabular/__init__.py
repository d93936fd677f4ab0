"""Reading and writing tables: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) and XLSX.

A :class:`Table` is the file's headings and its rows, each with the row number the user sees
in a spreadsheet (the heading row is row 1). Cell values are ``str`` from CSV; XLSX cells keep
their type (numbers, dates) so that an Excel date is read as a date, not as a serial number.

The names below are loaded when first used (PEP 562): a module that needs only
:mod:`shuangsuiji.tabular.dates` (the draw, through the directories' field rules) does not
import openpyxl, and with it NumPy, which cost a command about 0.2 s of CPU before its work.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shuangsuiji.tabular.dates import parse_date
    from shuangsuiji.tabular.errors import TabularError
    from shuangsuiji.tabular.reader import Table, load_bytes, read_table
    from shuangsuiji.tabular.writer import Sheet, write_sheets, write_table

_WHERE = {
    "Sheet": "writer",
    "Table": "reader",
    "TabularError": "errors",
    "load_bytes": "reader",
    "parse_date": "dates",
    "read_table": "reader",
    "write_sheets": "writer",
    "write_table": "writer",
}

__all__ = [
    "Sheet",
    "Table",
    "TabularError",
    "load_bytes",
    "parse_date",
    "read_table",
    "write_sheets",
    "write_table",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value  # found once
    return value
