"""Units checked against the organisation tree, and shown by name (issue #15's leftovers):
an inspector file naming a unit the tree lacks is refused with its row and column, nothing
imported; an account's grant naming one is refused, nothing written; without a tree free
text stays; pages show a unit's name beside its code."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shuangsuiji.db import set_tenant
from shuangsuiji.errors import UserError
from shuangsuiji.models.accounts import RoleGrant
from shuangsuiji.models.directories import Inspector
from shuangsuiji.services import accounts, imports, units
from shuangsuiji.services.import_report import ImportFailed
from tests.directories.samples import csv_bytes
from tests.orgs.conftest import MIIT_HEADINGS
from tests.web.conftest import TenantWorld

HEADINGS = ["姓名", "所属部门", "处室", "执法证号"]
CQ_TREE = [
    ["CQJXW", "重庆市经济和信息化委员会", "", "司局"],
    ["综合执法处", "市经信委综合执法处", "CQJXW", "综合执法处"],
    ["电子信息处", "市经信委电子信息处", "CQJXW", "业务处室"],
]


def _inspectors(s: Session) -> int:
    return int(s.scalar(select(func.count()).select_from(Inspector)) or 0)


def test_an_inspector_file_naming_an_unknown_unit_is_refused_by_row(cq: Session) -> None:
    tenant_id = cq.info["tenant_id"]
    # no tree yet: free text is taken as it is
    imports.import_file(cq, tenant_id, "inspectors", csv_bytes(HEADINGS, [
        ["张三", "某处", "", "执100001"]]), "inspectors.csv", actor="test")
    cq.commit()
    units.import_units(cq, csv_bytes(MIIT_HEADINGS, CQ_TREE), "组织机构.csv", actor="test")
    cq.commit()
    before = _inspectors(cq)
    with pytest.raises(ImportFailed) as refused:
        imports.import_file(cq, tenant_id, "inspectors", csv_bytes(HEADINGS, [
            ["李四", "综合执法处", "", "执100002"],
            ["王五", "CQJXW", "第九处", "执100003"],
            ["赵六", "不存在的处", "", "执100004"]]), "执法人员.csv", actor="test")
    cq.rollback()
    found = [(p.row, p.column, p.value) for p in refused.value.problems]
    assert found == [(3, "处室", "第九处"), (4, "所属部门", "不存在的处")]
    assert "organisation tree" in str(refused.value.problems[0].reason)
    assert _inspectors(cq) == before  # nothing imported, not even the good row
    imports.import_file(cq, tenant_id, "inspectors", csv_bytes(HEADINGS, [
        ["李四", "CQJXW", "综合执法处", "执100002"]]), "执法人员.csv", actor="test")
    cq.commit()
    assert _inspectors(cq) == before + 1


def test_a_grant_naming_an_unknown_unit_is_refused(cq: Session, users: dict[str, int]) -> None:
    user = accounts.get_user(cq, "cq_operator")
    accounts.grant(cq, user, role="viewer", tenant="chongqing", department="某处")  # no tree
    cq.commit()
    units.import_units(cq, csv_bytes(MIIT_HEADINGS, CQ_TREE), "组织机构.csv", actor="test")
    cq.commit()
    grants = len(user.grants)
    with pytest.raises(UserError, match="unit 不存在的处 is not in the organisation") as refused:
        accounts.grant(cq, user, role="viewer", tenant="chongqing", department="不存在的处")
    assert refused.value.where == "department"
    cq.rollback()
    assert len(accounts.get_user(cq, "cq_operator").grants) == grants
    accounts.grant(cq, user, role="viewer", tenant="chongqing", department="电子信息处")
    cq.commit()
    assert cq.scalar(select(func.count()).select_from(RoleGrant)
                     .where(RoleGrant.department == "电子信息处")) == 1


def test_pages_show_the_unit_name_beside_its_code_and_refuse_an_unknown_grant(
    app: Flask, world: dict[str, TenantWorld],
    client_for: Callable[[str | None], FlaskClient],
) -> None:
    w = world["chongqing"]
    with app.extensions["shuangsuiji"].db.session() as s:
        set_tenant(s, w.tenant_id)
        units.import_units(s, csv_bytes(MIIT_HEADINGS, CQ_TREE), "组织机构.csv", actor="test")
        s.commit()
    named = ('<span class="unit">市经信委综合执法处 '
             '<code class="unit-code nowrap">综合执法处</code></span>')
    admin = client_for("cq_admin")
    for path in ("/t/chongqing/tasks", f"/t/chongqing/tasks/{w.task_id}",
                 f"/t/chongqing/tasks/{w.task_id}/draw", f"/t/chongqing/draws/{w.draw_id}",
                 "/t/chongqing/directories/inspectors", "/p/chongqing/tasks"):
        page = admin.get(path)
        assert page.status_code == 200, path
        assert named in page.get_data(as_text=True), path
    # an account's grant: the unit must be one of the tree's, else said on the page
    user = admin.get("/t/chongqing/users").get_data(as_text=True)
    assert '<datalist id="unit-codes">' in user and '<option value="电子信息处">' in user
    with app.extensions["shuangsuiji"].db.session() as s:
        viewer = accounts.get_user(s, "cq_viewer").id
    refused = admin.post(f"/t/chongqing/users/{viewer}/grant", data={
        "role": "operator", "department": "不存在的处"})
    assert refused.status_code == 422
    assert "单位 不存在的处 不在本辖区的组织机构中" in refused.get_data(as_text=True)
