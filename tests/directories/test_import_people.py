"""Importing inspectors and experts: keys, credentials, re-import history, conflicts."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.models.directories import Expert, Inspector
from shuangsuiji.services import directories
from shuangsuiji.services.imports import ImportFailed, import_file
from tests.directories.conftest import counts
from tests.directories.samples import INSPECTOR_HEADINGS, INSPECTOR_ROWS, csv_bytes


def _import(session: Session, kind: str, data: bytes, name: str = "people.csv") -> object:
    return import_file(session, session.info["tenant_id"], kind, data, name)


def test_inspectors_with_certificate_or_work_id(cq: Session) -> None:
    report = _import(cq, "inspectors", csv_bytes(INSPECTOR_HEADINGS, INSPECTOR_ROWS, "gbk"))
    assert report.inserted == 3  # type: ignore[attr-defined]
    people = {p.name: p for p in directories.load_inspectors(cq)}
    assert people["张伟"].credential_kinds() == ("enforcement_certificate",)
    assert people["李娜"].credentials[0].expires == date(2026, 3, 1)
    assert people["李娜"].credential_kinds() == ("enforcement_certificate", "work_id")
    assert people["王强"].subordinate is True
    assert people["王强"].credential_kinds() == ("work_id",)


def test_eligibility_by_credential_and_expiry(cq: Session) -> None:
    _import(cq, "inspectors", csv_bytes(INSPECTOR_HEADINGS, INSPECTOR_ROWS))
    # CQ: a valid enforcement certificate is required
    names = [p.name for p in directories.eligible_inspectors(
        cq, on=date(2026, 3, 2), credentials=("enforcement_certificate",), valid_on_date=True)]
    assert names == ["张伟"]  # 李娜's certificate expired on 2026-03-01
    names = {p.name for p in directories.eligible_inspectors(
        cq, on=date(2026, 3, 1), credentials=("enforcement_certificate", "work_id"),
        valid_on_date=True)}
    assert names == {"张伟", "李娜", "王强"}


def test_reimport_matches_by_certificate_then_work_id(cq: Session) -> None:
    _import(cq, "inspectors", csv_bytes(INSPECTOR_HEADINGS, INSPECTOR_ROWS))
    cq.commit()
    rows = [list(r) for r in INSPECTOR_ROWS]
    rows[0][2] = "执法三科"  # 张伟 moves division; found by certificate
    rows[1][6] = "2030-03-01"  # 李娜 renewed
    rows[2][5] = "渝执500003"  # 王强 gets a certificate: found by work ID
    report = _import(cq, "inspectors", csv_bytes(INSPECTOR_HEADINGS, rows))
    cq.commit()
    assert (report.inserted, report.updated) == (0, 3)  # type: ignore[attr-defined]
    assert [(c.field, c.old, c.new) for c in directories.history(cq, "inspectors", "渝执500001")
            ] == [("division", "执法一科", "执法三科")]
    assert [(c.field, c.old, c.new) for c in directories.history(cq, "inspectors", "渝执500002")
            ] == [("certificate_expiry", "2026-03-01", "2030-03-01")]
    assert [(c.field, c.new) for c in directories.history(cq, "inspectors", "渝执500003")
            ] == [("certificate_no", "渝执500003")]
    assert len(cq.scalars(select(Inspector)).all()) == 3


def test_inspector_needs_a_credential(cq: Session) -> None:
    rows = [list(r) for r in INSPECTOR_ROWS]
    rows[2][7] = ""
    before = counts(cq)
    with pytest.raises(ImportFailed) as caught:
        _import(cq, "inspectors", csv_bytes(INSPECTOR_HEADINGS, rows))
    [problem] = caught.value.problems
    assert problem.row == 4 and "执法证号 or 工作证号" in problem.reason
    assert counts(cq) == before


def test_file_without_any_credential_column(cq: Session) -> None:
    with pytest.raises(ImportFailed, match="missing column"):
        _import(cq, "inspectors", csv_bytes(["姓名", "处室"], [["张伟", "执法一科"]]))


def test_key_owned_by_another_stored_inspector_is_refused(cq: Session) -> None:
    _import(cq, "inspectors", csv_bytes(INSPECTOR_HEADINGS, INSPECTOR_ROWS))
    cq.commit()
    before = counts(cq)
    # 张伟's row now claims 王强's work ID
    rows = [["张伟", "综合执法处", "执法一科", "安全生产", "否", "渝执500001", "2027-12-31",
             "GZ-0003"]]
    with pytest.raises(ImportFailed) as caught:
        _import(cq, "inspectors", csv_bytes(INSPECTOR_HEADINGS, rows))
    [problem] = caught.value.problems
    assert problem.column == "工作证号" and "another stored" in problem.reason
    # undone by the import's savepoint: no rollback needed, the session is still usable
    assert counts(cq) == before
    rows[0][7] = ""
    assert _import(cq, "inspectors", csv_bytes(INSPECTOR_HEADINGS, rows)).unchanged == 1  # type: ignore[attr-defined]


def test_bad_expiry_date_in_csv_and_real_date_cells_in_xlsx(cq: Session) -> None:
    rows = [list(r) for r in INSPECTOR_ROWS]
    rows[0][6] = "明年"
    with pytest.raises(ImportFailed) as caught:
        _import(cq, "inspectors", csv_bytes(INSPECTOR_HEADINGS, rows))
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (2, "执法证有效期至")
    cq.rollback()

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["name", "certificate_no", "certificate_expiry", "subordinate"])
    sheet.append(["赵敏", "渝执600001", datetime(2027, 6, 30), "no"])
    sheet.append(["钱进", "渝执600002", 46387, "yes"])  # an Excel serial number: 2026-12-31
    out = io.BytesIO()
    workbook.save(out)
    _import(cq, "inspectors", out.getvalue(), "people.xlsx")
    expiry = dict(cq.execute(select(Inspector.name, Inspector.certificate_expiry)).all())
    assert expiry == {"赵敏": date(2027, 6, 30), "钱进": date(2026, 12, 31)}


def test_experts_by_code_then_id_number(cq: Session) -> None:
    headings = ["姓名", "专家编号", "身份证号", "专业领域", "工作单位", "联系电话"]
    rows = [["周专家", "ZJ-001", "", "锅炉压力容器", "重庆大学", "023-65100000"],
            ["吴专家", "", "500103198001010011", "电子信息", "重庆邮电大学", ""]]
    assert _import(cq, "experts", csv_bytes(headings, rows)).inserted == 2  # type: ignore[attr-defined]
    rows[1][3] = "网络安全"
    report = _import(cq, "experts", csv_bytes(headings, rows))
    assert (report.updated, report.unchanged) == (1, 1)  # type: ignore[attr-defined]
    experts = directories.load_experts(cq)
    assert [e.key for e in experts] == ["500103198001010011", "ZJ-001"]
    assert cq.scalar(select(Expert.phone).where(Expert.expert_code == "ZJ-001")) == "023-65100000"
    assert directories.history(cq, "experts", "500103198001010011")[0].new == "网络安全"
