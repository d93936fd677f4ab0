"""The demo's joint task of two tenants (联合抽查 across tenants, docs/organisations.md):
Yuzhong and Jiangbei, two districts of Chongqing, inspect one pool in one visit, each for
its own item. Yuzhong plans it, Jiangbei accepts from its own session, Yuzhong draws and
records each visit with its item's result, Jiangbei enters its own item's results, and each
publishes its own — every step through the services a user's acts go through, each tenant
in its own session, with fixed dates and seed (the build stays deterministic)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from shuangsuiji.models.tenants import Tenant
from shuangsuiji.platform import Platform
from shuangsuiji.services import (
    audit,
    draws,
    joint,
    joint_guest,
    joint_results,
    joint_tenants,
    plans,
    records,
)
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.services.lifecycle import drawn_targets
from shuangsuiji.services.records import InspectorPresent

HOST, GUEST = "yuzhong", "jiangbei"
UNIT = "综合执法科"  # the host's participant: its enforcement unit, bringing SX-001
CODE = "YUZHONG-2026-05"
VISITED_ON = date(2026, 9, 15)
ENDED_ON = date(2026, 9, 30)


@contextmanager
def _as(session_factory: Callable[[], Session], slug: str) -> Iterator[tuple[Session, Tenant]]:
    with session_factory() as s:
        audit.set_actor(s, "demo")
        tenant = tenant_service.get(s, slug)
        s.info["tenant_id"] = tenant.id
        yield s, tenant
        s.commit()


def load_joint(session_factory: Callable[[], Session], platform: Platform,
               echo: Callable[[str], None]) -> None:
    """Plan, accept, draw, record and publish the two districts' joint task."""
    with _as(session_factory, HOST) as (s, host):
        plans.create_task(
            s, platform, host, plan_year=2026, code=CODE, title="两区联合检查：许可与无线电台",
            department=UNIT, item_codes=["SX-001"], starts_on=date(2026, 9, 1),
            ends_on=ENDED_ON, methods=["on_site"], ratio_permille=10, group_count=2,
            inspector_scope="across_departments")
        joint.plan(s, host, CODE, [joint.ParticipantPlan(UNIT, ("SX-001",)),
                                   joint.ParticipantPlan("@" + GUEST, ("SX-002",), 1)],
                   platform)
    with _as(session_factory, GUEST) as (s, guest):
        joint_tenants.answer(s, guest, CODE, accept=True, actor="jiangbei-admin",
                             note="同意参加，派出执法人员1名/组")
    with _as(session_factory, HOST) as (s, host):
        draws.draw(s, platform, host, CODE, seed="摇号 2026-09-01 05 12 27 33 40 46",
                   witnesses=("陈静", "周强"))
        targets = drawn_targets(s, joint.get_task(s, CODE))
        for d in targets:
            # one visit: the group's inspectors of both districts, one on-site record
            records.record_on_site(
                s, platform, host, CODE, d.credit_code, method="on_site",
                inspected_on=VISITED_ON,
                inspectors=[InspectorPresent(p, "enforcement_certificate")
                            for p in d.inspectors],
                acknowledgement="signature", inspectors_signed=True,
                findings="两区联合检查，进一次门、查多项事")
            joint_results.record_item_result(s, platform, host, CODE, d.credit_code, "SX-001",
                                             "no_problem", decided_on=VISITED_ON)
        codes = [d.credit_code for d in targets]
    with _as(session_factory, GUEST) as (s, guest):
        for n, code in enumerate(codes):
            problem = n % 4 == 1
            joint_guest.record_result(
                s, platform, guest, CODE, code, "SX-002",
                "problem_rectified" if problem else "no_problem",
                handling="责令限期整改无线电台执照" if problem else "", decided_on=VISITED_ON)
    with _as(session_factory, HOST) as (s, host):
        plans.end_work(s, host, CODE, ENDED_ON)
        if platform.policy_for(host).rules(ENDED_ON).report_rule.required:
            records.write_report(s, platform, host, CODE, {
                "period": "2026年9月1日至9月30日", "target_count": len(codes),
                "content": "渝中区、江北区联合抽查：电信业务经营许可、无线电台（站）设置使用",
                "findings": "个别企业无线电台执照信息未及时变更", "handling": "责令限期整改",
                "suggestions": "两区共享检查结果，减少重复检查"})
        joint_results.publish_participant(s, platform, host, CODE, UNIT,
                                          at=datetime(2026, 10, 12, 2, 0, tzinfo=UTC))
    with _as(session_factory, GUEST) as (s, guest):
        joint_guest.publish(s, platform, guest, CODE,
                            at=datetime(2026, 10, 13, 2, 0, tzinfo=UTC))
    echo(f"  joint task {CODE}: {HOST} with {GUEST}, {len(codes)} targets, published by both")
