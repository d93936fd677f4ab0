"""A joint task of two tenants in the browser: Yuzhong's admin plans it with Jiangbei (a
sibling district), Jiangbei's operator answers on its own invitations page (a viewer may
not, a refusal needs a reason), records the results of its own items and publishes them
behind a ticked confirmation; a tenant not invited gets a 404, never the host's page."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from shuangsuiji.models.joint import ItemResult, ParticipantPublication, TaskParticipant
from shuangsuiji.platform import Platform
from shuangsuiji.services import accounts, joint_results
from shuangsuiji.services import plans as plan_service
from shuangsuiji.services import records as record_service
from shuangsuiji.services import tenants as tenant_service
from tests.draws.conftest import load_directories
from tests.web.conftest import PASSWORD, login

HOST, GUEST, UNIT = "yuzhong", "jiangbei", "综合执法处"
DAY = date(2026, 4, 20)


def _setup(platform: Platform) -> tuple[int, str]:
    with platform.db.session() as s:
        tenant_service.create(s, platform, slug=GUEST, name="江北区经济和信息化委员会",
                              pack=None, parent="chongqing", level="district")
        for name, role, slug in (("yz_admin", "tenant_admin", HOST),
                                 ("jb_operator", "operator", GUEST),
                                 ("jb_viewer", "viewer", GUEST)):
            accounts.create_user(s, username=name, password=PASSWORD, role=role, tenant=slug,
                                 department="", inspector_code=None)
        s.commit()
    for slug in (HOST, GUEST):
        load_directories(platform, slug)
    with platform.db.session() as s:
        tenant = tenant_service.get(s, HOST)
        s.info["tenant_id"] = tenant.id
        plan_service.create_plan(s, platform, tenant, 2026, title="2026年度抽查工作计划",
                                 made_on=date(2026, 2, 10))
        for code in ("T-2D", "T-OTHER"):
            task = plan_service.create_task(
                s, platform, tenant, plan_year=2026, code=code, title=f"两区联合检查 {code}",
                department=UNIT, item_codes=["SX-001"], starts_on=date(2026, 4, 1),
                ends_on=date(2026, 5, 29), methods=["on_site"], ratio_permille=30,
                group_count=1, inspector_scope="across_departments")
            if code == "T-2D":
                task_id = task.id
        s.commit()
    return task_id, "T-2D"


def _client(app: Flask, name: str) -> Any:
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


def _in(platform: Platform, slug: str, fn: Any) -> Any:
    with platform.db.session() as s:
        tenant = tenant_service.get(s, slug)
        s.info["tenant_id"] = tenant.id
        out = fn(s, tenant)
        s.commit()
        return out


def _count(platform: Platform, model: type, **where: Any) -> int:
    def count(s: Any, t: Any) -> int:
        q = select(func.count()).select_from(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return s.scalar(q) or 0

    return _in(platform, HOST, count)  # type: ignore[no-any-return]


def test_the_other_tenant_answers_records_and_publishes_in_the_browser(
    app: Flask, platform: Platform, users: dict[str, int],
) -> None:
    task_id, code = _setup(platform)
    host = _client(app, "yz_admin")
    far = host.post(f"/t/{HOST}/tasks/{task_id}/joint/participants",
                    data={"lines": f"{UNIT}:SX-001\n@chongqing:SX-001"})
    assert far.status_code == 422 and "不在同一层级" in far.get_data(as_text=True)
    assert _count(platform, TaskParticipant) == 0
    ok = host.post(f"/t/{HOST}/tasks/{task_id}/joint/participants",
                   data={"lines": f"{UNIT}:SX-001\n@{GUEST}:SX-001"})
    assert ok.status_code == 302, ok.get_data(as_text=True)[:2000]

    guest, viewer = _client(app, "jb_operator"), _client(app, "jb_viewer")
    listed = guest.get(f"/t/{GUEST}/joint/invitations").get_data(as_text=True)
    assert f'data-task="{HOST}/{code}"' in listed and "T-OTHER" not in listed
    page_url = f"/t/{GUEST}/joint/{HOST}/{code}"
    page = guest.get(page_url)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="joint-guest-answer"' in text
    assert "T-OTHER" not in text  # nothing else of the host
    assert viewer.get(page_url).status_code == 200
    assert viewer.post(page_url + "/answer", data={"participant": GUEST,
                                                   "answer": "accept"}).status_code == 403
    # a tenant not invited, and a task not joint with this tenant: not found
    assert guest.get(f"/t/{GUEST}/joint/{HOST}/T-OTHER").status_code == 404
    assert _client(app, "cq_operator").get(f"/t/chongqing/joint/{HOST}/{code}").status_code \
        == 404
    refused = guest.post(page_url + "/answer", data={"participant": GUEST, "answer": "refuse"})
    assert refused.status_code == 422 and "拒绝参加须说明理由" in refused.get_data(as_text=True)
    accepted = guest.post(page_url + "/answer", data={"participant": GUEST, "answer": "accept"})
    assert accepted.status_code == 302
    assert _count(platform, TaskParticipant, state="accepted") == 2

    from tests.web.two_tenants import draw_and_visit  # (it imports this module)

    targets = _in(platform, HOST, lambda s, t: draw_and_visit(platform, s, t, code))
    shown = guest.get(page_url).get_data(as_text=True)
    assert 'id="joint-result-form"' in shown and targets[0] in shown
    for c in targets:
        saved = guest.post(page_url + "/result", data={
            "credit_code": c, "item_code": "SX-001", "result": "no_problem",
            "decided_on": DAY.isoformat()})
        assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    assert _count(platform, ItemResult, participant_code=GUEST) == len(targets)
    for c in targets:
        _in(platform, HOST, lambda s, t, c=c: joint_results.record_item_result(
            s, platform, t, code, c, "SX-001", "no_problem", decided_on=DAY))
    _in(platform, HOST, lambda s, t: plan_service.end_work(s, t, code, date(2026, 4, 24)))
    _in(platform, HOST, lambda s, t: record_service.write_report(s, platform, t, code, {
        "period": "2026年4月", "target_count": len(targets), "content": "两区联合抽查",
        "findings": "f", "handling": "h", "suggestions": "s"}))
    unticked = guest.post(page_url + "/publish", data={})
    assert unticked.status_code == 422
    assert _count(platform, ParticipantPublication) == 0
    done = guest.post(page_url + "/publish", data={"confirm": "y"})
    assert done.status_code == 302, done.get_data(as_text=True)[:3000]
    assert _count(platform, ParticipantPublication, participant_code=GUEST) == 1
    after = guest.get(page_url).get_data(as_text=True)
    row = after.split(f'data-participant="{GUEST}"')[1].split("</tr>")[0]
    assert "2026" in row  # its publication day is shown
    # each tenant's portal shows the joint task once, with every participant: Jiangbei's
    # results published, Yuzhong's unit's not yet
    public = app.test_client()
    for slug, marker in ((HOST, f'data-task="{code}"'), (GUEST, f'data-task="{HOST}/{code}"')):
        page = public.get(f"/p/{slug}/tasks").get_data(as_text=True)
        rows = [r for r in page.split("<tr")[1:] if 'class="joint-participants"' in r
                and marker in r]
        assert len(rows) == 1, (slug, page.count(marker))
        assert f'data-participant="{GUEST}"' in rows[0] and f'data-participant="{UNIT}"' in rows[0]
        guest_part = rows[0].split(f'data-participant="{GUEST}"')[1].split("</span>")[0]
        unit_part = rows[0].split(f'data-participant="{UNIT}"')[1].split("</span>")[0]
        assert str(len(targets)) in guest_part and "2026" in guest_part, guest_part
        assert "2026" not in unit_part, unit_part
    # the host's unit publishes: Jiangbei's portal (cached by its own chain) shows it too
    _in(platform, HOST, lambda s, t: joint_results.publish_participant(s, platform, t, code,
                                                                        UNIT))
    page = public.get(f"/p/{GUEST}/tasks").get_data(as_text=True)
    row = page.split(f'data-participant="{UNIT}"')[1].split("</span>")[0]
    assert "2026" in row, row
