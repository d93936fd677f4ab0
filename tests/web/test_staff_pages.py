"""The staff pages added for the whole job in the browser: notices, testing periods and the
deadline, the task report, rectification and transfer, the deadline board, holiday
calendars, statistics, user management and retiring an item.

The access matrix (test_access_matrix.py) checks every GET for every role; here, each write
for an allowed role, one bad input each that changes nothing, and what the pages say.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from shuangsuiji.db import set_tenant
from shuangsuiji.models.accounts import User
from shuangsuiji.models.calendars import TenantCalendar
from shuangsuiji.models.directories import ItemListVersion
from shuangsuiji.models.inspections import (
    ExcludedPeriodRecord,
    Rectification,
    TaskReport,
    Transfer,
)
from shuangsuiji.services import audit, lifecycle
from tests.web.conftest import TenantWorld

Client = Callable[[str | None], FlaskClient]
CALENDAR_DATA = Path(__file__).resolve().parents[1] / "workdays" / "data"


def _count(app: Flask, w: TenantWorld, model: Any) -> int:
    with app.extensions["shuangsuiji"].db.session() as s:
        set_tenant(s, w.tenant_id)
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _events(app: Flask, w: TenantWorld) -> int:
    with app.extensions["shuangsuiji"].db.session() as s:
        return audit.count(s, w.tenant_id)


def _drawn(app: Flask, w: TenantWorld) -> list[Any]:
    with app.extensions["shuangsuiji"].db.session() as s:
        set_tenant(s, w.tenant_id)
        return lifecycle.drawn_targets(s, lifecycle.get_task(s, w.task_id))


def _end_work_none_recorded(app: Flask, w: TenantWorld) -> dict[str, str]:
    """The end-of-work form for a task none of whose targets has a record yet: every one is
    named as confirmed missing, as the form asks."""
    return {"ended_on": "2026-05-29", "confirm": "y",
            "confirm_missing": " ".join(t.credit_code for t in _drawn(app, w))}


def _record_problem(app: Flask, client: FlaskClient, w: TenantWorld) -> str:
    """Record the first drawn target through the records page, with a problem found."""
    target = _drawn(app, w)[0]
    response = client.post(f"/t/{w.slug}/tasks/{w.task_id}/records", data={
        "credit_code": target.credit_code, "method": "on_site", "inspected_on": "2026-04-10",
        "inspectors": ",".join(target.inspectors[:2]),
        "credential": "enforcement_certificate", "findings": "未按规定公示许可证信息",
        "acknowledgement": "signature", "inspectors_signed": "y",
        "result": "problem_rectified", "handling": "责令限期整改"})
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    return str(target.credit_code)


def test_notices_print_one_page_per_drawn_target(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    w = world["chongqing"]
    w.require_draw()
    page = client_for("cq_viewer").get(f"/t/chongqing/tasks/{w.task_id}/notices")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert text.count('class="notice"') == len(_drawn(app, w))
    assert "随机抽查检查告知书" in text and "检查依据和检查内容" in text
    assert "在检查期间安排熟悉情况的人员陪同现场检查" in text  # what the target must do
    assert "年" in text and "月" in text  # dates the Chinese way
    one = _drawn(app, w)[0].credit_code
    single = client_for("cq_admin").get(f"/t/chongqing/tasks/{w.task_id}/notices?target={one}")
    assert single.get_data(as_text=True).count('class="notice"') == 1
    # The inspector drawn for it may print it too; another tenant's admin may not.
    assert client_for("cq_inspector").get(
        f"/t/chongqing/tasks/{w.task_id}/notices").status_code == 200
    assert client_for("miit_admin").get(
        f"/t/chongqing/tasks/{w.task_id}/notices").status_code == 403


def test_testing_period_recorded_and_bad_period_changes_nothing(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    w = world["chongqing"]
    w.require_draw()
    client = client_for("cq_operator")
    url = f"/t/chongqing/tasks/{w.task_id}/periods"
    page = client.get(url).get_data(as_text=True)
    assert "不计入公开时限" in page  # CQ Art. 14 leaves these periods out
    before = _events(app, w)
    bad = client.post(url, data={"kind": "testing", "credit_code": "",
                                 "starts_on": "2026-05-10", "ends_on": "2026-05-01"})
    assert bad.status_code == 422
    assert "ends_on" in bad.get_data(as_text=True)
    assert _count(app, w, ExcludedPeriodRecord) == 0 and _events(app, w) == before
    good = client.post(url, data={"kind": "testing", "credit_code": "",
                                  "starts_on": "2026-06-01", "ends_on": "2026-06-05",
                                  "note": "样品送检"})
    assert good.status_code == 302
    assert _count(app, w, ExcludedPeriodRecord) == 1
    assert client_for("cq_viewer").post(url, data={
        "kind": "testing", "starts_on": "2026-05-04", "ends_on": "2026-05-08"}
    ).status_code == 403
    # After the end of the work, the deadline is shown with the periods left out.
    assert client.post(f"/t/chongqing/tasks/{w.task_id}/end-work",
                       data=_end_work_none_recorded(app, w)).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "扣除检验检测鉴定" in page


def test_report_required_under_miit_not_under_chongqing(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    cq = world["chongqing"]
    page = client_for("cq_admin").get(f"/t/chongqing/tasks/{cq.task_id}/report")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "无需报告" in text and "第十四条" in text
    assert "<textarea" not in text

    w = world["miit"]
    client = client_for("miit_operator")
    url = f"/t/miit/tasks/{w.task_id}/report"
    text = client.get(url).get_data(as_text=True)
    assert "须报告" in text and "第十四条" in text and "工作建议" in text
    before = _events(app, w)
    partial = client.post(url, data={"field_period": "2026年4月至5月"})
    assert partial.status_code == 422
    # the missing fields, named by their labels (not the pack's field names)
    assert "请完整填写报告；缺少：抽查对象数量" in partial.get_data(as_text=True)
    assert "target_count、" not in partial.get_data(as_text=True)
    assert _count(app, w, TaskReport) == 0 and _events(app, w) == before
    full = {f"field_{k}": "内容" for k in ("period", "target_count", "content", "findings",
                                           "handling", "suggestions")}
    assert client.post(url, data=full).status_code == 302
    assert _count(app, w, TaskReport) == 1
    assert client_for("miit_viewer").post(url, data=full).status_code == 403


def test_rectification_order_follow_up_close_and_transfer(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    w = world["chongqing"]
    w.require_draw()
    client = client_for("cq_admin")
    code = _record_problem(app, client, w)
    base = f"/t/chongqing/tasks/{w.task_id}"
    assert "责令整改" in client.get(f"{base}/followup").get_data(as_text=True)

    before = _events(app, w)
    bad = client.post(f"{base}/rectifications", data={
        "credit_code": code, "requirement": "补充公示", "due_on": "2000-01-01"})
    assert bad.status_code == 422 and "due_on" in bad.get_data(as_text=True)
    assert _count(app, w, Rectification) == 0 and _events(app, w) == before

    assert client.post(f"{base}/rectifications", data={
        "credit_code": code, "requirement": "补充公示许可证信息", "due_on": "2030-01-31",
    }).status_code == 302
    with app.extensions["shuangsuiji"].db.session() as s:
        set_tenant(s, w.tenant_id)
        rect_id = s.scalar(select(Rectification.id))
    # Closing before the follow-up inspection is refused, and nothing changes.
    refused = client.post(f"/t/chongqing/rectifications/{rect_id}/close",
                          data={"on": "2026-06-30"})
    assert refused.status_code == 409
    assert client.post(f"/t/chongqing/rectifications/{rect_id}/follow-up", data={
        "on": "2026-06-20", "findings": "已在官网补充公示", "rectified": "y"}).status_code == 302
    assert client.post(f"/t/chongqing/rectifications/{rect_id}/close",
                       data={"on": "2026-06-30", "note": "整改到位"}).status_code == 302
    with app.extensions["shuangsuiji"].db.session() as s:
        set_tenant(s, w.tenant_id)
        rect = s.scalar(select(Rectification))
        assert rect is not None and rect.state == "closed" and rect.rectified is True

    before = _events(app, w)
    empty = client.post(f"{base}/transfers", data={
        "credit_code": code, "authority": "", "reason": "涉嫌违法", "on": "2026-06-01"})
    assert empty.status_code == 422 and _count(app, w, Transfer) == 0
    assert _events(app, w) == before
    assert client.post(f"{base}/transfers", data={
        "credit_code": code, "authority": "重庆市市场监督管理局", "reason": "涉嫌无照经营",
        "on": "2026-06-01", "reference": "渝通移〔2026〕1号"}).status_code == 302
    assert _count(app, w, Transfer) == 1
    page = client.get(f"{base}/followup").get_data(as_text=True)
    assert "重庆市市场监督管理局" in page and "已办结" in page
    # A viewer reads the follow-up but may not order anything.
    viewer = client_for("cq_viewer")
    assert viewer.get(f"{base}/followup").status_code == 200
    assert viewer.post(f"{base}/rectifications", data={
        "credit_code": code, "requirement": "x", "due_on": "2030-01-31"}).status_code == 403


def test_deadline_board_lists_ended_tasks(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    w = world["miit"]
    client = client_for("miit_admin")
    assert client.post(f"/t/miit/tasks/{w.task_id}/end-work",
                       data=_end_work_none_recorded(app, w)).status_code == 302
    page = client.get("/t/miit/deadlines").get_data(as_text=True)
    assert "MIIT-2026-001" in page and "公开时限" in page
    assert "CHONGQING-2026-001" not in page


def test_calendar_import_bad_file_shows_line_and_column_and_saves_nothing(
    app: Flask, world: dict[str, TenantWorld], client_for: Client, calendar_until_2026: range,
) -> None:
    w = world["chongqing"]
    client = client_for("cq_admin")
    page = client.get("/t/chongqing/calendars").get_data(as_text=True)
    assert "内置日历包" in page and "未覆盖" in page
    bad = "日期,类型,名称\n2027-01-01,休假,元旦\n2027-02-30,休假,春节\n".encode()
    before = _events(app, w)
    response = client.post("/t/chongqing/calendars", data={
        "file": (__import__("io").BytesIO(bad), "holidays-2027.csv")},
        content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    # the file's problems, in the page's language (zh_CN): line, column and what is wrong
    assert "第 3 行" in text and "“日期”列" in text and "未导入" in text
    assert _count(app, w, TenantCalendar) == 0 and _events(app, w) == before
    good = (CALENDAR_DATA / "holidays-2027.csv").read_bytes()
    response = client.post("/t/chongqing/calendars", data={
        "file": (__import__("io").BytesIO(good), "holidays-2027.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    assert _count(app, w, TenantCalendar) == 1
    assert "本辖区导入" in client.get("/t/chongqing/calendars").get_data(as_text=True)
    assert client_for("cq_operator").post("/t/chongqing/calendars").status_code == 403


def test_statistics_chart_xlsx_and_logged_comparison(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    page = client_for("cq_viewer").get("/t/chongqing/statistics?year=2026")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "<svg" in text and "抽取检查对象数" in text
    assert "http" not in text.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", "")  # nothing fetched from elsewhere
    xlsx = client_for("cq_viewer").get("/t/chongqing/statistics.xlsx?year=2026")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    w = world["miit"]
    before = _events(app, w)
    central = client_for("central")
    compared = central.get("/t/miit/statistics/compare?year=2026")
    assert compared.status_code == 200
    body = compared.get_data(as_text=True)
    assert "<svg" in body and "审计日志" in body
    assert _events(app, w) > before  # the cross-tenant read is logged
    assert client_for("miit_admin").get("/t/miit/statistics/compare").status_code == 403


def test_user_management_by_tenant_admin(
    app: Flask, world: dict[str, TenantWorld], client_for: Client, users: dict[str, int],
) -> None:
    client = client_for("cq_admin")
    page = client.get("/t/chongqing/users").get_data(as_text=True)
    assert "cq_operator" in page and "miit_operator" not in page
    with app.extensions["shuangsuiji"].db.session() as s:
        count = s.scalar(select(func.count()).select_from(User))
    weak = client.post("/t/chongqing/users", data={
        "username": "cq_new", "password": "short", "role": "operator"})
    assert weak.status_code == 422 and "10" in weak.get_data(as_text=True)
    with app.extensions["shuangsuiji"].db.session() as s:
        assert s.scalar(select(func.count()).select_from(User)) == count
    assert client.post("/t/chongqing/users", data={
        "username": "cq_new", "password": "a long enough password", "role": "viewer",
        "display_name": "新用户"}).status_code == 302
    with app.extensions["shuangsuiji"].db.session() as s:
        new_id = s.scalar(select(User.id).where(User.username == "cq_new"))
    assert client.post(f"/t/chongqing/users/{new_id}/grant",
                       data={"role": "operator", "department": "综合执法处"}).status_code == 302
    issued = client.post(f"/t/chongqing/users/{new_id}/tokens", data={"name": "报表"})
    text = issued.get_data(as_text=True)
    assert issued.status_code == 200 and "ssj_" in text and "只显示这一次" in text
    token = text.split('id="new-token">', 1)[1].split("<", 1)[0]
    assert token not in client.get("/t/chongqing/users").get_data(as_text=True)
    assert app.test_client().get(
        "/api/v1/t/chongqing/tasks", headers={"Authorization": f"Bearer {token}"}
    ).status_code == 200
    assert client.post(f"/t/chongqing/users/{new_id}/tokens/revoke",
                       data={"prefix": token[:10]}).status_code == 302
    assert app.test_client().get(
        "/api/v1/t/chongqing/tasks", headers={"Authorization": f"Bearer {token}"}
    ).status_code == 401
    # Another tenant's account, or the central admin's, is not theirs to manage.
    for other in (users["miit_operator"], users["central"]):
        assert client.post(f"/t/chongqing/users/{other}/tokens",
                           data={"name": "x"}).status_code == 404
    # A tenant admin cannot make a central admin.
    assert client.post("/t/chongqing/users", data={
        "username": "sneaky", "password": "a long enough password",
        "role": "central_admin"}).status_code == 422
    with app.extensions["shuangsuiji"].db.session() as s:
        assert s.scalar(select(User).where(User.username == "sneaky")) is None


def test_central_admin_manages_users_across_tenants(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    central = client_for("central")
    page = central.get("/central/users").get_data(as_text=True)
    assert "cq_operator" in page and "miit_operator" in page
    assert central.post("/central/users", data={
        "username": "sc_admin", "password": "a long enough password", "role": "tenant_admin",
        "tenant": "chongqing"}).status_code == 302
    assert client_for("cq_admin").get("/central/users").status_code == 403


def test_retire_an_item_makes_a_version_shown_in_history(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    w = world["chongqing"]
    client = client_for("cq_operator")
    versions = _count(app, w, ItemListVersion)
    bad = client.post(f"/t/chongqing/items/{w.item_id}/retire", data={"note": ""})
    assert bad.status_code == 422 and _count(app, w, ItemListVersion) == versions
    assert client.post(f"/t/chongqing/items/{w.item_id}/retire",
                       data={"note": "职能调整"}).status_code == 302
    assert _count(app, w, ItemListVersion) == versions + 1
    page = client.get(f"/t/chongqing/items/{w.item_id}").get_data(as_text=True)
    assert "已退出清单" in page and "active" in page
    again = client.post(f"/t/chongqing/items/{w.item_id}/retire", data={"note": "再次"})
    assert again.status_code == 409 and _count(app, w, ItemListVersion) == versions + 1
    assert client_for("cq_viewer").post(f"/t/chongqing/items/{w.item_id}/retire",
                                        data={"note": "x"}).status_code == 403


@pytest.mark.parametrize("path", ["deadlines", "statistics", "calendars", "users"])
def test_new_pages_in_english_on_request(
    world: dict[str, TenantWorld], client_for: Client, path: str,
) -> None:
    client = client_for("cq_admin")
    client.post("/language", data={"lang": "en", "next": "/"})
    page = client.get(f"/t/chongqing/{path}")
    assert page.status_code == 200 and 'lang="en"' in page.get_data(as_text=True)
