"""Importing targets: encodings, formats, headings, every kind of bad input, re-import."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.models.directories import Target
from shuangsuiji.services import audit, directories
from shuangsuiji.services.imports import ImportFailed, import_file
from shuangsuiji.tabular import TabularError
from tests.directories.conftest import counts
from tests.directories.samples import (
    TARGET_HEADINGS_EN,
    TARGET_HEADINGS_ZH,
    bad_check,
    code,
    csv_bytes,
    target_rows,
    xlsx_bytes,
)

FORMATS = {
    "utf-8": lambda h, r: (csv_bytes(h, r, "utf-8"), "targets.csv"),
    "utf-8-bom": lambda h, r: (csv_bytes(h, r, "utf-8-sig"), "targets.csv"),
    "gbk": lambda h, r: (csv_bytes(h, r, "gbk"), "targets.csv"),
    "xlsx": lambda h, r: (xlsx_bytes(h, r), "targets.xlsx"),
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("headings", [TARGET_HEADINGS_ZH, TARGET_HEADINGS_EN], ids=["zh", "en"])
def test_good_import_in_every_format(cq: Session, fmt: str, headings: list[str]) -> None:
    data, name = FORMATS[fmt](headings, target_rows())
    report = import_file(cq, cq.info["tenant_id"], "targets", data, name, actor="tester")
    cq.commit()

    assert (report.inserted, report.updated, report.unchanged) == (3, 0, 0)
    stored = {t.credit_code: t for t in cq.scalars(select(Target))}
    assert stored[code(2)].name == "重庆解放碑电子科技有限公司"
    assert stored[code(2)].industry == "信息传输、软件和信息技术服务业"
    assert stored[code(3)].region_code == "500112"
    on = directories.load_targets(cq, on=date(2026, 4, 1))
    assert [t.credit_code for t in on] == [code(1), code(2), code(3)]
    assert on[0].flags == {"complaints", "abnormal_operations"}
    assert on[2].flags == {"administrative_penalty"}
    event = audit.verify(cq, cq.info["tenant_id"])
    assert event.ok
    assert report.sha256 and report.batch_id


def test_flags_in_force_depend_on_the_date(cq: Session) -> None:
    import_file(cq, cq.info["tenant_id"], "targets",
                csv_bytes(TARGET_HEADINGS_ZH, target_rows()), "t.csv")
    flags = {t.credit_code: t.flags for t in directories.load_targets(cq, on=date(2026, 2, 1))}
    assert flags[code(1)] == {"complaints"}  # abnormal operations listed only from 1 March
    flags = {t.credit_code: t.flags for t in directories.load_targets(cq, on=date(2026, 6, 30))}
    assert flags[code(1)] == {"complaints"}  # removed on 30 June (exclusive)
    flags = {t.credit_code: t.flags for t in directories.load_targets(cq, on=date(2025, 1, 1))}
    assert flags[code(3)] == frozenset()  # penalty listed 2025-05-20


def test_text_is_normalised(cq: Session) -> None:
    decomposed = "Cafe\u0301 公司"  # e + combining acute: NFC makes it one character
    rows = [[f"  {code(9)} ", f"  {decomposed}  ", "500103", "制造业", "A", ""]]
    import_file(cq, cq.info["tenant_id"], "targets", csv_bytes(TARGET_HEADINGS_ZH, rows), "t.csv")
    assert cq.scalar(select(Target.name)) == "Café 公司"


def _assert_nothing_written(session: Session, before: dict[str, int], tenant_id: int,
                            chain: int) -> None:
    assert counts(session) == before
    assert audit.count(session, tenant_id) == chain


def _failing(session: Session, data: bytes, name: str = "t.csv") -> ImportFailed:
    tid = session.info["tenant_id"]
    before, chain = counts(session), audit.count(session, tid)
    with pytest.raises(ImportFailed) as caught:
        import_file(session, tid, "targets", data, name)
    session.rollback()
    _assert_nothing_written(session, before, tid, chain)
    return caught.value


def test_bad_checksum_names_row_column_and_check_character(cq: Session) -> None:
    rows = target_rows()
    good = rows[1][0]
    rows[1][0] = bad_check(good)
    failed = _failing(cq, csv_bytes(TARGET_HEADINGS_ZH, rows))
    [problem] = failed.problems
    assert (problem.row, problem.column, problem.value) == (3, "统一社会信用代码", rows[1][0])
    assert f"should be {good[-1]}" in problem.reason


def test_every_bad_row_is_reported_not_just_the_first(cq: Session) -> None:
    rows = target_rows(60)
    for row in rows[5:58]:
        row[0] = bad_check(row[0])
    failed = _failing(cq, csv_bytes(TARGET_HEADINGS_ZH, rows))
    assert len(failed.problems) == 53
    text = str(failed)
    assert "and 3 more" in text
    assert "row 7, column 统一社会信用代码" in text


def test_duplicate_in_file_names_the_first_row(cq: Session) -> None:
    rows = target_rows(4)
    rows[3][0] = rows[0][0]
    failed = _failing(cq, csv_bytes(TARGET_HEADINGS_ZH, rows))
    [problem] = failed.problems
    assert problem.row == 5
    assert "row 2" in problem.reason and "duplicate" in problem.reason


def test_missing_required_column_is_reported_before_any_row(cq: Session) -> None:
    headings = [h for h in TARGET_HEADINGS_ZH if h != "统一社会信用代码"]
    rows = [r[1:] for r in target_rows()]
    failed = _failing(cq, csv_bytes(headings, rows))
    [problem] = failed.problems
    assert problem.row == 1
    assert "missing required column 统一社会信用代码" in problem.reason


def test_empty_required_cell(cq: Session) -> None:
    rows = target_rows()
    rows[2][1] = "  "
    [problem] = _failing(cq, csv_bytes(TARGET_HEADINGS_ZH, rows)).problems
    assert (problem.row, problem.column) == (4, "企业名称")


def test_bad_date_and_unknown_flag(cq: Session) -> None:
    rows = target_rows()
    rows[0][5] = "经营异常名录(2026-02-30)"
    rows[1][5] = "偷税漏税"
    problems = _failing(cq, csv_bytes(TARGET_HEADINGS_ZH, rows)).problems
    assert [(p.row, p.column) for p in problems] == [(2, "风险标记"), (3, "风险标记")]
    assert "no such day" in problems[0].reason
    assert "unknown risk flag" in problems[1].reason


def test_undecodable_text_names_the_line_and_suggests_utf8(cq: Session) -> None:
    data = csv_bytes(TARGET_HEADINGS_ZH, target_rows(), "utf-8")
    lines = data.split(b"\r\n")
    lines[2] = lines[2] + b"\xff\xfe"  # bytes that are neither UTF-8 nor GBK
    tid = cq.info["tenant_id"]
    before, chain = counts(cq), audit.count(cq, tid)
    with pytest.raises(TabularError) as caught:
        import_file(cq, tid, "targets", b"\r\n".join(lines), "t.csv")
    assert "line 3" in str(caught.value)
    assert "UTF-8" in str(caught.value)
    _assert_nothing_written(cq, before, tid, chain)


def test_reimport_updates_by_credit_code_and_keeps_history(cq: Session) -> None:
    tid = cq.info["tenant_id"]
    rows = target_rows()
    rows[0][5] = "投诉举报多; 经营异常名录(2026-03-01)"  # listed, not yet removed
    import_file(cq, tid, "targets", csv_bytes(TARGET_HEADINGS_ZH, rows), "march.csv",
                today=date(2026, 3, 10))
    cq.commit()
    rows = target_rows()
    rows[1][1] = "重庆解放碑电子科技股份有限公司"  # renamed
    rows[1][4] = "C"
    rows[0][5] = "投诉举报多"  # abnormal operations dropped from the list
    report = import_file(cq, tid, "targets", csv_bytes(TARGET_HEADINGS_ZH, rows), "april.csv",
                         today=date(2026, 4, 15))
    cq.commit()

    assert (report.inserted, report.updated, report.unchanged) == (0, 2, 1)
    changes = directories.history(cq, "targets", code(2))
    assert {(c.field, c.old, c.new) for c in changes} == {
        ("name", "重庆解放碑电子科技有限公司", "重庆解放碑电子科技股份有限公司"),
        ("credit_rating", "B", "C"),
    }
    assert all(c.batch_id == report.batch_id for c in changes)
    # the flag still open is ended on the day of the import, not erased: past days still see it
    spans = directories.target_flag_history(cq, code(1))
    assert ("abnormal_operations", date(2026, 3, 1), date(2026, 4, 15)) in spans
    assert directories.load_targets(cq, on=date(2026, 4, 1), credit_codes=[code(1)])[0].flags \
        == {"complaints", "abnormal_operations"}
    assert directories.load_targets(cq, on=date(2026, 4, 15), credit_codes=[code(1)])[0].flags \
        == {"complaints"}
    [flag_change] = directories.history(cq, "targets", code(1))
    assert flag_change.field == "risk_flags"
    assert cq.scalar(select(Target.updated_at).where(Target.credit_code == code(2)))


def test_reimport_of_the_same_file_changes_nothing(cq: Session) -> None:
    tid = cq.info["tenant_id"]
    data = csv_bytes(TARGET_HEADINGS_ZH, target_rows())
    import_file(cq, tid, "targets", data, "t.csv")
    cq.commit()
    before = counts(cq)
    report = import_file(cq, tid, "targets", data, "t.csv")
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 3)
    after = counts(cq)
    assert after["directory_changes"] == before["directory_changes"]
    assert after["target_flags"] == before["target_flags"]


def test_column_left_out_leaves_the_field_alone(cq: Session) -> None:
    tid = cq.info["tenant_id"]
    import_file(cq, tid, "targets", csv_bytes(TARGET_HEADINGS_ZH, target_rows()), "t.csv")
    only = [[r[0], r[1]] for r in target_rows()]
    report = import_file(cq, tid, "targets", csv_bytes(TARGET_HEADINGS_ZH[:2], only), "t2.csv")
    assert report.unchanged == 3
    assert directories.load_targets(cq, on=date(2026, 4, 1))[0].flags  # flags kept


def test_dry_run_writes_nothing(cq: Session) -> None:
    tid = cq.info["tenant_id"]
    before, chain = counts(cq), audit.count(cq, tid)
    report = import_file(cq, tid, "targets", csv_bytes(TARGET_HEADINGS_ZH, target_rows()),
                         "t.csv", dry_run=True)
    assert report.inserted == 3 and report.dry_run
    _assert_nothing_written(cq, before, tid, chain)


def test_unknown_columns_are_ignored_and_named(cq: Session) -> None:
    headings = [*TARGET_HEADINGS_ZH, "备注"]
    rows = [[*r, "随便"] for r in target_rows()]
    report = import_file(cq, cq.info["tenant_id"], "targets", csv_bytes(headings, rows), "t.csv")
    assert report.ignored_columns == ["备注"]
    assert "备注" in report.summary()


def test_xlsx_named_sheet_and_number_cells(cq: Session) -> None:
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "说明"  # type: ignore[union-attr]
    sheet = workbook.create_sheet("检查对象")
    sheet.append(["*统一社会信用代码", "市场主体名称", "行政区划代码", "风险标记"])
    sheet.append([code(1), "某公司", 500103, "行政处罚"])
    out = io.BytesIO()
    workbook.save(out)
    report = import_file(cq, cq.info["tenant_id"], "targets", out.getvalue(), "d.xlsx",
                         sheet="检查对象")
    assert report.inserted == 1
    stored = cq.scalars(select(Target)).one()
    assert stored.region_code == "500103"  # a number cell, read as a code
    # columns the file lacks get their defaults (the bulk insert fills them in itself)
    assert (stored.industry, stored.address, stored.legal_representative) == ("", "", None)
    with pytest.raises(TabularError, match="检查对象"):
        import_file(cq, cq.info["tenant_id"], "targets", out.getvalue(), "d.xlsx", sheet="无")


def test_flags_of_new_targets_when_few_carry_flags(cq: Session) -> None:
    # 2 of 20 new targets have flags: their ids are looked up by credit code, not all at once
    import_file(cq, cq.info["tenant_id"], "targets",
                csv_bytes(TARGET_HEADINGS_ZH, target_rows(20)), "t.csv")
    flagged = {t.credit_code: t.flags for t in directories.load_targets(cq, on=date(2026, 4, 1))
               if t.flags}
    assert flagged == {code(1): {"complaints", "abnormal_operations"},
                       code(3): {"administrative_penalty"}}


def test_progress_is_reported_while_reading_and_writing(cq: Session) -> None:
    seen: list[tuple[str, int, int | None]] = []
    report = import_file(cq, cq.info["tenant_id"], "targets",
                         csv_bytes(TARGET_HEADINGS_ZH, target_rows(20001)), "big.csv",
                         progress=lambda phase, done, total: seen.append((phase, done, total)))
    assert report.inserted == 20001
    assert ("reading", 10000, 20001) in seen and ("reading", 20000, 20001) in seen
    assert seen[-1] == ("writing", 20001, 20001)


def test_short_rows_read_missing_cells_as_empty(cq: Session) -> None:
    data = csv_bytes(TARGET_HEADINGS_ZH, [[code(5), "短行公司"], [code(6), " ", "500103"]])
    with pytest.raises(ImportFailed) as caught:
        import_file(cq, cq.info["tenant_id"], "targets", data, "t.csv")
    [problem] = caught.value.problems  # the short row is fine; row 3 has no name
    assert (problem.row, problem.column) == (3, "企业名称")
    data = csv_bytes(TARGET_HEADINGS_ZH, [[code(5), "短行公司"]])
    assert import_file(cq, cq.info["tenant_id"], "targets", data, "t.csv").inserted == 1
    assert cq.scalars(select(Target)).one().region_code == ""
