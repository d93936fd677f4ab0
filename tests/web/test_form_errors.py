"""Errors keep the user's work (issue 16, item 2) and irreversible steps ask first (item 5).

Each staff form's error path: the page the form is on comes back (422, or 409 for a
conflict with the current state), with the message under the field it is about, in the
page's language, naming the field by its label, saying what to do in the browser, and with
what was typed still in the form. Nothing is changed.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from shuangsuiji.db import set_tenant
from shuangsuiji.models.draws import Draw
from shuangsuiji.models.plans import Task
from shuangsuiji.services import audit
from shuangsuiji.services import draws as draw_service
from tests.web.conftest import DEPARTMENTS, TenantWorld
from tests.web.test_conflict_picker import row_errors

Client = Callable[[str | None], FlaskClient]
CQ = "/t/chongqing"
CONFIRM_ZH = "请勾选确认框后再提交；本次未执行任何操作。"


def _text(response: object) -> str:
    return html.unescape(response.get_data(as_text=True))  # type: ignore[attr-defined]


def field_errors(page: str, name: str) -> list[str]:
    """The inline errors under the form field ``name`` (the ``field`` macro's markup)."""
    for block in re.findall(r'<div class="field has-error">(.*?)</div>', page, re.S):
        if re.search(rf'\bname="{re.escape(name)}"', block):
            return [html.unescape(e) for e in re.findall(r'<p class="error">(.*?)</p>',
                                                          block, re.S)]
    return []


def _events(app: Flask, w: TenantWorld) -> int:
    with app.extensions["shuangsuiji"].db.session() as s:
        return audit.count(s, w.tenant_id)


def _ended_on(app: Flask, w: TenantWorld) -> object:
    with app.extensions["shuangsuiji"].db.session() as s:
        set_tenant(s, w.tenant_id)
        found = s.get(Task, w.task_id)
        assert found is not None
        return found.work_ended_on


def _no_command_line(page: str) -> None:
    assert "ssj " not in page and "--task" not in page and "Traceback" not in page


def test_end_of_work_after_today_is_shown_under_the_date_with_the_date_kept(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    w = world["chongqing"]
    client = client_for("cq_operator")
    before = _events(app, w)
    sent = {"ended_on": "2099-01-01", "confirm": "y", "confirm_missing": "保留的文字"}
    refused = client.post(f"{CQ}/tasks/{w.task_id}/end-work", data=sent)
    page = _text(refused)
    assert refused.status_code == 422
    errors = field_errors(page, "ended_on")
    assert errors and "抽查工作不能在今天" in errors[0] and "2099-01-01" in errors[0]
    assert "处理办法" in errors[0]  # what to do, with the message
    assert 'value="2099-01-01"' in page and "保留的文字" in page  # the input kept
    assert "位置： ended_on" not in page and "ended_on</" not in page
    _no_command_line(page)
    assert _ended_on(app, w) is None and _events(app, w) == before

    # an impossible date: the form's own check, under the field, the typed text kept
    bad = client.post(f"{CQ}/tasks/{w.task_id}/end-work",
                      data={**sent, "ended_on": "2026-02-30"})
    assert bad.status_code == 422
    assert field_errors(_text(bad), "ended_on") and 'value="2026-02-30"' in _text(bad)

    # in English, the same place, in English
    client.post("/language", data={"lang": "en", "next": "/login"})
    english = _text(client.post(f"{CQ}/tasks/{w.task_id}/end-work", data=sent))
    assert "after today" in field_errors(english, "ended_on")[0]
    assert "Work ended on" in english


def test_end_of_work_with_targets_left_without_records_says_what_to_type(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    w = world["chongqing"]
    refused = client_for("cq_admin").post(f"{CQ}/tasks/{w.task_id}/end-work", data={
        "ended_on": "2026-05-29", "confirm": "y"})
    page = _text(refused)
    assert refused.status_code == 422
    assert "没有现场检查记录" in page or "现场检查记录" in page
    assert "“缺少现场检查记录的检查对象”一栏逐一填写" in page  # the box, by its label
    assert "--confirm-missing" not in page
    _no_command_line(page)


def test_an_unconfirmed_end_of_work_or_publication_is_asked_again(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    w = world["chongqing"]
    client = client_for("cq_admin")
    page = _text(client.get(f"{CQ}/tasks/{w.task_id}"))
    # what will happen is said before anyone confirms
    assert "公示时限自所填日期起算" in page and "公示后不能撤回" in page
    before = _events(app, w)
    unconfirmed = client.post(f"{CQ}/tasks/{w.task_id}/end-work",
                              data={"ended_on": "2026-05-29"})
    assert unconfirmed.status_code == 422
    assert field_errors(_text(unconfirmed), "confirm") == [CONFIRM_ZH]
    assert 'value="2026-05-29"' in _text(unconfirmed)
    published = client.post(f"{CQ}/tasks/{w.task_id}/publish", data={"directed_to": "市监局"})
    assert published.status_code == 422
    assert field_errors(_text(published), "confirm") == [CONFIRM_ZH]
    assert 'value="市监局"' in _text(published)
    assert _ended_on(app, w) is None and _events(app, w) == before


def test_a_recusal_without_a_reason_keeps_the_choices(
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
    before = _events(app, w)
    refused = client_for("cq_operator").post(f"{CQ}/draws/{draw_id}/recusals", data={
        "person_id": person, "credit_code": target, "mode": "withdraw", "reason": "  "})
    page = _text(refused)
    assert refused.status_code == 422
    errors = field_errors(page, "reason")
    assert errors and "This field is required" not in errors[0], page[-3000:]
    assert re.search(rf'<option selected value="{person}"', page)  # the choices kept
    assert re.search(rf'<option selected value="{target}"', page)
    assert '<option value="withdraw" selected>' in page
    assert 'id="recusal"' in page and _events(app, w) == before


def test_a_void_without_confirmation_or_reason_keeps_the_draw_and_the_text(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    w = world["chongqing"]
    draw_id = w.require_draw()
    admin = client_for("cq_admin")
    page = _text(admin.get(f"{CQ}/draws/{draw_id}"))
    assert "作废不能撤销" in page and "须重新（公告并）抽取" in page  # said before
    before = _events(app, w)
    unconfirmed = admin.post(f"{CQ}/draws/{draw_id}/void", data={"reason": "见证人未到场"})
    assert unconfirmed.status_code == 422
    assert field_errors(_text(unconfirmed), "confirm") == [CONFIRM_ZH]
    assert "见证人未到场</textarea>" in _text(unconfirmed)
    short = admin.post(f"{CQ}/draws/{draw_id}/void", data={"reason": "无", "confirm": "y"})
    assert short.status_code == 422 and field_errors(_text(short), "reason")
    assert "Field must be" not in _text(short)  # WTForms' own words, in the page's language
    assert _events(app, w) == before
    with app.extensions["shuangsuiji"].db.session() as s:
        set_tenant(s, w.tenant_id)
        record = s.get(Draw, draw_id)
        assert record is not None and record.void is None


def test_a_bad_announcement_is_shown_under_its_field(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    """The announcement form of an undrawn task: a malformed conflicts line."""
    w = world["chongqing"]
    draw_id = w.require_draw()
    admin = client_for("cq_admin")
    assert admin.post(f"{CQ}/draws/{draw_id}/void",
                      data={"reason": "重新抽取", "confirm": "y"}).status_code == 302
    before = _events(app, w)
    refused = admin.post(f"{CQ}/tasks/{w.task_id}/announce", data={
        "procedure": "generated", "conflict_person": [""], "conflict_target": ["只有一个词"]})
    page = _text(refused)
    assert refused.status_code == 422
    assert row_errors(page) == ["第 1 行：请选择存在利害关系的人员。"]  # on its row
    assert 'value="只有一个词"' in page and 'id="announce"' in page
    assert _events(app, w) == before


def test_a_task_ending_before_it_starts_is_shown_under_the_end_date(
    world: dict[str, TenantWorld], client_for: Client,
) -> None:
    w = world["chongqing"]
    client = client_for("cq_admin")
    refused = client.post(f"{CQ}/tasks", data={
        "plan_year": "2026", "code": "CQ-BAD-01", "title": "保留的任务名称",
        "department": DEPARTMENTS[0],
        "item_codes": w.item_code, "methods": "on_site", "ratio_permille": "100",
        "min_count": "0", "group_count": "1", "experts_count": "0",
        "starts_on": "2026-06-01", "ends_on": "2026-05-01"})
    text = _text(refused)
    assert refused.status_code == 422
    errors = field_errors(text, "ends_on")
    assert errors and "抽查任务的结束日期不得早于开始日期" in errors[0], text[-3000:]
    assert 'value="保留的任务名称"' in text


def test_a_draw_without_the_pool_digest_says_so_above_the_form(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    w = world["chongqing"]
    before = _events(app, w)
    refused = client_for("cq_operator").post(f"{CQ}/tasks/{w.task_id}/draw", data={
        "seed_source": "ceremony", "seed": "31415", "witnesses": "公证员 张三",
        "confirm": "y"})
    page = _text(refused)
    assert refused.status_code == 422
    assert "页面未提交抽取池摘要" in page and "公证员 张三" in page
    assert _events(app, w) == before


def test_an_incomplete_item_list_approval_is_shown_under_its_fields(
    app: Flask, tenant_tree: dict[str, int], users: dict[str, int], client_for: Client,
) -> None:
    """A draft version's approval without its document number: under that field, the
    approver and date typed kept, nothing approved."""
    from shuangsuiji.demo import generate as gen
    from shuangsuiji.models.directories import ItemListVersion

    admin = client_for("cq_admin")
    data = gen.to_csv(gen.ITEM_HEADINGS, gen.item_rows(("key", "general"), DEPARTMENTS[0]))
    assert admin.post(f"{CQ}/directories/items/upload",
                      data={"file": (io.BytesIO(data), "事项清单.csv")},
                      content_type="multipart/form-data").status_code == 302
    with app.extensions["shuangsuiji"].db.session() as s:
        set_tenant(s, tenant_tree["chongqing"])
        number = s.scalar(select(func.max(ItemListVersion.number)))
    refused = admin.post(f"{CQ}/items/versions/{number}/approve", data={
        "approver": "委领导", "approved_on": "2026-03-02", "document": ""})
    text = _text(refused)
    assert refused.status_code == 422
    assert field_errors(text, "document") and 'value="委领导"' in text
    assert 'value="2026-03-02"' in text
    with app.extensions["shuangsuiji"].db.session() as s:
        set_tenant(s, tenant_tree["chongqing"])
        version = s.scalar(select(ItemListVersion).where(ItemListVersion.number == number))
        assert version is not None and version.status == "draft"
