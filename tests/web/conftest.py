"""Fixtures for the web layer: the demo tenant tree, one account per role in two tenants
(made through the accounts service, as `ssj users create` does), and signed-in clients."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from shuangsuiji.db import audit_guard, set_tenant
from shuangsuiji.models.directories import Item
from shuangsuiji.platform import Platform
from shuangsuiji.services import accounts, audit, imports, plans
from shuangsuiji.services import draws as draw_service
from shuangsuiji.services import items as item_service
from shuangsuiji.services import tenants as tenant_service

PASSWORD = "correct horse battery"

#: username → (role, tenant slug or None, department, inspector code)
ACCOUNTS: dict[str, tuple[str, str | None, str, str | None]] = {
    "central": ("central_admin", None, "", None),
    "miit_admin": ("tenant_admin", "miit", "", None),
    "miit_operator": ("operator", "miit", "", None),
    "miit_viewer": ("viewer", "miit", "", None),
    "miit_inspector": ("inspector", "miit", "", "MIIT-I-001"),
    "cq_admin": ("tenant_admin", "chongqing", "", None),
    "cq_operator": ("operator", "chongqing", "", None),
    "cq_viewer": ("viewer", "chongqing", "", None),
    "cq_inspector": ("inspector", "chongqing", "", "CQ-I-001"),
}


@pytest.fixture
def users(platform: Platform, tenant_tree: dict[str, int]) -> dict[str, int]:
    """Every account of :data:`ACCOUNTS`; returns username → id."""
    with platform.db.session() as s:
        ids = {}
        for name, (role, tenant, dept, code) in ACCOUNTS.items():
            user = accounts.create_user(s, username=name, password=PASSWORD, role=role,
                                        tenant=tenant, department=dept, inspector_code=code)
            ids[name] = user.id
        s.commit()
    return ids


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    return client.post("/login", data={"username": username, "password": password})


@pytest.fixture
def client_for(app: Flask, users: dict[str, int]) -> Callable[[str | None], FlaskClient]:
    """A test client signed in as ``username`` (None: the public)."""

    def make(username: str | None) -> FlaskClient:
        client = app.test_client()
        if username is not None:
            response = login(client, username)
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return make


# --- a world: both tenants with directories, a plan, a task and a committed draw -----

DEPARTMENTS = ("综合执法处", "电子信息处")


@dataclass
class TenantWorld:
    """Ids of one tenant's objects, for building URLs."""

    slug: str
    tenant_id: int
    task_id: int
    draw_id: int | None
    item_id: int
    item_code: str
    inspector_code: str | None
    year: int = 2026

    def require_draw(self) -> int:
        """The committed draw's id (build_world lets a failing draw service fail the test)."""
        assert self.draw_id is not None, "build_world commits a draw or raises"
        return self.draw_id


def build_world(platform: Platform, slug: str, seed: int) -> TenantWorld:
    """Import directories through the real import path, make a plan and a task through the
    services, and draw it with a typed seed — as a user of that tenant would."""
    from shuangsuiji.demo import generate as gen

    with platform.db.session() as s:
        tenant = tenant_service.get(s, slug)
        set_tenant(s, tenant.id)
        audit.set_actor(s, f"{slug}_admin")
        cats = tuple(c.code for c in platform.policy_for(tenant).rules(date(2026, 3, 1))
                     .item_categories)
        files = {
            "items": gen.to_csv(gen.ITEM_HEADINGS, gen.item_rows(cats, DEPARTMENTS[0])),
            "targets": gen.to_csv(gen.TARGET_HEADINGS, gen.target_rows(60, seed=seed)),
            "inspectors": gen.to_csv(gen.INSPECTOR_HEADINGS,
                                     gen.inspector_rows(8, DEPARTMENTS, seed=seed + 1)),
            "experts": gen.to_csv(gen.EXPERT_HEADINGS, gen.expert_rows(3, seed=seed + 2)),
        }
        for kind, data in files.items():
            imports.import_file(s, tenant, kind, data, f"{kind}.csv", actor="test",
                                today=date(2026, 3, 1))
        item_service.approve_and_publish(s, approver="委领导", approved_on=date(2026, 3, 1),
                                         document="渝经信发〔2026〕1号", actor="test")
        plans.create_plan(s, platform, tenant, 2026, title="2026年度抽查工作计划",
                          made_on=date(2026, 2, 10))
        task = plans.create_task(
            s, platform, tenant, plan_year=2026, code=f"{slug.upper()}-2026-001",
            title="电信业务经营许可情况检查", department=DEPARTMENTS[0], item_codes=["SX-001"],
            starts_on=date(2026, 4, 1), ends_on=date(2026, 5, 29), methods=["on_site"],
            ratio_permille=100, group_count=2, inspector_scope="across_departments")
        item = s.scalar(select(Item).where(Item.code == "SX-001"))
        assert item is not None
        world = TenantWorld(slug, tenant.id, task.id, None, item.id, item.code, None)
        s.commit()
    with platform.db.session() as s:
        set_tenant(s, tenant.id)
        audit.set_actor(s, f"{slug}_operator")
        # No try: a draw service that fails must fail every test that builds a world.
        record = draw_service.draw(s, platform, tenant, task.id,
                                   seed=f"{slug}-dice-31415", witnesses=("公证员",))
        world.draw_id = record.id
        world.inspector_code = draw_service.current_result(record).final_groups[0].members[0]
        s.commit()
    return world


@pytest.fixture
def world(platform: Platform, tenant_tree: dict[str, int],
          users: dict[str, int]) -> dict[str, TenantWorld]:
    """miit and chongqing, each with its own data; the inspector accounts are linked to a
    drawn inspector of their tenant."""
    built = {"miit": build_world(platform, "miit", 11),
             "chongqing": build_world(platform, "chongqing", 21)}
    with platform.db.session() as s, audit_guard.unaudited(
            s, "test fixture: links the inspector accounts to a drawn inspector by hand"):
        for slug, name in (("miit", "miit_inspector"), ("chongqing", "cq_inspector")):
            user = accounts.get_user(s, name)
            for g in user.grants:
                g.inspector_code = built[slug].inspector_code or g.inspector_code
        s.commit()
    return built
