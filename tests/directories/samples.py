"""Builders for directory files used by the tests: valid credit codes, CSV and XLSX bytes."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from html import escape
from itertools import chain
from typing import IO

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from stdnum.cn import uscc

TARGET_HEADINGS_ZH = ["统一社会信用代码", "企业名称", "行政区划代码", "所属行业", "信用等级",
                      "风险标记"]
TARGET_HEADINGS_EN = ["credit_code", "name", "region_code", "industry", "credit_rating",
                      "risk_flags"]


def code(n: int, region: str = "500103") -> str:
    """A valid 统一社会信用代码 (check character computed by python-stdnum)."""
    body = f"91{region}{n:09d}"
    return body + uscc.calc_check_digit(body)


def bad_check(valid: str) -> str:
    """``valid`` with a wrong check character."""
    wrong = "0" if valid[-1] != "0" else "1"
    return valid[:-1] + wrong


def target_rows(count: int = 3) -> list[list[str]]:
    rows = [
        [code(1), "重庆渝中精密机械有限公司", "500103", "制造业", "A",
         "投诉举报多; 经营异常名录(2026-03-01~2026-06-30)"],
        [code(2), "重庆解放碑电子科技有限公司", "500103", "信息传输、软件和信息技术服务业",
         "B", ""],
        [code(3), "重庆两江新材料股份有限公司", "500112", "制造业", "A", "行政处罚(2025/5/20)"],
    ]
    for n in range(4, count + 1):
        rows.append([code(n), f"重庆测试企业{n}有限公司", "500103", "制造业", "C", ""])
    return rows[:count]


def csv_bytes(headings: Sequence[str], rows: Sequence[Sequence[object]],
              encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headings)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(headings: Sequence[str], rows: Sequence[Sequence[object]],
               sheet: str = "名录") -> bytes:
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = sheet
    worksheet.append(list(headings))
    for row in rows:
        worksheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


INSPECTOR_HEADINGS = ["姓名", "所属部门", "处室", "专业领域", "下级主管部门", "执法证号",
                      "执法证有效期至", "工作证号"]
INSPECTOR_ROWS = [
    ["张伟", "综合执法处", "执法一科", "安全生产", "否", "渝执500001", "2027-12-31", ""],
    ["李娜", "综合执法处", "执法二科", "节能监察", "否", "渝执500002", "2026年3月1日", "GZ-0002"],
    ["王强", "节能处", "", "节能监察", "是", "", "", "GZ-0003"],
]

ITEM_HEADINGS = ["事项编码", "事项名称", "抽查内容", "抽查依据", "抽查对象", "抽查方式",
                 "抽查频次", "事项类别", "比例上限", "公开方式", "实施部门"]
ITEM_ROWS = [
    ["CQJX-001", "工业节能监察", "能耗限额标准执行情况", "《中华人民共和国节约能源法》第六十二条",
     "重点用能单位", "现场检查；书面检查", "每年一次", "重点", "", "公开", "节能处"],
    ["CQJX-002", "民用爆炸物品生产安全检查", "安全生产条件", "《民用爆炸物品安全管理条例》",
     "民爆生产企业", "现场检查", "每年一次", "一般", "20%", "定向通报", "安全处、综合执法处"],
]


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_XLSX_PARTS = {
    "[Content_Types].xml": (
        f'<Types xmlns="{_PKG}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
        "</Types>"),
    "_rels/.rels": (
        f'<Relationships xmlns="{_PKG}/relationships"><Relationship Id="rId1" '
        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_PKG}/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"),
    "xl/styles.xml": (  # style 1: a date (built-in number format 14)
        f'<styleSheet xmlns="{_MAIN}"><fonts count="1"><font/></fonts>'
        '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
        '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/>'
        '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
        "</cellStyles></styleSheet>"),
}
_EXCEL_EPOCH = date(1899, 12, 30)


def _xlsx_cell(ref: str, value: object, strings: dict[str, int]) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, datetime):
        serial = (value - datetime.combine(_EXCEL_EPOCH, time())) / timedelta(days=1)
        return f'<c r="{ref}" s="1"><v>{serial}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="1"><v>{(value - _EXCEL_EPOCH).days}</v></c>'
    index = strings.setdefault(str(value), len(strings))
    return f'<c r="{ref}" t="s"><v>{index}</v></c>'


def write_excel_xlsx(out: str | IO[bytes], headings: Sequence[str],
                     rows: Iterable[Sequence[object]], *, width: int | None = None,
                     count: int | None = None, sheet: str = "名录") -> None:
    """An XLSX as Excel and WPS save it (openpyxl writes inline strings instead): every
    text in the shared-string table ``xl/sharedStrings.xml`` and the cells pointing into it;
    numbers as numbers, dates as serial numbers with a date style; each row with its height,
    as WPS writes it. Streamed to ``out``, so a million rows can be written (the distinct
    texts are kept while writing). ``width`` and ``count`` (data rows), when given, are
    declared as the sheet's dimension, as Excel does."""
    strings: dict[str, int] = {}
    columns = [get_column_letter(i + 1) for i in range(max(width or 0, len(headings)))]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, xml in _XLSX_PARTS.items():
            archive.writestr(part, xml)
        archive.writestr("xl/workbook.xml", (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets><sheet '
            f'name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(f'<worksheet xmlns="{_MAIN}">'.encode())
            if count is not None:
                f.write(f'<dimension ref="A1:{columns[-1]}{count + 1}"/>'.encode())
            f.write(b"<sheetData>")
            for number, row in enumerate(chain([headings], rows), start=1):
                cells = "".join(_xlsx_cell(f"{columns[i]}{number}", v, strings)
                                for i, v in enumerate(row))
                f.write(f'<row r="{number}" spans="1:{len(columns)}" ht="18" '
                        f'customHeight="1">{cells}</row>'.encode())
            f.write(b"</sheetData></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(f'<sst xmlns="{_MAIN}" uniqueCount="{len(strings)}">'.encode())
            for text in strings:
                f.write(f'<si><t xml:space="preserve">{escape(text)}</t></si>'.encode())
            f.write(b"</sst>")


def excel_xlsx_bytes(headings: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """:func:`write_excel_xlsx` into bytes."""
    out = io.BytesIO()
    rows = list(rows)
    write_excel_xlsx(out, headings, rows, width=max(map(len, rows), default=0),
                     count=len(rows))
    return out.getvalue()
