"""XLSX read as a stream (tabular/xlsxfile.py, tabular/xlsxstrings.py).

These fail if the reader's values ever differ from openpyxl's own read-only reading of the
same workbook (shared strings, rich text, dates, numbers, gaps), if the shared-string table
or the rows read so far are held as openpyxl holds them again (memory), or if a broken sheet
gives a traceback instead of a message.
"""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from openpyxl.reader.strings import read_string_table
from sqlalchemy.orm import Session

from shuangsuiji.services.imports import ImportFailed, import_file
from shuangsuiji.tabular import TabularError, read_table
from shuangsuiji.tabular.cells import restore
from shuangsuiji.tabular.xlsxstrings import read_shared_strings
from tests.directories.conftest import counts
from tests.directories.samples import (
    TARGET_HEADINGS_ZH,
    bad_check,
    excel_xlsx_bytes,
    target_rows,
    xlsx_bytes,
)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
TABLE = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="{MAIN}" count="8" uniqueCount="8">
<si><t>重庆渝中精密机械有限公司</t></si>
<si><t xml:space="preserve">  前后有空格  </t></si>
<si><t/></si>
<si><r><rPr><b/></rPr><t>加粗</t></r><r><t xml:space="preserve"> 与普通</t></r></si>
<si><t>重庆</t><rPh sb="0" eb="2"><t>チョンチン</t></rPh><phoneticPr fontId="1"/></si>
<si><t>a_x005F_x000D_b</t></si>
<si><r><t>富文本</t></r><rPh sb="0" eb="1"><t>ふ</t></rPh></si>
<si><t>&lt;&amp;&gt; "quoted" 'x'</t></si>
</sst>""".encode()


def test_shared_strings_read_as_openpyxl_reads_them() -> None:
    ours = read_shared_strings(io.BytesIO(TABLE))
    assert list(ours) == read_string_table(io.BytesIO(TABLE))
    assert len(ours) == 8 and ours[0] == "重庆渝中精密机械有限公司" and ours[-1].startswith("<&>")
    assert ours[4] == "重庆"  # the phonetic run is not part of the text
    with pytest.raises(IndexError):
        ours[8]  # a cell pointing past the table


def _openpyxl_rows(data: bytes) -> list[tuple[int, list[object]]]:
    """The data rows as openpyxl's read-only reader gives them, as our reader should: trailing
    empty cells dropped, None as "", empty rows left out."""
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    rows = []
    for number, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), 1):
        cells = list(values)
        while cells and cells[-1] in (None, ""):
            cells.pop()
        if number > 1 and cells:
            rows.append((number, ["" if v is None else restore(v) for v in cells]))
    workbook.close()
    return rows


MIXED = [
    ["91500103MA5U7N5Y1A", "重庆渝中精密机械有限公司", 500103, 1.5, True, date(2026, 3, 1)],
    [None, None, None, None, None, None],  # an empty row
    ["", "只有第二列", None, None, None, None],
    ["'=HYPERLINK(1)", "公式样的文本", 0, -2, False, datetime(2025, 5, 20)],
    ["x", None, None, None, None, "最后一列"],
]


@pytest.mark.parametrize("write", [excel_xlsx_bytes, xlsx_bytes],
                         ids=["shared-strings", "inline-strings"])
def test_rows_read_as_openpyxl_reads_them(write: object) -> None:
    data = write(TARGET_HEADINGS_ZH, MIXED)  # type: ignore[operator]
    table = read_table(data, "名录.xlsx")
    assert table.headings == TARGET_HEADINGS_ZH
    assert list(table.rows) == _openpyxl_rows(data)
    assert table.size_hint == len(MIXED)


def test_import_from_an_excel_style_workbook(cq: Session) -> None:
    tid = cq.info["tenant_id"]
    rows = target_rows(30)
    rows[7][0] = bad_check(rows[7][0])
    before = counts(cq)
    with pytest.raises(ImportFailed) as caught:
        import_file(cq, tid, "targets", excel_xlsx_bytes(TARGET_HEADINGS_ZH, rows), "名录.xlsx")
    assert [(p.row, p.column) for p in caught.value.problems] == [(9, "统一社会信用代码")]
    assert counts(cq) == before
    report = import_file(cq, tid, "targets", excel_xlsx_bytes(TARGET_HEADINGS_ZH,
                                                              target_rows(30)), "名录.xlsx")
    assert (report.rows, report.inserted) == (30, 30)


def _peak(read: object) -> float:
    tracemalloc.start()
    try:
        read()  # type: ignore[operator]
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def test_shared_strings_and_rows_are_not_held_as_openpyxl_holds_them() -> None:
    """20,000 rows of distinct texts, as Excel writes them: openpyxl's read-only reader peaks
    at 13.4 MiB (a Python string each and an emptied element each, a record of each row's
    height), this one at 2.7 MiB (measured when it was written)."""
    data = excel_xlsx_bytes(TARGET_HEADINGS_ZH, target_rows(20_000))

    def ours() -> None:
        assert sum(1 for _ in read_table(data, "t.xlsx").rows) == 20_000

    def theirs() -> None:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        assert sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True)) == 20_001
        workbook.close()

    mine, openpyxl = _peak(ours), _peak(theirs)
    assert mine < 6 and mine < openpyxl / 3, (mine, openpyxl)


def _with_sheet(data: bytes, sheet_xml: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = sheet_xml if info.filename == "xl/worksheets/sheet1.xml" else \
                source.read(info)
            target.writestr(info.filename, body)
    return out.getvalue()


@pytest.mark.parametrize(("sheet", "after"), [
    (b'<c r="A3" t="s"><v>999999</v></c>', 2),  # past the shared-string table
    (b'<c r="A3" t="s"><v>0</v></c><c r="B3"', 2),  # broken XML
])
def test_a_broken_sheet_is_a_message_naming_the_row(sheet: bytes, after: int) -> None:
    data = excel_xlsx_bytes(["统一社会信用代码", "企业名称"], [["a", "b"]])
    head = (f'<worksheet xmlns="{MAIN}"><dimension ref="A1:B3"/><sheetData><row r="1">'
            '<c r="A1" t="s"><v>0</v></c>'
            '</row><row r="2"><c r="A2" t="s"><v>2</v></c></row><row r="3">').encode()
    broken = _with_sheet(data, head + sheet + b"</row></sheetData></worksheet>")
    table = read_table(broken, "坏.xlsx")
    with pytest.raises(TabularError) as caught:
        list(table.rows)
    assert f"cannot be read after row {after}" in str(caught.value)
