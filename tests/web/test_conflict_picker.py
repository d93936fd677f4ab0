"""The announcement's conflicts picker (issue #16 item 3): people chosen by name from the
directories, targets typed by name or credit code and resolved on the server (the form
works without JavaScript), a tenant-scoped paged search endpoint for the suggestions, and
every error shown on its row with all the rows typed kept, nothing written."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from shuangsuiji.db import audit_guard, set_tenant
from shuangsuiji.models.directories import Inspector, Target
from shuangsuiji.models.draws import DrawAnnouncement
from shuangsuiji.services import audit, target_search
from shuangsuiji.services import directories as directory_service
from tests.web.conftest import TenantWorld

Client = Callable[[str | None], FlaskClient]
CQ = "/t/chongqing"


def _text(response: object) -> str:
    return response.get_data(as_text=True)  # type: ignore[attr-defined]


def _undrawn(app: Flask, w: TenantWorld, client: FlaskClient) -> None:
    """Void the world's draw, so the task's draw page offers the announcement again."""
    draw_id = w.require_draw()
    assert client.post(f"{CQ}/draws/{draw_id}/void",
                       data={"reason": "重新抽取", "confirm": "y"}).status_code == 302


def _directory(app: Flask, w: TenantWorld) -> tuple[list[tuple[str, str]], tuple[str, str]]:
    """The tenant's targets (code, name) by code, and one inspector (id in draws, name)."""
    with app.extensions["shuangsuiji"].db.session() as s:
        set_tenant(s, w.tenant_id)
        targets = [(t.credit_code, t.name) for t in
                   s.scalars(select(Target).order_by(Target.credit_code))]
        p = s.scalars(select(Inspector).order_by(Inspector.id)).first()
        assert p is not None
        return targets, (directory_service.draw_id(p.certificate_no, p.work_id), p.name)


def row_errors(page: str) -> list[str]:
    return [html.unescape(e) for block in re.findall(
        r'<div class="field has-error" data-conflict-row>(.*?)</div>', page, re.S)
        for e in re.findall(r'<p class="error">(.*?)</p>', block, re.S)]


def _announcements(app: Flask, w: TenantWorld) -> list[DrawAnnouncement]:
    with app.extensions["shuangsuiji"].db.session() as s:
        set_tenant(s, w.tenant_id)
        return list(s.scalars(select(DrawAnnouncement)))


def _events(app: Flask, w: TenantWorld) -> int:
    with app.extensions["shuangsuiji"].db.session() as s:
        return audit.count(s, w.tenant_id)


def test_the_picker_offers_people_by_name_and_announces_a_target_named_by_name(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    w = world["chongqing"]
    admin = client_for("cq_admin")
    _undrawn(app, w, admin)
    targets, (person, person_name) = _directory(app, w)
    page = _text(admin.get(f"{CQ}/tasks/{w.task_id}/draw"))
    assert f'<option value="{person}">{person_name} {person}</option>' in page
    assert page.count('name="conflict_target"') == 3  # three empty rows to start with
    assert 'list="conflict-targets"' in page and "conflicts.js" in page

    code, name = targets[5]
    sent = admin.post(f"{CQ}/tasks/{w.task_id}/announce", data={
        "procedure": "generated", "conflict_person": [person, ""],
        "conflict_target": [name, ""]})
    assert sent.status_code == 302, row_errors(_text(sent))
    (announced,) = _announcements(app, w)
    assert [tuple(c) for c in announced.announcement["conflicts"]] == [(person, code)]
    shown = _text(admin.get(f"{CQ}/tasks/{w.task_id}/draw"))
    assert f'<code class="uscc">{code}</code>' in shown  # the declared conflict, shown


def test_a_wrong_row_is_named_and_every_row_typed_is_kept(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    w = world["chongqing"]
    admin = client_for("cq_admin")
    _undrawn(app, w, admin)
    targets, (person, _name) = _directory(app, w)
    before = _events(app, w)
    refused = admin.post(f"{CQ}/tasks/{w.task_id}/announce", data={
        "procedure": "generated",
        "conflict_person": [person, person, "", "不存在的人"],
        "conflict_target": [targets[0][0].lower(), "没有这家公司", targets[1][0], targets[2][0]]})
    page = _text(refused)
    assert refused.status_code == 422
    assert row_errors(page) == [
        "第 2 行：目录中没有统一社会信用代码或名称为 没有这家公司 的检查对象；"
        "请输入名称的一部分并从列表中选择，或检查检查对象名录。",
        "第 3 行：请选择存在利害关系的人员。",
        "第 4 行：人员 不存在的人 不在执法检查人员或专家名录中；请从列表中选择。"]
    # what was typed stays, row by row; the first row (a code in lower case) resolved
    assert 'value="没有这家公司"' in page and f'value="{targets[1][0]}"' in page
    assert f'value="{targets[0][0].lower()}"' in page
    assert page.count('name="conflict_target"') == 4
    assert _announcements(app, w) == [] and _events(app, w) == before


def test_a_name_several_targets_share_is_refused_naming_their_codes(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    w = world["chongqing"]
    admin = client_for("cq_admin")
    _undrawn(app, w, admin)
    targets, (person, _name) = _directory(app, w)
    (a, a_name), (b, _b_name) = targets[0], targets[1]
    with app.extensions["shuangsuiji"].db.session() as s, audit_guard.unaudited(
            s, "test: two targets of the same name"):
        set_tenant(s, w.tenant_id)
        row = s.scalar(select(Target).where(Target.credit_code == b))
        assert row is not None
        row.name = a_name
        s.commit()
    refused = admin.post(f"{CQ}/tasks/{w.task_id}/announce", data={
        "procedure": "generated", "conflict_person": [person], "conflict_target": [a_name]})
    assert refused.status_code == 422
    assert row_errors(_text(refused)) == [
        f"第 1 行：有多个检查对象名为 {a_name}（{'、'.join(sorted([a, b]))}）；"
        "请填写统一社会信用代码。"]
    assert _announcements(app, w) == []


def test_add_a_row_without_javascript_keeps_the_input(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    w = world["chongqing"]
    admin = client_for("cq_admin")
    _undrawn(app, w, admin)
    targets, (person, _name) = _directory(app, w)
    more = admin.post(f"{CQ}/tasks/{w.task_id}/announce", data={
        "procedure": "beacon", "beacon_after_minutes": "25", "more": "1",
        "conflict_person": [person, person, ""],
        "conflict_target": [targets[0][0], targets[1][0], ""]})
    page = _text(more)
    assert more.status_code == 200
    assert page.count('name="conflict_target"') == 4  # two typed, one empty, one more
    assert f'value="{targets[0][0]}"' in page and f'value="{targets[1][0]}"' in page
    assert page.count(f'<option value="{person}" selected>') == 2
    assert 'value="25"' in page
    assert _announcements(app, w) == []


def test_the_search_endpoint_pages_names_and_codes_of_its_own_tenant_only(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    w = world["chongqing"]
    targets, _person = _directory(app, w)
    miit_targets, _p = _directory(app, world["miit"])
    operator = client_for("cq_operator")
    code, name = targets[3]
    by_code = operator.get(f"{CQ}/targets/search.json?q={code[:12].lower()}").get_json()
    assert {"credit_code": code, "name": name} in by_code["results"]
    assert all(r["credit_code"].startswith(code[:12]) or code[:12].lower() in r["name"]
               for r in by_code["results"])
    by_name = operator.get(f"{CQ}/targets/search.json", query_string={"q": name}).get_json()
    assert by_name["results"][0] == {"credit_code": code, "name": name}

    # paging: every target has a common word in its name; pages follow the code order
    common = "公司"
    expected = [c for c, n in targets if common in n]
    assert len(expected) > target_search.PAGE_SIZE
    first = operator.get(f"{CQ}/targets/search.json", query_string={"q": common}).get_json()
    second = operator.get(f"{CQ}/targets/search.json",
                          query_string={"q": common, "page": 2}).get_json()
    assert first["more"] is True and len(first["results"]) == target_search.PAGE_SIZE
    got = [r["credit_code"] for r in first["results"] + second["results"]]
    assert got == expected[:len(got)] and len(got) > target_search.PAGE_SIZE

    # another tenant's target is not found here
    other_code, other_name = next((c, n) for c, n in miit_targets
                                  if c not in {t for t, _n in targets})
    assert operator.get(f"{CQ}/targets/search.json",
                        query_string={"q": other_code}).get_json()["results"] == []
    assert operator.get(f"{CQ}/targets/search.json").get_json()["results"] == []
    # too short, or a page out of range: 422 with the reason, in the page's language
    short = operator.get(f"{CQ}/targets/search.json", query_string={"q": "公"})
    assert short.status_code == 422 and "至少" in short.get_json()["error"]
    assert operator.get(f"{CQ}/targets/search.json",
                        query_string={"q": common, "page": 0}).status_code == 422
    # who holds no ceremony may not search
    assert client_for("cq_viewer").get(f"{CQ}/targets/search.json?q=公司").status_code == 403
    assert client_for("cq_inspector").get(f"{CQ}/targets/search.json?q=公司").status_code == 403
    assert client_for(None).get(f"{CQ}/targets/search.json?q=公司").status_code in (302, 401)
    _ = other_name
