"""The joint-task page (联合抽查): participants planned in the browser (bad lines come back
with the message, nothing saved), a participant's refusal, a result per item, and
publication by each participant behind a ticked confirmation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import func, select

from shuangsuiji.models.joint import ItemResult, ParticipantPublication, TaskParticipant
from shuangsuiji.platform import Platform
from shuangsuiji.services import draws, joint
from shuangsuiji.services import plans as plan_service
from shuangsuiji.services import records as record_service
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.services.draws.reading import load_inspectors
from shuangsuiji.services.lifecycle import drawn_targets
from shuangsuiji.services.records import InspectorPresent
from tests.draws.conftest import DEPARTMENTS, load_directories

A, B = DEPARTMENTS


def _task(platform: Platform) -> int:
    load_directories(platform, "miit")
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "miit")
        s.info["tenant_id"] = tenant.id
        plan_service.create_plan(s, platform, tenant, 2026, title="2026年度抽查工作计划",
                                 made_on=date(2026, 2, 10))
        task = plan_service.create_task(
            s, platform, tenant, plan_year=2026, code="T-JW", title="联合检查", department=A,
            division=A, item_codes=["SX-001", "SX-002"], starts_on=date(2026, 4, 1),
            ends_on=date(2026, 5, 29), methods=["on_site"], ratio_permille=20, group_count=1,
            inspector_scope="across_departments")
        s.commit()
        return task.id


def _count(platform: Platform, model: type) -> int:
    with platform.db.session() as s:
        s.info["tenant_id"] = tenant_service.get(s, "miit").id
        return s.scalar(select(func.count()).select_from(model)) or 0


def _in(platform: Platform, fn: Callable[..., object]) -> object:
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "miit")
        s.info["tenant_id"] = tenant.id
        out = fn(s, tenant)
        s.commit()
        return out


def _joint_row(page: str) -> str:
    """The portal's row of the joint task T-JW's participants (once)."""
    assert page.count('data-task="T-JW"') == 1
    return page.split('data-task="T-JW"')[1].split("</tr>")[0]


def _span(row: str, code: str) -> str:
    return row.split(f'data-participant="{code}"')[1].split("</span>")[0]


def test_participants_planned_answered_and_published_in_the_browser(
    platform: Platform, client_for: Callable[[str | None], FlaskClient],
) -> None:
    task_id = _task(platform)
    admin = client_for("miit_admin")
    base = f"/t/miit/tasks/{task_id}/joint"
    page = admin.get(base)
    assert page.status_code == 200 and "联合抽查" in page.get_data(as_text=True)
    # an item of no participant: the message names it, nothing is saved
    bad = admin.post(base + "/participants", data={"lines": f"{A}:SX-001\n{B}:SX-009"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "SX-009" in text and "Traceback" not in text
    assert _count(platform, TaskParticipant) == 0
    ok = admin.post(base + "/participants", data={"lines": f"{A}:SX-001:1\n{B}:SX-002:1"})
    assert ok.status_code == 302
    assert _count(platform, TaskParticipant) == 2
    # a refusal needs a reason; with it, the draw is refused naming the participant
    assert admin.post(base + "/answer", data={"participant": B, "answer": "refuse",
                                              "note": ""}).status_code == 422
    assert admin.post(base + "/answer", data={"participant": B, "answer": "refuse",
                                              "note": "人员不足"}).status_code == 302
    shown = admin.get(base).get_data(as_text=True)
    assert "人员不足" in shown
    draw_page = admin.get(f"/t/miit/tasks/{task_id}/draw")  # the draw page names it
    text = draw_page.get_data(as_text=True)
    assert B in text and "人员不足" in text and "Traceback" not in text, text[-3000:]
    admin.post(base + "/answer", data={"participant": B, "answer": "accept", "note": ""})
    _in(platform, lambda s, t: draws.draw(s, platform, t, "T-JW", seed="dice 1-2-3"))

    def visit(s: object, t: object) -> list[str]:
        task = joint.get_task(s, "T-JW")  # type: ignore[arg-type]
        held = {p.person_id: next((c.kind for c in p.credentials
                                   if c.expires is None or c.expires >= date(2026, 4, 20)), "")
                for p in load_inspectors(s)}  # type: ignore[arg-type]
        out = []
        for d in drawn_targets(s, task):  # type: ignore[arg-type]
            record_service.record_on_site(
                s, platform, t, task.id, d.credit_code, method="on_site",  # type: ignore[arg-type]
                inspected_on=date(2026, 4, 20),
                inspectors=[InspectorPresent(p, held[p]) for p in d.inspectors[:2]],
                findings="一次检查", acknowledgement="signature")
            out.append(d.credit_code)
        return out

    codes: list[str] = _in(platform, visit)  # type: ignore[assignment]
    for c in codes:
        for item in ("SX-001", "SX-002"):
            done = admin.post(base + "/result", data={
                "credit_code": c, "item_code": item, "result": "no_problem",
                "decided_on": "2026-04-21"})
            assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    assert _count(platform, ItemResult) == 2 * len(codes)
    _in(platform, lambda s, t: plan_service.end_work(s, t, "T-JW", date(2026, 4, 24)))
    _in(platform, lambda s, t: record_service.write_report(s, platform, t, "T-JW", {
        "period": "2026年4月", "target_count": len(codes), "content": "c", "findings": "f",
        "handling": "h", "suggestions": "s"}))
    unconfirmed = admin.post(base + "/publish", data={"participant": A})
    assert unconfirmed.status_code == 422 and _count(platform, ParticipantPublication) == 0
    assert admin.post(base + "/publish", data={"participant": A, "confirm": "y"}
                      ).status_code == 302
    # the portal shows the task once, with both participants: A's results, B's not yet
    portal = client_for(None)
    row = _joint_row(portal.get("/p/miit/tasks").get_data(as_text=True))
    assert f"{len(codes)} 条结果" in _span(row, A) and "尚未公开" in _span(row, B)
    assert admin.post(base + "/publish", data={"participant": B, "confirm": "y"}
                      ).status_code == 302
    assert _count(platform, ParticipantPublication) == 2
    row = _joint_row(portal.get("/p/miit/tasks").get_data(as_text=True))
    assert "尚未公开" not in row and row.count("条结果") == 2
    # statistics: one task, with every participant and its results
    stats = admin.get("/t/miit/statistics?year=2026").get_data(as_text=True)
    table = stats.split('id="joint-stats"')[1].split("</table>")[0]
    assert table.count("T-JW") == 1 and A in table and B in table
    # a viewer reads the page; a viewer cannot publish
    viewer = client_for("miit_viewer")
    assert viewer.get(base).status_code == 200
    assert viewer.post(base + "/publish", data={"participant": A, "confirm": "y"}
                       ).status_code == 403
