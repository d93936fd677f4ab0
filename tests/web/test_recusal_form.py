"""The recusal form offers the draw's current people and targets: everyone in the groups
(and the experts) to an operator, only themselves to an inspector; anyone else is refused."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from shuangsuiji.db import set_tenant
from shuangsuiji.services import lifecycle
from tests.web.conftest import TenantWorld


def options(page: str, select_id: str) -> list[str]:
    block = re.search(rf'<select id="{select_id}".*?</select>', page, re.S)
    assert block is not None, f"no select #{select_id}"
    return re.findall(r'<option[^>]*value="([^"]*)"', block.group(0))


def test_operator_is_offered_every_member_and_target_inspector_only_themselves(
    app: Flask, world: dict[str, TenantWorld], client_for: Callable[[str | None], FlaskClient],
) -> None:
    w = world["chongqing"]
    draw_id = w.require_draw()
    with app.extensions["shuangsuiji"].db.session() as s:
        set_tenant(s, w.tenant_id)
        drawn = lifecycle.drawn_targets(s, lifecycle.get_task(s, w.task_id))
    members = {p for t in drawn for p in t.inspectors}
    page = client_for("cq_operator").get(f"/t/chongqing/draws/{draw_id}").get_data(as_text=True)
    assert set(options(page, "person_id")) >= members
    assert set(options(page, "credit_code")) == {t.credit_code for t in drawn}
    mine = client_for("cq_inspector").get(f"/t/chongqing/draws/{draw_id}").get_data(as_text=True)
    assert options(mine, "person_id") == [w.inspector_code]


def test_a_person_not_in_the_draw_is_refused(
    world: dict[str, TenantWorld], client_for: Callable[[str | None], FlaskClient],
) -> None:
    w = world["chongqing"]
    draw_id = w.require_draw()
    client = client_for("cq_operator")
    page = client.get(f"/t/chongqing/draws/{draw_id}").get_data(as_text=True)
    refused = client.post(f"/t/chongqing/draws/{draw_id}/recusals", data={
        "person_id": "NOBODY-1", "credit_code": options(page, "credit_code")[0],
        "mode": "withdraw", "reason": "亲属关系"})
    assert refused.status_code == 422
    after = client.get(f"/t/chongqing/draws/{draw_id}").get_data(as_text=True)
    assert "亲属关系" not in after  # nothing recorded
