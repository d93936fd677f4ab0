"""An inspector's dashboard lists the groups they are in: task, group, leader, progress."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from shuangsuiji.db import set_tenant
from shuangsuiji.services import lifecycle
from tests.web.conftest import TenantWorld


def test_the_inspector_sees_their_group_and_the_operator_sees_no_such_panel(
    app: Flask, world: dict[str, TenantWorld], client_for: Callable[[str | None], FlaskClient],
) -> None:
    w = world["chongqing"]
    draw_id = w.require_draw()
    with app.extensions["shuangsuiji"].db.session() as s:
        set_tenant(s, w.tenant_id)
        task = lifecycle.get_task(s, w.task_id)
        code = task.code
        mine = [t for t in lifecycle.drawn_targets(s, task) if w.inspector_code in t.inspectors]
    assert mine  # the fixture's inspector is in a group of the draw
    page = client_for("cq_inspector").get("/t/chongqing/").get_data(as_text=True)
    panel = page.split('id="assignments"', 1)[1].split("</section>", 1)[0]
    assert code in panel
    assert f"/t/chongqing/draws/{draw_id}#group-{mine[0].group_no}" in panel
    assert f"0 / {len(mine)}" in panel  # no record entered yet, out of the group's targets
    assert f"/t/chongqing/tasks/{w.task_id}/records" in panel
    operator = client_for("cq_operator").get("/t/chongqing/").get_data(as_text=True)
    assert 'id="assignments"' not in operator
