"""Lifecycle fixtures: directory rows, a task drawn by the real draw service, and a task
walked to any step."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shuangsuiji.db import audit_guard, set_tenant
from shuangsuiji.models.directories import Inspector, Item, Target
from shuangsuiji.models.plans import Task
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.platform import Platform
from shuangsuiji.services import audit
from shuangsuiji.services import draws as draw_service
from shuangsuiji.services import items as item_service
from shuangsuiji.services import plans as plan_service
from shuangsuiji.services import records as record_service
from shuangsuiji.services.lifecycle import drawn_targets
from shuangsuiji.services.records import InspectorPresent

# Real-looking credit codes (the check character is not validated here).
CODES = ("91500000MA5U000001", "91500000MA5U000002", "91500000MA5U000003")
NAMES = ("重庆示例电子有限公司", "重庆样本通信设备有限公司", "重庆测试软件有限公司")


@dataclass
class World:
    """A tenant with items, targets and inspectors, and handles to its session."""

    session: Session
    platform: Platform
    tenant: Tenant
    inspector_ids: list[str]


def use_tenant(session: Session, tenant_id: int) -> Tenant:
    set_tenant(session, tenant_id)
    audit.set_actor(session, "test")
    tenant = session.get(Tenant, tenant_id)
    assert tenant is not None
    return tenant


def seed_directories(session: Session, *, cap: int | None = 150) -> list[str]:
    """One public general item, one directed item, three targets, four inspectors."""
    session.add_all([
        Item(code="ITEM-RADIO", name="无线电发射设备销售备案检查", content="核查销售备案情况",
             legal_basis="《中华人民共和国无线电管理条例》第四十四条",
             methods=["on_site", "written", "testing"], category="general", cap_permille=cap,
             publication_mode="public"),
        Item(code="ITEM-SECRET", name="涉密通信设备检查", content="核查保密管理",
             legal_basis="《中华人民共和国保守国家秘密法》", methods=["on_site"],
             category="general", cap_permille=cap, publication_mode="directed",
             departments=["保密办"]),
    ])
    session.add_all([Target(credit_code=c, name=n, address="重庆市渝中区")
                     for c, n in zip(CODES, NAMES, strict=True)])
    people = [Inspector(name=f"检查员{i}", department="无线电管理处", certificate_no=f"CERT-{i}",
                        certificate_expiry=date(2030, 12, 31), work_id=f"W-{i}")
              for i in range(1, 5)]
    session.add_all(people)
    session.flush()
    # the item list as approved and published (MIIT 第五条, CQ 第四条)
    item_service.new_version(session, actor="test", note="seeded")
    item_service.approve_and_publish(session, approver="委领导", approved_on=date(2026, 3, 1),
                                     document="渝经信发〔2026〕1号", actor="test")
    return [p.certificate_no or "" for p in people]


def make_task(world: World, *, code: str = "T-1", year: int = 2026,
              starts_on: date = date(2026, 4, 1), ends_on: date = date(2026, 6, 30),
              methods: Sequence[str] = ("on_site",), items: Sequence[str] = ("ITEM-RADIO",),
              ratio: int = 100, min_count: int = 3) -> Task:
    if not plan_service.list_plans(world.session):
        plan_service.create_plan(world.session, world.platform, world.tenant, year,
                                 title=f"{year}年度抽查工作计划", made_on=date(year, 2, 1))
    return plan_service.create_task(
        world.session, world.platform, world.tenant, plan_year=year, code=code,
        title="无线电发射设备销售专项抽查", department="无线电管理处", item_codes=items,
        starts_on=starts_on, ends_on=ends_on, methods=methods, ratio_permille=ratio,
        min_count=min_count)


def drawn_task(world: World, **kwargs: Any) -> Task:
    """A task drawn by the draw service with all three targets selected (min_count 3)."""
    task = make_task(world, **kwargs)
    draw_service.draw(world.session, world.platform, world.tenant, task.code, seed="test-seed")
    assert {s.credit_code for s in drawn_targets(world.session, task)} == set(CODES)
    return task


def record_all(world: World, task: Task, *, on: date = date(2026, 5, 10)) -> None:
    """A complete, signed record and a result for every drawn target."""
    groups = {d.credit_code: d.inspectors for d in drawn_targets(world.session, task)}
    for i, code in enumerate(CODES):
        ids = groups[code]
        record_service.record_on_site(
            world.session, world.platform, world.tenant, task.id, code, method="on_site",
            inspected_on=on,
            inspectors=[InspectorPresent(ids[0], "enforcement_certificate"),
                        InspectorPresent(ids[1], "enforcement_certificate")],
            findings="未发现问题" if i else "销售备案信息不全", acknowledgement="signature")
        record_service.record_result(
            world.session, world.platform, world.tenant, task.id, code,
            "problem_rectified" if i == 0 else "no_problem",
            handling="责令限期整改" if i == 0 else "", decided_on=on)


def counts(session: Session, tenant_id: int) -> dict[str, int]:
    """Row counts of every lifecycle table and the audit chain length: 'nothing changed'."""
    from shuangsuiji.models import inspections, plans

    tables = [plans.AnnualPlan, plans.Task, plans.TaskItem, inspections.InspectionRecord,
              inspections.InspectionResult, inspections.TaskReport, inspections.Publication,
              inspections.PublishedResult, inspections.DirectedNotification,
              inspections.ExcludedPeriodRecord, inspections.Rectification,
              inspections.Transfer]
    out = {t.__tablename__: session.scalar(select(func.count()).select_from(t)) or 0
           for t in tables}
    out["audit"] = audit.count(session, tenant_id)
    return out


@pytest.fixture
def app(database_url: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """The shared app without the web layer: these tests call services, and a web module
    being edited in the same tree must not break them."""
    from shuangsuiji import app as app_module

    from ..conftest import make_app

    monkeypatch.setattr(app_module, "_register_web", lambda app: None)
    application = make_app(database_url, str(tmp_path / "instance"))
    yield application
    application.extensions["shuangsuiji"].db.dispose()


@pytest.fixture
def world_for(platform: Platform, tenant_tree: dict[str, int]
              ) -> Iterator[Callable[[str], World]]:
    """Build a :class:`World` for a tenant slug (skips when the tenant is not in the tree)."""
    opened: list[Session] = []

    def build(slug: str) -> World:
        if slug not in tenant_tree:
            pytest.skip(f"tenant {slug} is not in this tree (its pack is not shipped)")
        session = platform.db.sessionmaker()
        opened.append(session)
        tenant = use_tenant(session, tenant_tree[slug])
        with audit_guard.unaudited(session, "test fixture: directory rows added by hand"):
            ids = seed_directories(session)
            session.commit()
        return World(session, platform, tenant, ids)

    yield build
    for s in opened:
        s.close()
