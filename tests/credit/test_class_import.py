"""Importing each target's credit-risk class with effective dates: Chinese and English
headings, CSV (UTF-8, GBK) and XLSX, row-numbered refusals with nothing written."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from shuangsuiji.demo import generate as gen
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.models.credit_classes import TargetCreditClass
from shuangsuiji.platform import Platform
from shuangsuiji.services import credit_classes
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.services.import_report import ImportFailed
from shuangsuiji.tabular import write_table
from tests.credit.conftest import HEADINGS, codes_of, run_import
from tests.draws.conftest import load_directories


@pytest.fixture
def codes(platform: Platform, example: str) -> list[str]:
    load_directories(platform, example, targets=40)
    return codes_of(platform, example)[0]


def _stored(platform: Platform) -> list[tuple[str, date, date | None]]:
    with platform.db.session() as s:
        s.info["tenant_id"] = tenant_service.get(s, "example").id
        return [tuple(r) for r in s.execute(select(
            TargetCreditClass.class_code, TargetCreditClass.starts_on, TargetCreditClass.ends_on
        ).order_by(TargetCreditClass.id))]


def _count_in_force(platform: Platform, day: date) -> dict[str, int]:
    with platform.db.session() as s:
        s.info["tenant_id"] = tenant_service.get(s, "example").id
        return dict(credit_classes.class_counts(s, day))


def test_chinese_gbk_csv_then_xlsx_with_english_headings(platform: Platform,
                                                         codes: list[str]) -> None:
    rows = [[codes[0], "D", "2026-01-01", "2026-07-01"], [codes[0], "B", "2026/7/1", ""],
            [codes[1], "A", "2026年1月1日", ""]]
    report = run_import(platform, "example", gen.to_csv(
        ["统一社会信用代码", "风险等级", "生效日期", "失效日期"], rows, encoding="gbk"))
    assert report.rows == 3 and report.targets == 2 and report.encoding == "gb18030"
    assert _count_in_force(platform, date(2026, 4, 1)) == {"D": 1, "A": 1}
    assert _count_in_force(platform, date(2026, 7, 1)) == {"B": 1, "A": 1}  # ends_on exclusive
    # an XLSX with English headings and a real date cell: the file's targets are restated
    data = write_table("c.xlsx", ["credit_code", "class", "starts_on", "ends_on"],
                       [[codes[0], "C", date(2026, 2, 1), None]])
    report = run_import(platform, "example", data, "classes.xlsx")
    assert report.replaced == 2 and report.targets == 1
    assert _count_in_force(platform, date(2026, 4, 1)) == {"C": 1, "A": 1}
    with platform.db.session() as s:
        s.info["tenant_id"] = tenant_service.get(s, "example").id
        actions = list(s.scalars(select(AuditEvent.action)))
    assert actions.count("import.credit_classes") == 2


def test_bad_rows_are_named_and_nothing_is_written(platform: Platform,
                                                  codes: list[str]) -> None:
    run_import(platform, "example", gen.to_csv(HEADINGS, [[codes[5], "A", "2025-01-01", ""]]))
    before = _stored(platform)
    unknown = "91500000000000000X"
    rows = [
        [codes[0], "D", "2026-01-01", ""],            # row 2: fine
        [unknown, "D", "2026-01-01", ""],              # row 3: no such target (bad code)
        [codes[1], "E", "2026-01-01", ""],             # row 4: no class E in the pack
        [codes[2], "C", "2026-05-01", "2026-04-01"],   # row 5: ends before it starts
        [codes[3], "B", "2026-01-01", "2026-06-01"],   # row 6
        [codes[3], "A", "2026-05-01", ""],             # row 7: overlaps row 6
        [codes[4], "D", "", ""],                       # row 8: no start
        [codes[5], "D", "2026-01-01", ""],             # row 9: fine (restates codes[5])
    ]
    with pytest.raises(ImportFailed) as caught:
        run_import(platform, "example", gen.to_csv(HEADINGS, rows))
    text = str(caught.value)
    by_row = {p.row: p for p in caught.value.problems}
    assert set(by_row) == {3, 4, 5, 7, 8}, text
    assert by_row[3].column == "统一社会信用代码"
    assert by_row[4].column == "信用风险分类" and "D, C, B" in by_row[4].reason
    assert by_row[5].column == "失效日期" and "2026-04-01" in by_row[5].reason
    assert by_row[7].column == "生效日期" and "row 6" in by_row[7].reason
    assert by_row[8].column == "生效日期"
    assert "nothing was imported" in text
    assert _stored(platform) == before  # nothing written, the earlier record kept


def test_a_target_unknown_to_the_tenant_is_refused(platform: Platform, codes: list[str]) -> None:
    other = gen.target_rows(1, seed=999)
    foreign = next(other)[0]
    assert foreign not in codes
    with pytest.raises(ImportFailed) as caught:
        run_import(platform, "example", gen.to_csv(HEADINGS, [[foreign, "A", "2026-01-01", ""]]))
    (problem,) = caught.value.problems
    assert problem.row == 2 and "no target with this credit code" in problem.reason


def test_missing_column_is_refused_before_any_row(platform: Platform, codes: list[str]) -> None:
    with pytest.raises(ImportFailed) as caught:
        run_import(platform, "example", gen.to_csv(["统一社会信用代码", "生效日期"],
                                                   [[codes[0], "2026-01-01"]]))
    (problem,) = caught.value.problems
    assert problem.row == 1 and "信用风险分类" in problem.reason


def test_a_pack_without_classes_refuses_a_class_file(platform: Platform,
                                                    tenant_tree: dict[str, int]) -> None:
    load_directories(platform, "miit", targets=5)
    code = codes_of(platform, "miit")[0][0]
    with pytest.raises(ImportFailed) as caught:
        run_import(platform, "miit", gen.to_csv(HEADINGS, [[code, "A", "2026-01-01", ""]]))
    assert "declare no credit-risk classes" in caught.value.problems[0].reason
    with platform.db.session() as s:
        s.info["tenant_id"] = tenant_service.get(s, "miit").id
        assert s.scalar(select(func.count()).select_from(TargetCreditClass)) == 0


def test_classes_stay_inside_their_tenant(platform: Platform, codes: list[str]) -> None:
    """Another tenant's target cannot be classed from this tenant's file, and one tenant's
    classes are not read by another's draw or counts (Core statements filter by tenant)."""
    load_directories(platform, "chongqing", targets=5, seed=77)
    theirs = codes_of(platform, "chongqing")[0][0]
    with pytest.raises(ImportFailed) as caught:
        run_import(platform, "example", gen.to_csv(HEADINGS, [[theirs, "A", "2026-01-01", ""]]))
    assert "no target with this credit code" in caught.value.problems[0].reason
    run_import(platform, "example", gen.to_csv(HEADINGS, [[codes[0], "D", "2026-01-01", ""]]))
    with platform.db.session() as s:
        s.info["tenant_id"] = tenant_service.get(s, "chongqing").id
        assert credit_classes.classes_by_id(s, date(2026, 4, 1), ["D"]) == {}
        assert credit_classes.class_counts(s, date(2026, 4, 1)) == {}
    assert _count_in_force(platform, date(2026, 4, 1)) == {"D": 1}
