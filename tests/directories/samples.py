"""Builders for directory files used by the tests: valid credit codes, CSV and XLSX bytes."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook
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
