"""State conflicts answer 409 (issue #16): drawing a task already drawn, publishing before
the work ended, declaring a recusal on a voided draw — on the page, with the message inline
and the input kept, and in the API."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from shuangsuiji.db import set_tenant
from shuangsuiji.models.draws import Draw
from shuangsuiji.services import draws as draw_service
from tests.web.conftest import TenantWorld

Client = Callable[[str | None], FlaskClient]
CQ = "/t/chongqing"


def _digest(app: Flask, w: TenantWorld) -> str:
    with app.extensions["shuangsuiji"].db.session() as s:
        set_tenant(s, w.tenant_id)
        record = s.get(Draw, w.require_draw())
        assert record is not None
        return record.pool_digest


def test_drawing_a_drawn_task_is_409_with_the_message_inline_and_the_input_kept(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    w = world["chongqing"]
    again = client_for("cq_operator").post(f"{CQ}/tasks/{w.task_id}/draw", data={
        "seed_source": "ceremony", "seed": "31415926", "witnesses": "公证员 王五",
        "confirm": "y", "pool_digest": _digest(app, w)})
    page = again.get_data(as_text=True)
    assert again.status_code == 409
    assert re.search(r'<div class="problem" role="alert">\s*<p class="problem-message">'
                     r"抽查任务 CHONGQING-2026-001 已有第 \d+ 号抽取", page)
    assert 'value="31415926"' in page and "公证员 王五</textarea>" in page


def test_a_form_error_on_the_draw_form_stays_422(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    """Not a conflict: the person left the confirmation unticked."""
    w = world["chongqing"]
    unticked = client_for("cq_operator").post(f"{CQ}/tasks/{w.task_id}/draw", data={
        "seed_source": "ceremony", "seed": "1", "pool_digest": _digest(app, w)})
    assert unticked.status_code == 422


def test_a_recusal_on_a_voided_draw_is_409_with_the_reason(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    w = world["chongqing"]
    draw_id = w.require_draw()
    with app.extensions["shuangsuiji"].db.session() as s:
        set_tenant(s, w.tenant_id)
        record = s.get(Draw, draw_id)
        assert record is not None
        group = draw_service.current_result(record).final_groups[0]
        person, target = group.members[0], group.targets[0]
    admin = client_for("cq_admin")
    assert admin.post(f"{CQ}/draws/{draw_id}/void",
                      data={"reason": "见证人未到场", "confirm": "y"}).status_code == 302
    refused = admin.post(f"{CQ}/draws/{draw_id}/recusals", data={
        "person_id": person, "credit_code": target, "mode": "withdraw",
        "reason": "配偶在该企业任职"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409, page[-2000:]
    assert f"第 {draw_id} 号抽取已作废" in page, re.findall(r"alert.{0,600}", page, re.S)
    assert "回避只适用于有效的抽取" in page  # said on the page (a void draw has no form)


def test_publishing_before_the_work_ended_is_409_in_the_api(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    from shuangsuiji.services import accounts

    w = world["chongqing"]
    with app.extensions["shuangsuiji"].db.session() as s:
        token = accounts.issue_token(s, accounts.get_user(s, "cq_admin"), name="test").token
        s.commit()
    refused = app.test_client().post(
        f"/api/v1/t/chongqing/tasks/{w.task_id}/publication",
        headers={"Authorization": f"Bearer {token}"}, json={})
    assert refused.status_code == 409, refused.get_json()
    assert "has not ended" in str(refused.get_json()) or "尚未结束" in str(refused.get_json())
