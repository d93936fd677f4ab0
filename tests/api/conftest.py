"""API fixtures: one app per module with a tenant tree, directories imported through the
real import path, a plan and a task, and an account with a token per role.

Built through the services, the way a user would (tenants, imports, plans, accounts); the
API is then called with the Flask test client and ``Authorization: Bearer``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shuangsuiji.db import set_tenant
from shuangsuiji.services import accounts
from shuangsuiji.services import plans as plan_service
from shuangsuiji.services import tenants as tenant_service
from tests.conftest import (
    TEST_URL,
    _drop_server_database,
    _fresh_server_database,
    make_app,
)
from tests.draws.conftest import DEPARTMENTS, load_directories

#: Accounts made for every API test: username → (role, tenant slug or None).
ACCOUNTS: dict[str, tuple[str, str | None]] = {
    "cq_viewer": ("viewer", "chongqing"),
    "cq_operator": ("operator", "chongqing"),
    "cq_admin": ("tenant_admin", "chongqing"),
    "cq_inspector": ("inspector", "chongqing"),
    "miit_viewer": ("viewer", "miit"),
    "central": ("central_admin", None),
}
PASSWORD = "correct horse battery staple"


@dataclass
class ApiWorld:
    """The app, its client, the token of each account, and the ids tests refer to."""

    app: Flask
    client: FlaskClient
    tokens: dict[str, str]
    tenants: dict[str, int]
    task_id: int
    other_task_id: int  # a task of another tenant (miit): must be 404 from chongqing
    extra: dict[str, Any] = field(default_factory=dict)

    def headers(self, username: str | None) -> dict[str, str]:
        return {} if username is None else {"Authorization": f"Bearer {self.tokens[username]}"}

    def get(self, url: str, who: str | None = None, **kw: Any) -> Any:
        return self.client.get(url, headers=self.headers(who), **kw)

    def post(self, url: str, who: str | None = None, **kw: Any) -> Any:
        return self.client.post(url, headers=self.headers(who), **kw)


def _make_task(app: Flask, slug: str, code: str) -> int:
    platform = app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        tenant = tenant_service.get(s, slug)
        set_tenant(s, tenant.id)
        plan_service.create_plan(s, platform, tenant, 2026, title="2026年度抽查工作计划",
                                 made_on=date(2026, 2, 10))
        task = plan_service.create_task(
            s, platform, tenant, plan_year=2026, code=code, title="电信业务经营许可情况检查",
            department=DEPARTMENTS[0], item_codes=["SX-001"], starts_on=date(2026, 4, 1),
            ends_on=date(2026, 5, 29), methods=["on_site"], ratio_permille=100,
            group_count=3, inspector_scope="across_departments")
        s.commit()
        return task.id


def build_world(app: Flask) -> ApiWorld:
    """Tenants, directories, a task in chongqing and one in miit, accounts and tokens."""
    platform = app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        tenant_service.create(s, platform, slug="miit", name="工业和信息化部", pack="miit",
                              level="central")
        tenant_service.create(s, platform, slug="chongqing", name="重庆市经济和信息化委员会",
                              pack="chongqing", parent="miit", level="province")
        s.commit()
        tenants = {t.slug: t.id for t in tenant_service.all_tenants(s)}
    load_directories(platform, "chongqing", targets=300)
    load_directories(platform, "miit", targets=50, seed=7)
    task_id = _make_task(app, "chongqing", "CQ-2026-001")
    other = _make_task(app, "miit", "MIIT-2026-001")
    tokens: dict[str, str] = {}
    with platform.db.session() as s:
        for username, (role, slug) in ACCOUNTS.items():
            user = accounts.create_user(s, username=username, password=PASSWORD, role=role,
                                        tenant=slug)
            tokens[username] = accounts.issue_token(s, user, name="api tests").token
        s.commit()
    return ApiWorld(app, app.test_client(), tokens, tenants, task_id, other)


@pytest.fixture(scope="module")
def api_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiWorld]:
    """One world per test module: building it (imports, accounts) takes a second or two."""
    tmp = tmp_path_factory.mktemp("api")
    url = _fresh_server_database() if TEST_URL else f"sqlite:///{tmp / 'api.sqlite'}"
    app = make_app(url, str(tmp / "instance"))
    try:
        yield build_world(app)
    finally:
        app.extensions["shuangsuiji"].db.dispose()
        if TEST_URL:
            _drop_server_database(url)
