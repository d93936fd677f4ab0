"""The item list: import, categories and caps from the tenant's pack, versions."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from shuangsuiji.platform import Platform
from shuangsuiji.services import items
from shuangsuiji.services.imports import ImportFailed, import_file
from shuangsuiji.services.tenants import get as get_tenant
from tests.directories.conftest import counts
from tests.directories.samples import ITEM_HEADINGS, ITEM_ROWS, csv_bytes


def _categories(platform: Platform, session: Session, slug: str) -> tuple:
    rules = platform.policy_for(get_tenant(session, slug)).rules(date(2026, 3, 1))
    return rules.item_categories


def _import(session: Session, platform: Platform, rows: list[list[str]], slug: str = "chongqing"):
    return import_file(session, session.info["tenant_id"], "items",
                       csv_bytes(ITEM_HEADINGS, rows), "items.csv", actor="处室管理员",
                       categories=_categories(platform, session, slug))


def test_import_items_creates_version_one(cq: Session, platform: Platform) -> None:
    assert items.current_version_number(cq) == 0
    report = _import(cq, platform, ITEM_ROWS)
    cq.commit()
    assert report.inserted == 2 and report.item_list_version == 1
    first = items.get_item(cq, "CQJX-001")
    assert first.methods == ["on_site", "written"]
    assert first.category == "key" and first.cap_permille is None
    second = items.get_item(cq, "CQJX-002")
    assert (second.cap_permille, second.publication_mode) == (200, "directed")
    assert second.departments == ["安全处", "综合执法处"]
    assert items.current_version_number(cq) == 1


def test_changing_an_item_makes_a_new_version_and_keeps_the_old(cq: Session,
                                                                 platform: Platform) -> None:
    _import(cq, platform, ITEM_ROWS)
    cq.commit()
    rows = [list(r) for r in ITEM_ROWS]
    rows[1][8] = "15%"  # within Chongqing's 20 % ceiling (a higher cap is refused at import)
    report = _import(cq, platform, rows)
    cq.commit()
    assert (report.updated, report.item_list_version) == (1, 2)
    assert [v.number for v in items.list_versions(cq)] == [1, 2]
    assert items.item_in_version(cq, 1, "CQJX-002")["cap_permille"] == 200
    assert items.item_in_version(cq, 2, "CQJX-002")["cap_permille"] == 150
    assert items.get_version(cq, 1).digest != items.get_version(cq, 2).digest
    # importing the same list again changes nothing and makes no version
    assert _import(cq, platform, rows).item_list_version == 2
    assert items.current_version_number(cq) == 2


def test_save_and_retire_through_the_service(cq: Session, platform: Platform) -> None:
    _import(cq, platform, ITEM_ROWS)
    values = items.snapshot_of(items.get_item(cq, "CQJX-001"))
    values["frequency"] = "每半年一次"
    assert items.save_item(cq, values, actor="web:admin").number == 2  # type: ignore[union-attr]
    assert items.save_item(cq, values, actor="web:admin") is None  # nothing changed
    version = items.retire_item(cq, "CQJX-002", actor="web:admin", note="事项取消")
    assert [e["code"] for e in version.snapshot] == ["CQJX-001"]
    assert [e["code"] for e in items.get_version(cq, 1).snapshot] == ["CQJX-001", "CQJX-002"]


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        (7, "特别", "unknown category"),
        (5, "飞行检查", "unknown method"),
        (8, "120%", "outside 0–100%"),
        (9, "内部", "unknown publication mode"),
    ],
)
def test_bad_item_values_write_nothing(cq: Session, platform: Platform, column: int,
                                       value: str, reason: str) -> None:
    rows = [list(r) for r in ITEM_ROWS]
    rows[1][column] = value
    before = counts(cq)
    with pytest.raises(ImportFailed) as caught:
        _import(cq, platform, rows)
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (3, ITEM_HEADINGS[column])
    assert reason in problem.reason
    assert counts(cq) == before


def test_general_item_needs_a_cap_under_chongqing_rules(cq: Session, platform: Platform) -> None:
    rows = [list(r) for r in ITEM_ROWS]
    rows[1][8] = ""
    with pytest.raises(ImportFailed, match="needs a 比例上限"):
        _import(cq, platform, rows)


def test_miit_knows_no_key_category(tenant_session, platform: Platform) -> None:  # type: ignore[no-untyped-def]
    miit = tenant_session("miit")
    with pytest.raises(ImportFailed) as caught:
        _import(miit, platform, ITEM_ROWS, slug="miit")
    [problem] = caught.value.problems
    assert problem.row == 2 and "unknown category" in problem.reason


def _import_with_methods(session: Session, platform: Platform, rows: list[list[str]]):
    rules = platform.policy_for(get_tenant(session, "chongqing")).rules(date(2026, 3, 1))
    return import_file(session, session.info["tenant_id"], "items",
                       csv_bytes(ITEM_HEADINGS, rows), "items.csv", actor="处室管理员",
                       categories=rules.item_categories, methods=rules.methods)


def test_an_item_its_pack_refuses_is_refused_at_import_with_row_and_article(
        cq: Session, platform: Platform) -> None:
    rows = [list(r) for r in ITEM_ROWS]
    rows[0][5] = "现场检查；检验检测"  # Chongqing allows no testing (第十二条)
    rows[1][8] = ""  # a general item's cap is set by the item list (第五条): required
    before = counts(cq)
    with pytest.raises(ImportFailed) as caught:
        _import_with_methods(cq, platform, rows)
    method, cap = caught.value.problems
    assert (method.row, method.column, method.value) == (2, "抽查方式", "testing")
    assert "chongqing 2021 第十二条" in method.reason and "not allowed" in method.reason
    assert (cap.row, cap.column) == (3, "比例上限")
    assert "needs a 比例上限" in cap.reason
    assert "chongqing 2021 第五条" in cap.reason
    assert counts(cq) == before
    # the same rows with allowed values import
    assert _import_with_methods(cq, platform, ITEM_ROWS).inserted == 2
