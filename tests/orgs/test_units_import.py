"""The organisation tree: imported from CSV (UTF-8, GBK) or XLSX with Chinese or English
headings, all or nothing, versioned; `ssj units import|list` (issue #15 item 1)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.errors import UserError
from shuangsuiji.models.units import OrgTreeVersion, OrgUnit
from shuangsuiji.services import units
from shuangsuiji.services.import_report import ImportFailed
from tests.directories.samples import csv_bytes, xlsx_bytes
from tests.orgs.conftest import MIIT_HEADINGS, MIIT_ROWS


@pytest.fixture
def miit(tenant_session: Callable[[str], Session]) -> Session:
    return tenant_session("miit")


def _codes(s: Session) -> list[str]:
    return sorted(s.scalars(select(OrgUnit.code)))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_with_chinese_headings(miit: Session, encoding: str) -> None:
    data = csv_bytes(MIIT_HEADINGS, MIIT_ROWS, encoding)
    report = units.import_units(miit, data, "组织机构.csv", actor="test")
    miit.commit()
    assert (report.units, report.added, report.version) == (6, 6, 1)
    tree = units.load_tree(miit)
    assert tree is not None and tree.department_of("AQS-2") == "AQS"
    assert tree.subordinate("AQS-SUB") and not tree.subordinate("AQS-1")
    assert tree.units["AQS-SUB"].kind == "subordinate"


def test_xlsx_with_english_headings_and_reimport_versions(miit: Session) -> None:
    rows = [[r[0], r[1], r[2], r[3].replace("司局", "department").replace("下级主管部门",
             "subordinate").replace("处室", "division")] for r in MIIT_ROWS]
    data = xlsx_bytes(["code", "name", "parent", "kind"], rows)
    units.import_units(miit, data, "tree.xlsx", actor="test")
    miit.commit()
    # the same tree again: no new version
    assert units.import_units(miit, data, "tree.xlsx", actor="test").version is None
    rows[2][1] = "监督检查二处"
    report = units.import_units(miit, xlsx_bytes(["code", "name", "parent", "kind"], rows),
                                "tree.xlsx", actor="test")
    miit.commit()
    assert (report.changed, report.version) == (1, 2)
    snapshots = [v.snapshot for v in miit.scalars(select(OrgTreeVersion))]
    assert [u["name"] for u in snapshots[0] if u["code"] == "AQS-2"] == ["监督检查处"]
    assert [u["name"] for u in snapshots[1] if u["code"] == "AQS-2"] == ["监督检查二处"]


def _refused(s: Session, rows: list[list[str]]) -> ImportFailed:
    with pytest.raises(ImportFailed) as caught:
        units.import_units(s, csv_bytes(MIIT_HEADINGS, rows), "tree.csv", actor="test")
    return caught.value


def test_cycle_unknown_parent_and_kind_named_by_row_nothing_written(miit: Session) -> None:
    rows = [*MIIT_ROWS,
            ["X1", "甲处", "X2", "处室"], ["X2", "乙处", "X1", "处室"],  # rows 8, 9
            ["Y", "丙处", "NOPE", "处室"],  # row 10
            ["Z", "丁组", "AQS", "小组"]]  # row 11
    error = _refused(miit, rows)
    text = str(error)
    assert "row 8" in text and "cycle" in text
    assert "row 10" in text and "'NOPE'" in text
    assert "row 11, column 单位类型 ('小组')" in text
    assert _codes(miit) == []


def test_missing_column_is_named(miit: Session) -> None:
    with pytest.raises(UserError, match="单位类型"):
        units.import_units(miit, csv_bytes(["单位编码", "单位名称"], [["A", "甲"]]), "t.csv",
                           actor="test")


def test_a_unit_used_by_a_task_cannot_be_removed(
    miit: Session, make_task: Callable[..., str],
) -> None:
    # the directories first (their inspectors name free-text units: the tree refuses them)
    make_task("miit", "T-BEFORE-THE-TREE")
    units.import_units(miit, csv_bytes(MIIT_HEADINGS, MIIT_ROWS), "t.csv", actor="test")
    miit.commit()
    make_task("miit", "T-AQS", department="AQS", division="AQS-2")
    with pytest.raises(UserError, match=r"AQS-2 \(task T-AQS\)"):
        units.import_units(miit, csv_bytes(MIIT_HEADINGS, MIIT_ROWS[:2] + MIIT_ROWS[3:]),
                           "t.csv", actor="test")
    miit.rollback()
    assert "AQS-2" in _codes(miit)
    # removing a unit nothing uses is fine; it is a new version
    report = units.remove_unit(miit, "DZS-1", actor="test")
    assert (report.removed, report.version) == (1, 2)


def test_cli_import_and_list(app: Flask, tenant_tree: dict[str, int], tmp_path: Path) -> None:
    path = tmp_path / "组织机构.csv"
    path.write_bytes(csv_bytes(MIIT_HEADINGS, MIIT_ROWS, "gbk"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["units", "import", "--tenant", "miit", str(path)])
    assert result.exit_code == 0, result.output
    assert "6 units (6 new, 0 changed, 0 removed); the tree is now version 1" in result.output
    listed = runner.invoke(args=["units", "list", "--tenant", "miit"])
    assert "AQS  安全生产司  (department)\n  AQS-1  综合处  (division)" in listed.output
    path.write_bytes(csv_bytes(MIIT_HEADINGS, [*MIIT_ROWS, ["B", "乙", "B", "处室"]]))
    bad = runner.invoke(args=["units", "import", "--tenant", "miit", str(path)])
    assert bad.exit_code != 0 and "row 8" in bad.output and "Traceback" not in bad.output
    on = runner.invoke(args=["units", "set-subunits", "--tenant", "miit", "on"])
    assert on.exit_code == 0 and "sub-units: on" in on.output
    with app.extensions["shuangsuiji"].db.session() as s:
        s.info["tenant_id"] = tenant_tree["miit"]
        assert units.subunits(s) and [v.number for v in units.versions(s)] == [1, 2]
