"""Write a table to CSV (UTF-8 with BOM, so Excel opens Chinese text correctly) or XLSX.

Every cell goes through :mod:`shuangsuiji.tabular.cells`: no cell is ever a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from shuangsuiji.messages import msg
from shuangsuiji.tabular.cells import neutralise_row, xlsx_row
from shuangsuiji.tabular.errors import TabularError


def write_table(
    path_or_name: str | Path,
    headings: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    sheet_title: str = "Sheet1",
    freeze_header: bool = False,
) -> bytes:
    """Render ``rows`` under ``headings`` in the format named by the file suffix and return
    the bytes (the caller writes them, or sends them as a download)."""
    suffix = Path(path_or_name).suffix.lower()
    if suffix == ".csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(neutralise_row(headings))
        writer.writerows(neutralise_row(row) for row in rows)
        return buffer.getvalue().encode("utf-8-sig")
    if suffix == ".xlsx":
        return write_sheets([Sheet(sheet_title, headings, rows, freeze_header)])
    what = msg("cannot write %(suffix)s", suffix=suffix) if suffix else msg(
        "cannot write a file without suffix")
    raise TabularError(what, where=str(path_or_name), hint=msg("name the file .csv or .xlsx"))


@dataclass(frozen=True)
class Sheet:
    """One worksheet of :func:`write_sheets`: its title, headings and rows."""

    title: str
    headings: Sequence[str]
    rows: Iterable[Sequence[object]]
    freeze_header: bool = True


def write_sheets(sheets: Sequence[Sheet]) -> bytes:
    """An XLSX workbook of several worksheets, in order; cells as :func:`write_table`'s."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.title)
        if sheet.freeze_header:
            worksheet.freeze_panes = "A2"
        worksheet.append(xlsx_row(worksheet, sheet.headings))
        for row in sheet.rows:
            # Codes stay text: "500103" written as a number would lose leading zeros elsewhere.
            worksheet.append(xlsx_row(worksheet, row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
