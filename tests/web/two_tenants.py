"""A joint task of two tenants, drawn, visited and recorded through the services: Yuzhong
(the host, its 综合执法处 bringing SX-001) and Jiangbei (a sibling district, bringing its own
SX-001), for the statistics and API tests. Jiangbei finds a problem at every third target."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from shuangsuiji.platform import Platform
from shuangsuiji.services import draws, joint, joint_guest, joint_results, joint_tenants
from shuangsuiji.services import plans as plan_service
from shuangsuiji.services import records as record_service
from shuangsuiji.services.lifecycle import drawn_targets
from shuangsuiji.services.records import InspectorPresent
from tests.web.test_joint_tenants_pages import GUEST, HOST, UNIT
from tests.web.test_joint_tenants_pages import _in as in_tenant
from tests.web.test_joint_tenants_pages import _setup as setup_two_tenants

DAY = date(2026, 4, 20)


@dataclass(frozen=True)
class JointWorld:
    task_id: int
    code: str
    targets: list[str]  # the drawn targets' credit codes, all visited
    guest_problems: set[str]  # where Jiangbei's item found a problem


def draw_and_visit(platform: Platform, s: Any, t: Any, code: str) -> list[str]:
    """The host draws the joint task and writes one on-site record per drawn target (its
    whole group present); returns their credit codes in the draw's order."""
    draws.draw(s, platform, t, code, seed="dice 2-2-5-1")
    task = joint.get_task(s, code)
    for d in drawn_targets(s, task):
        record_service.record_on_site(
            s, platform, t, task.id, d.credit_code, method="on_site", inspected_on=DAY,
            inspectors=[InspectorPresent(p, "enforcement_certificate") for p in d.inspectors],
            findings="两区联合检查", acknowledgement="signature")
    return [d.credit_code for d in drawn_targets(s, task)]


def recorded_joint_task(platform: Platform, *, publish_guest: bool = True,
                        leave_last: bool = False) -> JointWorld:
    """Planned, accepted, drawn, one visit per target, every item's result entered (the
    host's unit: no problem; Jiangbei: a problem at every third target, none yet at the
    last target when ``leave_last``); Jiangbei publishes its own items when
    ``publish_guest``."""
    task_id, code = setup_two_tenants(platform)
    in_tenant(platform, HOST, lambda s, t: joint.plan(s, t, code, [
        joint.ParticipantPlan(UNIT, ("SX-001",)),
        joint.ParticipantPlan("@" + GUEST, ("SX-001",), 1)], platform))
    in_tenant(platform, GUEST, lambda s, t: joint_tenants.answer(
        s, t, code, accept=True, actor="江北区管理员"))

    def visit(s: Any, t: Any) -> list[str]:
        visited = draw_and_visit(platform, s, t, code)
        for c in visited:
            joint_results.record_item_result(s, platform, t, code, c, "SX-001", "no_problem",
                                             decided_on=DAY)
        return sorted(visited)

    targets = in_tenant(platform, HOST, visit)
    problems = set(targets[::3])
    for c in targets[:-1] if leave_last else targets:
        result = "problem_rectified" if c in problems else "no_problem"
        in_tenant(platform, GUEST, lambda s, t, c=c, result=result: joint_guest.record_result(
            s, platform, t, code, c, "SX-001", result, decided_on=DAY))
    if publish_guest:
        in_tenant(platform, HOST, lambda s, t: plan_service.end_work(s, t, code,
                                                                     date(2026, 4, 24)))
        in_tenant(platform, HOST, lambda s, t: record_service.write_report(s, platform, t, code, {
            "period": "2026年4月", "target_count": len(targets), "content": "两区联合抽查",
            "findings": "f", "handling": "h", "suggestions": "s"}))
        in_tenant(platform, GUEST, lambda s, t: joint_guest.publish(s, platform, t, code))
    return JointWorld(task_id, code, targets, problems)
