"""What each role may do inside its own tenant: the department operator, the viewer, the
inspector (own assignments only), and pages that fail without a traceback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from shuangsuiji.db import set_tenant
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.services import accounts, lifecycle
from shuangsuiji.services import tenants as tenant_service
from tests.web.conftest import PASSWORD, TenantWorld, login


def _drawn(app: Flask, w: TenantWorld) -> list[Any]:
    with app.extensions["shuangsuiji"].db.session() as s:
        set_tenant(s, w.tenant_id)
        return lifecycle.drawn_targets(s, lifecycle.get_task(s, w.task_id))


def test_viewer_sees_but_cannot_draw_or_void(
    world: dict[str, TenantWorld], client_for: Callable[[str | None], FlaskClient],
) -> None:
    w = world["chongqing"]
    draw_id = w.require_draw()
    client = client_for("cq_viewer")
    assert client.get(f"/t/chongqing/tasks/{w.task_id}").status_code == 200
    assert client.get(f"/t/chongqing/draws/{draw_id}").status_code == 200
    assert client.get(f"/t/chongqing/tasks/{w.task_id}/draw").status_code == 403
    assert client.post(f"/t/chongqing/draws/{draw_id}/void",
                       data={"reason": "no reason at all"}).status_code == 403
    page = client.get(f"/t/chongqing/draws/{draw_id}").get_data(as_text=True)
    assert "作废抽取" not in page  # the button is not offered either


def test_operator_acts_only_for_its_department(
    app: Flask, world: dict[str, TenantWorld], tenant_tree: dict[str, int],
) -> None:
    w = world["chongqing"]
    with app.extensions["shuangsuiji"].db.session() as s:
        accounts.create_user(s, username="energy_op", password=PASSWORD, role="operator",
                             tenant="chongqing", department="节能处")
        s.commit()
    client = app.test_client()
    assert login(client, "energy_op").status_code == 302
    assert client.get(f"/t/chongqing/tasks/{w.task_id}").status_code == 200  # may read
    assert client.get(f"/t/chongqing/tasks/{w.task_id}/draw").status_code == 403
    refused = client.post("/t/chongqing/tasks", data={
        "plan_year": "2026", "code": "X-1", "title": "t", "department": "综合执法处",
        "item_codes": "SX-001", "methods": "on_site", "ratio_permille": "100",
        "group_count": "1", "starts_on": "2026-04-01", "ends_on": "2026-05-01"})
    assert refused.status_code == 403


def test_inspector_sees_only_own_assignments(
    app: Flask, world: dict[str, TenantWorld], client_for: Callable[[str | None], FlaskClient],
) -> None:
    w = world["chongqing"]
    draw_id = w.require_draw()
    mine = client_for("cq_inspector")
    assert mine.get(f"/t/chongqing/tasks/{w.task_id}").status_code == 200
    assert mine.get(f"/t/chongqing/draws/{draw_id}").status_code == 200
    assert mine.get("/t/chongqing/directories").status_code == 403
    assert mine.get("/t/chongqing/audit").status_code == 403
    # An inspector account linked to nobody in the draw is not told the task exists.
    with app.extensions["shuangsuiji"].db.session() as s:
        accounts.create_user(s, username="stranger", password=PASSWORD, role="inspector",
                             tenant="chongqing", inspector_code="NOBODY")
        s.commit()
    stranger = app.test_client()
    login(stranger, "stranger")
    assert stranger.get(f"/t/chongqing/tasks/{w.task_id}").status_code == 404
    assert stranger.get(f"/t/chongqing/draws/{draw_id}").status_code == 404
    assert "CHONGQING-2026-001" not in stranger.get("/t/chongqing/tasks").get_data(as_text=True)


def test_inspector_declares_only_own_conflicts(
    app: Flask, world: dict[str, TenantWorld], client_for: Callable[[str | None], FlaskClient],
) -> None:
    w = world["chongqing"]
    draw_id = w.require_draw()
    me = w.inspector_code
    targets = _drawn(app, w)
    someone_else = next(p for t in targets for p in t.inspectors if p != me)
    client = client_for("cq_inspector")
    refused = client.post(f"/t/chongqing/draws/{draw_id}/recusals", data={
        "person_id": someone_else, "credit_code": targets[0].credit_code,
        "mode": "withdraw", "reason": "not mine to declare"})
    assert refused.status_code == 403
    mine = next(t for t in targets if me in t.inspectors)
    accepted = client.post(f"/t/chongqing/draws/{draw_id}/recusals", data={
        "person_id": me, "credit_code": mine.credit_code, "mode": "withdraw",
        "reason": "我的亲属在该企业任职"})
    assert accepted.status_code == 302, accepted.get_data(as_text=True)[-1500:]
    with app.extensions["shuangsuiji"].db.session() as s:
        tenant = tenant_service.get(s, "chongqing")
        event = s.scalars(select(AuditEvent).where(AuditEvent.tenant_id == tenant.id)
                          .order_by(AuditEvent.seq.desc())).first()
        assert event is not None and event.action == "draw.recusal"
        assert event.actor == "cq_inspector"  # the audit chain names who declared


def test_a_refused_action_shows_the_message_where_and_hint(
    world: dict[str, TenantWorld], client_for: Callable[[str | None], FlaskClient],
) -> None:
    """Publishing before the work ended: the service refuses; the page says why."""
    w = world["chongqing"]
    w.require_draw()
    response = client_for("cq_admin").post(f"/t/chongqing/tasks/{w.task_id}/publish",
                                           data={"confirm": "y", "directed_to": "市监局"})
    assert response.status_code == 409  # a state conflict: the task page again, the form kept
    text = response.get_data(as_text=True)
    # the service's message, in the page's language (zh_CN by default), with what to do in
    # the browser (not on the command line), and what was typed kept
    assert "的抽查工作尚未结束" in text and "处理办法" in text and "Traceback" not in text
    assert "ssj tasks end-work" not in text and "填写“抽查工作结束”" in text
    assert 'value="市监局"' in text and 'id="publication"' in text


def test_an_unexpected_error_is_a_chinese_500_page(
    database_url: str, tmp_path: Any,
) -> None:
    from tests.conftest import make_app

    app = make_app(database_url, str(tmp_path / "i"), SSJ_ERROR_PAGES_IN_TESTS=True)
    from shuangsuiji.web import portal

    def boom() -> str:
        raise RuntimeError("secret internals")

    app.view_functions["portal.verify"] = portal.allow_public(boom)
    tenant_service_client = app.test_client()
    with app.extensions["shuangsuiji"].db.session() as s:
        tenant_service.create(s, app.extensions["shuangsuiji"], slug="miit", name="工业和信息化部",
                              pack="miit", level="central")
        s.commit()
    response = tenant_service_client.get("/p/miit/verify")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "服务器内部错误" in text and "secret internals" not in text


def test_item_list_upload_then_edit_makes_versions(
    app: Flask, tenant_tree: dict[str, int], client_for: Callable[[str | None], FlaskClient],
) -> None:
    """Upload the item list as a file, then change one item in the form: two versions, and
    the change shows in the item's history on the portal."""
    import io

    from shuangsuiji.demo import generate as gen

    client = client_for("cq_admin")
    data = gen.to_csv(gen.ITEM_HEADINGS, gen.item_rows(("key", "general"), "综合执法处"))
    response = client.post("/t/chongqing/directories/items/upload",
                           data={"file": (io.BytesIO(data), "事项清单.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    assert response.headers["Location"].endswith("/t/chongqing/items")
    items_page = client.get("/t/chongqing/items").get_data(as_text=True)
    assert "SX-001" in items_page
    from shuangsuiji.models.directories import Item, ItemListVersion

    def approve_and_publish_latest() -> None:
        """The leadership approves the draft, then it is published (MIIT 第五条, CQ 第四条):
        only then does the portal show it."""
        with app.extensions["shuangsuiji"].db.session() as s:
            set_tenant(s, tenant_tree["chongqing"])
            number = s.scalar(select(func.max(ItemListVersion.number)))
        approved = client.post(f"/t/chongqing/items/versions/{number}/approve", data={
            "approver": "委领导", "approved_on": "2026-03-02", "document": "渝经信〔2026〕1号"})
        assert approved.status_code == 302, approved.get_data(as_text=True)[-1500:]
        published = client.post(f"/t/chongqing/items/versions/{number}/publish")
        assert published.status_code == 302, published.get_data(as_text=True)[-1500:]

    approve_and_publish_latest()

    with app.extensions["shuangsuiji"].db.session() as s:
        set_tenant(s, tenant_tree["chongqing"])
        item = s.scalar(select(Item).where(Item.code == "SX-002"))
        assert item is not None
        item_id = item.id
    edit = client.post(f"/t/chongqing/items/{item_id}/edit", data={
        "code": "SX-002", "name": item.name, "category": item.category,
        "methods": "on_site, network_monitoring", "frequency": "每年2次",
        "cap_permille": "100", "publication_mode": "public", "departments": "综合执法处",
        "note": "频次调整"})
    assert edit.status_code == 302, edit.get_data(as_text=True)[-1500:]
    assert "每年2次" not in client.get("/p/chongqing/items/SX-002").get_data(as_text=True)
    approve_and_publish_latest()
    history = client.get("/p/chongqing/items/SX-002").get_data(as_text=True)
    assert "每年2次" in history and "每年1次" in history
