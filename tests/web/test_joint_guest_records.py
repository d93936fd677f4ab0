"""The one visit's on-site record entered by the other tenant of a joint task (issue #15
leftovers): Jiangbei's operator writes the record of a drawn target of Yuzhong's joint
task from its own login, with the result of its own item; Yuzhong sees the whole (the
record and every item's result) and adds its own item's result. A participant cannot
write another's item (refused by name, nothing written), a record is written once per
visit (the tenant that wrote it may correct it), a viewer may not write, and a tenant
that takes no part gets a 404."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.models.inspections import InspectionRecord, InspectionResult
from shuangsuiji.models.joint import ItemResult
from shuangsuiji.models.plans import Task
from shuangsuiji.platform import Platform
from shuangsuiji.services import audit, draws, joint, joint_results, joint_tenants
from shuangsuiji.services.lifecycle import drawn_targets
from tests.web.test_joint_tenants_pages import DAY, GUEST, HOST, UNIT, _client, _in, _setup

OWN = f"{GUEST}/SX-001"  # Jiangbei's item inside Yuzhong's task


def _drawn(platform: Platform, group_count: int = 1
           ) -> tuple[int, str, list[tuple[str, tuple[str, ...]]]]:
    task_id, code = _setup(platform)
    if group_count != 1:
        def groups(s: Any, t: Any) -> None:
            s.get(Task, task_id).group_count = group_count
            audit.record(s, tenant_id=t.id, action="test.group_count", object_type="task",
                         object_id=task_id)

        _in(platform, HOST, groups)
    _in(platform, HOST, lambda s, t: joint.plan(s, t, code, [
        joint.ParticipantPlan(UNIT, ("SX-001",)), joint.ParticipantPlan("@" + GUEST, ("SX-001",))],
        platform))
    _in(platform, GUEST, lambda s, t: joint_tenants.answer(s, t, code, accept=True, actor="江北"))

    def draw(s: Any, t: Any) -> list[tuple[str, tuple[str, ...]]]:
        draws.draw(s, platform, t, code, seed="dice 2-2-5-1")
        return [(d.credit_code, tuple(d.inspectors))
                for d in drawn_targets(s, joint.get_task(s, code))]

    return task_id, code, _in(platform, HOST, draw)


def _drawn_as_guest(app: Flask, platform: Platform) -> tuple[int, str, tuple[str, tuple[str, ...]],
                                                             Any, str]:
    """The drawn joint task, its first target with its group, Jiangbei's operator signed in
    and the task's page there."""
    task_id, code, targets = _drawn(platform)
    return task_id, code, targets[0], _client(app, "jb_operator"), f"/t/{GUEST}/joint/{HOST}/{code}"


def _visit(credit_code: str, people: tuple[str, ...], **extra: str) -> dict[str, str]:
    """The record form as posted: its fields prefixed ``visit-``, the items' results not."""
    fields = {"credit_code": credit_code, "method": "on_site", "inspected_on": DAY.isoformat(),
              "inspectors": ",".join(people), "credential": "enforcement_certificate",
              "acknowledgement": "signature", "findings": "两区联合检查，一次查完"}
    return {**{f"visit-{k}": v for k, v in fields.items()}, **extra}


def _rows(platform: Platform, model: type, task_id: int) -> list[Any]:
    return _in(platform, HOST, lambda s, t: list(  # type: ignore[no-any-return]
        s.scalars(select(model).where(model.task_id == task_id))))  # type: ignore[attr-defined]


def test_the_other_tenant_writes_the_visit_and_its_own_items_result(
    app: Flask, platform: Platform, users: dict[str, int],
) -> None:
    task_id, code, (first, group), guest, url = _drawn_as_guest(app, platform)
    page = guest.get(url).get_data(as_text=True)
    assert 'id="joint-guest-record"' in page and f'name="item_result-{OWN}"' in page
    assert 'id="visit-credit_code"' in page and 'id="credit_code"' in page  # two forms
    assert 'name="item_result-SX-001"' not in page  # the host's item is not offered
    assert group[0] in page  # the drawn group is shown beside its target

    saved = guest.post(url + "/record", data=_visit(first, group, **{
        f"item_result-{OWN}": "problem_rectified", f"item_handling-{OWN}": "责令限期整改"}))
    assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    records = _rows(platform, InspectionRecord, task_id)
    assert [(r.credit_code, r.inspected_on) for r in records] == [(first, DAY)]
    results = _rows(platform, ItemResult, task_id)
    assert [(r.credit_code, r.item_code, r.participant_code, r.result) for r in results] == [
        (first, OWN, GUEST, "problem_rectified")]
    # recorded in both chains: the host's record event, the other tenant's own
    events = _in(platform, GUEST, lambda s, t: [e.payload for e in s.scalars(select(
        AuditEvent).where(AuditEvent.tenant_id == t.id, AuditEvent.action == "joint.record"))])
    assert events == [{"target": first, "inspected_on": DAY.isoformat(),
                       "results": {OWN: "problem_rectified"}}]
    assert _in(platform, HOST, lambda s, t: s.scalar(select(AuditEvent.id).where(
        AuditEvent.tenant_id == t.id, AuditEvent.action == "record.create"))) is not None

    # the host sees the whole: the record and the other tenant's result beside its own item
    host = _client(app, "yz_admin")
    shown = host.get(f"/t/{HOST}/tasks/{task_id}/records").get_data(as_text=True)
    row = shown.split(f'id="target-{first}"')[1].split("</tr>")[0]
    assert f'data-item="{OWN}"' in row, row
    assert "发现问题已责令改正" in row.split(f'data-item="{OWN}"')[1], row  # its result's name
    _in(platform, HOST, lambda s, t: joint_results.record_item_result(
        s, platform, t, code, first, "SX-001", "no_problem", decided_on=DAY))
    overall = _rows(platform, InspectionResult, task_id)
    assert [(r.credit_code, r.problem_found) for r in overall] == [(first, True)]

    # one record per visit: the tenant that wrote it may write it again to correct it
    # (tests/web/test_joint_guest_corrections.py), never a second record
    again = guest.post(url + "/record", data=_visit(first, group))
    assert again.status_code == 302
    assert len(_rows(platform, InspectionRecord, task_id)) == 1


def test_another_participants_item_bad_input_and_access_are_refused(
    app: Flask, platform: Platform, users: dict[str, int],
) -> None:
    task_id, code, (first, group), guest, url = _drawn_as_guest(app, platform)
    # the host's item: refused by name, and nothing written — not even the record
    other = guest.post(url + "/record", data=_visit(first, group, **{
        "item_result-SX-001": "no_problem", f"item_result-{OWN}": "no_problem"}))
    text = other.get_data(as_text=True)
    assert other.status_code == 422 and "SX-001" in text and UNIT in text, text[:3000]
    assert "Traceback" not in text
    # one inspector on site: CQ 第十三条 needs two; the message cites it, nothing written
    alone = guest.post(url + "/record", data=_visit(first, group[:1]))
    assert alone.status_code == 422 and "第十三条" in alone.get_data(as_text=True)
    assert _rows(platform, InspectionRecord, task_id) == []
    assert _rows(platform, ItemResult, task_id) == []
    # a viewer reads but may not write; a tenant taking no part gets the host's 404
    viewer = _client(app, "jb_viewer")
    assert viewer.post(url + "/record", data=_visit(first, group)).status_code == 403
    third = _client(app, "cq_operator")
    assert third.post(f"/t/chongqing/joint/{HOST}/{code}/record",
                      data=_visit(first, group)).status_code == 404
    assert third.get(f"/t/chongqing/joint/{HOST}/{code}").status_code == 404
    assert _rows(platform, InspectionRecord, task_id) == []
