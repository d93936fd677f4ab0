"""XLSX through openpyxl in read-only mode (streams rows; big workbooks stay small in memory).

Bounded (:mod:`shuangsuiji.tabular.limits`): the archive's declared sizes are checked before
it is opened, and the rows and columns while they are read."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import BinaryIO

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from shuangsuiji.messages import msg
from shuangsuiji.tabular import limits
from shuangsuiji.tabular.cells import restore
from shuangsuiji.tabular.errors import TabularError


def _cells(values: tuple[object, ...]) -> list[object]:
    return ["" if v is None else restore(v) for v in values]


def _width(values: tuple[object, ...]) -> int:
    """The row's width without its empty cells on the right."""
    width = len(values)
    while width and (values[width - 1] is None or values[width - 1] == ""):
        width -= 1
    return width


def read(
    data: BinaryIO, name: str, sheet: str | None
) -> tuple[list[str], Iterator[tuple[int, list[object]]], int | None]:
    """Headings, rows and row-count hint of worksheet ``sheet`` (default: the first), from a
    seekable binary stream (closed when the rows have been read)."""
    limits.check_archive(data, name)
    data.seek(0)
    try:
        workbook = load_workbook(data, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise TabularError(msg("not a readable XLSX workbook"), where=name,
                           hint=msg("open it in Excel or WPS and save it again as .xlsx")
                           ) from None
    if sheet is None:
        worksheet = workbook.worksheets[0]
    elif sheet in workbook.sheetnames:
        worksheet = workbook[sheet]
    else:
        known = ", ".join(workbook.sheetnames)
        workbook.close()
        raise TabularError(msg("no worksheet named %(sheet)r", sheet=sheet), where=name,
                           hint=msg("the workbook has: %(sheets)s", sheets=known))
    if ((worksheet.max_column or 0) > limits.MAX_COLUMNS
            or (worksheet.max_row or 0) > limits.MAX_ROWS + 1):
        # The sheet's declared extent is what openpyxl pads every row to: a forged one
        # (XFD1048576) would make each row 16,384 cells. Read the cells actually there.
        worksheet.reset_dimensions()  # type: ignore[union-attr]
    rows = worksheet.iter_rows(values_only=True)
    first = next(rows, None)
    if first is None:
        workbook.close()
        raise TabularError(msg("worksheet %(sheet)r is empty", sheet=worksheet.title),
                           where=name, hint=msg("the first row must hold the column headings"))
    try:
        limits.check_row(1, _width(first), name)
    except TabularError:
        workbook.close()
        raise
    headings = [str(h) if h is not None else "" for h in first]
    size = worksheet.max_row - 1 if worksheet.max_row else None

    def data_rows() -> Iterator[tuple[int, list[object]]]:
        try:
            for number, values in enumerate(rows, start=2):
                limits.check_row(number, _width(values), name)
                if any(v is not None and v != "" for v in values):
                    yield number, _cells(values)
        finally:
            workbook.close()
            data.close()

    return headings, data_rows(), size
