"""Operators act for their unit and, where the tenant says so, its sub-units (issue #15
item 1): the same task, refused to an operator of the parent unit until the tenant turns
sub-units on."""

from __future__ import annotations

from flask import Flask

from shuangsuiji.db import set_tenant
from shuangsuiji.kernel.orgtree import OrgTree, Unit
from shuangsuiji.services import accounts, units
from tests.web.conftest import PASSWORD, TenantWorld, login

TREE = (
    Unit("CQJXW", "重庆市经济和信息化委员会", "department"),
    Unit("综合执法处", "综合执法处", "enforcement", "CQJXW"),
    Unit("电子信息处", "电子信息处", "division", "CQJXW"),
)


def test_acting_units_expand_to_sub_units_only_when_the_tenant_says_so() -> None:
    tree = OrgTree(TREE)
    assert units.acting_units(tree, frozenset({"CQJXW"}), False) == {"CQJXW"}
    assert units.acting_units(tree, frozenset({"CQJXW"}), True) == {
        "CQJXW", "综合执法处", "电子信息处"}
    assert units.acting_units(tree, frozenset({"电子信息处"}), True) == {"电子信息处"}
    assert units.acting_units(tree, None, True) is None  # every unit


def test_operator_of_the_parent_acts_for_a_sub_unit_once_the_tenant_says_so(
    app: Flask, world: dict[str, TenantWorld],
) -> None:
    w = world["chongqing"]  # its task is the 综合执法处's
    platform = app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        set_tenant(s, w.tenant_id)
        units.replace_tree(s, TREE, actor="test")
        accounts.create_user(s, username="cq_lead", password=PASSWORD, role="operator",
                             tenant="chongqing", department="CQJXW")
        s.commit()
    client = app.test_client()
    assert login(client, "cq_lead").status_code == 302
    assert client.get(f"/t/chongqing/tasks/{w.task_id}/draw").status_code == 403
    # the task form offers the units by code
    form = client.get("/t/chongqing/tasks").get_data(as_text=True)
    assert '<datalist id="unit-codes">' in form and '<option value="综合执法处">' in form
    with platform.db.session() as s:
        set_tenant(s, w.tenant_id)
        units.set_subunits(s, True, actor="test")
        s.commit()
    assert client.get(f"/t/chongqing/tasks/{w.task_id}/draw").status_code == 200
