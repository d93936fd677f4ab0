"""XLSX read as a stream: a million-row workbook costs memory for its shared strings (held
compactly, :mod:`shuangsuiji.tabular.xlsxstrings`) and the row being read, not for the rows.

openpyxl opens the workbook (its sheets, styles and date formats) in read-only mode, and its
worksheet parser reads each cell (types, dates, shared strings, formulas' cached values); the
rows are walked here, each dropped from the parsed tree once read, without openpyxl's
padding of every row to the sheet's declared width or its record of each row's attributes
(both grow with the sheet). Bounded (:mod:`shuangsuiji.tabular.limits`): the archive's
declared sizes are checked before it is opened, and the rows and columns while they are read.
"""

from __future__ import annotations

import zipfile
from collections.abc import Generator, Iterator
from typing import Any, BinaryIO
from xml.etree.ElementTree import ParseError

from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._reader import ROW_TAG, WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from shuangsuiji.messages import msg
from shuangsuiji.tabular import limits
from shuangsuiji.tabular.cells import restore
from shuangsuiji.tabular.errors import TabularError
from shuangsuiji.tabular.xlsxstrings import CompactReader

_SHEET_DATA = f"{{{SHEET_MAIN_NS}}}sheetData"
_RESAVE = msg("open it in Excel or WPS and save it again as .xlsx")


def _cells(values: list[object]) -> list[object]:
    return ["" if v is None else restore(v) for v in values]


def _sheet_rows(workbook: Any, worksheet: Any,
                name: str) -> Generator[tuple[int, list[object]], None, None]:
    """(sheet row number, cell values up to the last non-empty one) of every row element,
    each removed from the parsed tree once read. (``_shared_strings`` and ``_get_source`` of
    openpyxl's read-only worksheet, and its parser: openpyxl is pinned in requirements.lock,
    and tests/directories/test_xlsx_stream.py reads dates, numbers, formulas' values, rich
    text and gaps through them.)"""
    parser = WorkSheetParser(None, worksheet._shared_strings, data_only=True,
                             epoch=workbook.epoch, date_formats=workbook._date_formats,
                             timedelta_formats=workbook._timedelta_formats)
    last = 1
    with worksheet._get_source() as src:
        parent = None
        try:
            for event, element in iterparse(src, events=("start", "end")):
                if event == "start":
                    if element.tag == _SHEET_DATA:
                        parent = element
                    continue
                if element.tag != ROW_TAG:
                    continue
                number, cells = parser.parse_row(element)
                parser.row_dimensions.clear()  # openpyxl keeps each row's height and style
                values: list[object] = []
                for cell in cells:
                    value = cell["value"]
                    if value is None or value == "":
                        continue
                    column = cell["column"]
                    if column > len(values):
                        limits.check_row(number, column, name)  # before making it that wide
                        values.extend([None] * (column - len(values)))
                    values[column - 1] = value
                if parent is not None:
                    parent.clear()
                last = number
                yield number, values
        except (ParseError, ValueError, TypeError, IndexError, KeyError) as exc:
            # broken XML, or a cell openpyxl cannot read (a string number past the table)
            raise TabularError(msg("the worksheet cannot be read after row %(row)d "
                                   "(%(problem)s)", row=last, problem=str(exc)),
                               where=name, hint=_RESAVE) from None


def read(
    data: BinaryIO, name: str, sheet: str | None
) -> tuple[list[str], Iterator[tuple[int, list[object]]], int | None]:
    """Headings, rows and row-count hint of worksheet ``sheet`` (default: the first), from a
    seekable binary stream (closed when the rows have been read)."""
    limits.check_archive(data, name)
    data.seek(0)
    try:
        reader = CompactReader(data, read_only=True, data_only=True)
        reader.read()
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError,
            TypeError, ParseError):  # TypeError: a style openpyxl cannot read
        raise TabularError(msg("not a readable XLSX workbook"), where=name,
                           hint=_RESAVE) from None
    workbook = reader.wb
    if sheet is None:
        worksheet = workbook.worksheets[0]
    elif sheet in workbook.sheetnames:
        worksheet = workbook[sheet]
    else:
        known = ", ".join(workbook.sheetnames)
        workbook.close()
        raise TabularError(msg("no worksheet named %(sheet)r", sheet=sheet), where=name,
                           hint=msg("the workbook has: %(sheets)s", sheets=known))
    rows = _sheet_rows(workbook, worksheet, name)
    try:
        _, first = next(rows, (1, None))
        if first is None:
            raise TabularError(msg("worksheet %(sheet)r is empty", sheet=worksheet.title),
                               where=name,
                               hint=msg("the first row must hold the column headings"))
        limits.check_row(1, len(first), name)
    except BaseException:
        rows.close()
        workbook.close()
        raise
    headings = [str(h) if h is not None else "" for h in first]
    declared = worksheet.max_row
    # the declared extent is only a hint (a forged one may say XFD1048576)
    size = declared - 1 if declared and declared <= limits.MAX_ROWS + 1 else None

    def data_rows() -> Iterator[tuple[int, list[object]]]:
        try:
            for number, values in rows:
                limits.check_row(number, len(values), name)
                if values:
                    yield number, _cells(values)
        finally:
            rows.close()
            workbook.close()
            data.close()

    return headings, data_rows(), size
