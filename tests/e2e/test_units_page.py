"""The organisation tree in the browser (issue #15 item 1): the tenant admin imports a tree
(a file with a cycle is refused with its row, nothing saved), adds a unit, cannot remove a
unit that inspectors and an account refer to, and says operators act for sub-units."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from shuangsuiji.db import set_tenant
from shuangsuiji.models.units import OrgUnit
from shuangsuiji.services import accounts, units
from shuangsuiji.services import tenants as tenant_service
from tests.directories.samples import csv_bytes
from tests.e2e.conftest import PASSWORD, Site, shot

HEADINGS = ["单位编码", "单位名称", "上级单位编码", "单位类型"]
TREE = [
    ["CQJXW", "重庆市经济和信息化委员会", "", "司局"],
    ["综合执法处", "综合执法处", "CQJXW", "综合执法处"],
    ["电子信息处", "电子信息处", "CQJXW", "业务处室"],
]


@pytest.fixture(scope="module")
def page(site: Site, browser: Any) -> Iterator[Any]:
    platform = site.app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        accounts.create_user(s, username="cq_admin", password=PASSWORD, role="tenant_admin",
                             tenant="chongqing", display_name="辖区管理员")
        s.commit()
    context = browser.new_context(locale="zh-CN")
    found = context.new_page()
    found.set_default_timeout(20_000)
    found.goto(site.url("/login"))
    found.fill("#username", "cq_admin")
    found.fill("#password", PASSWORD)
    found.click("button[type=submit].primary")
    found.wait_for_url("**/t/chongqing/")
    yield found
    context.close()


def _codes(site: Site) -> list[str]:
    platform = site.app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        set_tenant(s, tenant_service.get(s, "chongqing").id)
        return sorted(s.scalars(select(OrgUnit.code)))


def test_tree_edited_in_the_browser(site: Site, page: Any, tmp_path: Any) -> None:
    page.goto(site.url("/t/chongqing/"))
    page.click("nav a[href$='/units']")
    page.wait_for_url("**/t/chongqing/units")
    assert "组织机构" in page.inner_text("h1")
    # a file with a cycle: the row is named, nothing is saved
    bad = tmp_path / "组织机构.csv"
    bad.write_bytes(csv_bytes(HEADINGS, [*TREE, ["甲", "甲处", "乙", "处室"],
                                         ["乙", "乙处", "甲", "处室"]], "gbk"))
    page.set_input_files("#unit-import input[type=file]", str(bad))
    page.click("#unit-import button")
    alert = page.locator(".problem")
    alert.wait_for()
    assert "未保存任何内容" in alert.inner_text() and "第 5 行" in alert.inner_text()
    shot(page, "units-01-cycle-refused")
    assert _codes(site) == []
    good = tmp_path / "组织机构-正确.csv"
    good.write_bytes(csv_bytes(HEADINGS, TREE, "gbk"))
    page.set_input_files("#unit-import input[type=file]", str(good))
    page.click("#unit-import button")
    page.wait_for_selector("#units")
    assert "第 1 版" in page.inner_text(".flash")
    assert page.locator("#units tbody tr").count() == 3
    assert "综合执法处" in page.locator("#units tr[data-code='综合执法处']").inner_text()
    # add a division under the enforcement division
    page.fill("#unit-save input[name=code]", "综合执法处-一科")
    page.fill("#unit-save input[name=name]", "执法一科")
    page.select_option("#unit-save select[name=kind]", "division")
    page.fill("#unit-save input[name=parent]", "综合执法处")
    page.click("#unit-save button")
    page.wait_for_selector("#units tr[data-code='综合执法处-一科']")
    assert "处室" in page.locator("#units tr[data-code='综合执法处-一科']").inner_text()
    # a division inspectors belong to: refused, kept
    page.fill("#unit-remove input[name=code]", "电子信息处")
    page.click("#unit-remove button")
    page.locator(".problem").wait_for()
    assert "仍在使用的单位不能删除" in page.inner_text(".problem")
    assert "电子信息处（检查人员" in page.inner_text(".problem")
    shot(page, "units-02-in-use")
    assert "电子信息处" in _codes(site)
    # operators act for their sub-units
    page.check("#unit-subunits input[type=checkbox]")
    page.click("#unit-subunits button")
    page.wait_for_url("**/t/chongqing/units")
    platform = site.app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        set_tenant(s, tenant_service.get(s, "chongqing").id)
        assert units.subunits(s)
