"""Write a table to CSV (UTF-8 with BOM, so Excel opens Chinese text correctly) or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from shuangsuiji.messages import msg
from shuangsuiji.tabular.errors import TabularError


def write_table(
    path_or_name: str | Path,
    headings: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    sheet_title: str = "Sheet1",
) -> bytes:
    """Render ``rows`` under ``headings`` in the format named by the file suffix and return
    the bytes (the caller writes them, or sends them as a download)."""
    suffix = Path(path_or_name).suffix.lower()
    if suffix == ".csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(headings)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        return buffer.getvalue().encode("utf-8-sig")
    if suffix == ".xlsx":
        workbook = Workbook(write_only=True)
        worksheet = workbook.create_sheet(sheet_title)
        worksheet.append(list(headings))
        for row in rows:
            # Codes stay text: "500103" written as a number would lose leading zeros elsewhere.
            worksheet.append([v.isoformat() if isinstance(v, date) else v for v in row])
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
    what = msg("cannot write %(suffix)s", suffix=suffix) if suffix else msg(
        "cannot write a file without suffix")
    raise TabularError(what, where=str(path_or_name), hint=msg("name the file .csv or .xlsx"))
