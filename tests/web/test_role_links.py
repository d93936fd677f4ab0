"""The right choices for the right person (issue #16 item 4): a crawl per role follows every
link on every page it reaches and fails on a link the role may not follow (403, 404) and on a
raw code shown; an inspector's record form offers only their own group's targets."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shuangsuiji.db import audit_guard, set_tenant
from shuangsuiji.models.draws import Draw
from shuangsuiji.platform import Platform
from shuangsuiji.services import accounts, audit, plans, units
from shuangsuiji.services import draws as draw_service
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.web.links import may
from tests.directories.samples import csv_bytes
from tests.web.conftest import DEPARTMENTS, TenantWorld
from tests.web.test_labels import _Links, raw_codes

#: Where a crawl goes: the tenant's working pages, its portal, the central pages, one's own.
INSIDE = ("/t/chongqing/", "/p/chongqing/", "/central", "/account", "/p/")
#: Pages of a long list differ only by their page number: a few of them are enough.
PAGED = re.compile(r"[?&]page=(\d+)")
LIMIT = 120


def crawl(client: FlaskClient, starts: list[str]) -> tuple[dict[str, int], dict[str, set[str]],
                                                            dict[str, str]]:
    """GET every page reachable from ``starts`` by links inside :data:`INSIDE`: each page's
    status, its raw codes, and for each page the page that linked it first."""
    status: dict[str, int] = {}
    codes: dict[str, set[str]] = {}
    came_from: dict[str, str] = {s: "(start)" for s in starts}
    queue = list(starts)
    while queue and len(status) < LIMIT:
        path = queue.pop(0).split("#")[0]
        if path in status or not path.startswith(INSIDE):
            continue
        found = PAGED.search(path)
        if found and int(found.group(1)) > 2:
            continue
        response = client.get(path, headers={"Accept-Language": "zh-CN"})
        status[path] = response.status_code
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        codes[path] = raw_codes(html)
        links = _Links()
        links.feed(html)
        for href in links.hrefs:
            href = href.split("#")[0]
            if href.startswith("/") and href not in status and href not in came_from:
                came_from[href] = path
                queue.append(href)
    return status, codes, came_from


@pytest.fixture
def two_tasks(platform: Platform, world: dict[str, TenantWorld]) -> TenantWorld:
    """Chongqing with a second drawn task whose group leaves out the inspector account."""
    cq = world["chongqing"]
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "chongqing")
        set_tenant(s, tenant.id)
        audit.set_actor(s, "cq_operator")
        task = plans.create_task(
            s, platform, tenant, plan_year=2026, code="CHONGQING-2026-002", title="第二项检查",
            department=DEPARTMENTS[0], item_codes=["SX-001"], starts_on=date(2026, 4, 1),
            ends_on=date(2026, 5, 29), methods=["on_site"], ratio_permille=100,
            group_count=1, inspector_scope="across_departments")
        other = draw_service.draw(s, platform, tenant, task.id, seed="other-task-2718",
                                  witnesses=("公证员",))
        # an undrawn task (its draw page: the announcement with the conflicts picker) and a
        # tree whose units have names (shown beside their codes)
        plans.create_task(
            s, platform, tenant, plan_year=2026, code="CHONGQING-2026-003", title="第三项检查",
            department=DEPARTMENTS[0], item_codes=["SX-001"], starts_on=date(2026, 4, 1),
            ends_on=date(2026, 5, 29), methods=["on_site"], ratio_permille=100,
            group_count=1, inspector_scope="across_departments")
        units.import_units(s, csv_bytes(["单位编码", "单位名称", "上级单位编码", "单位类型"], [
            ["CQJXW", "重庆市经济和信息化委员会", "", "司局"],
            [DEPARTMENTS[0], f"市经信委{DEPARTMENTS[0]}", "CQJXW", "综合执法处"],
            [DEPARTMENTS[1], f"市经信委{DEPARTMENTS[1]}", "CQJXW", "业务处室"]]),
            "组织机构.csv", actor="cq_admin")
        first = s.get(Draw, cq.require_draw())
        assert first is not None
        busy = {m for g in draw_service.current_result(other).final_groups for m in g.members}
        free = [m for g in draw_service.current_result(first).final_groups for m in g.members
                if m not in busy]
        s.commit()
    assert free, "the second task's group took every inspector of the first"
    with platform.db.session() as s, audit_guard.unaudited(
            s, "test fixture: the inspector account in the first task only"):
        user = accounts.get_user(s, "cq_inspector")
        for grant in user.grants:
            grant.inspector_code = free[0]
        s.commit()
    cq.inspector_code = free[0]
    return cq


ROLES = ("cq_admin", "cq_operator", "cq_viewer", "cq_inspector", "central")


@pytest.mark.parametrize("username", ROLES)
def test_every_link_a_role_is_shown_it_may_follow(
        client_for: Callable[[str | None], FlaskClient], two_tasks: TenantWorld,
        username: str) -> None:
    cq = two_tasks
    client = client_for(username)
    starts = ["/t/chongqing/", f"/t/chongqing/tasks/{cq.task_id}",
              f"/t/chongqing/draws/{cq.require_draw()}", "/p/chongqing/", "/t/chongqing/tasks"]
    if username == "central":
        starts.append("/central/packs/diff")
    status, codes, came_from = crawl(client, starts)
    assert sum(1 for s in status.values() if s == 200) >= 8, status
    if username in ("cq_admin", "cq_operator"):  # reached: the announcement's picker
        assert any(p.endswith("/draw") and code == 200 for p, code in status.items()
                   if p.startswith("/t/chongqing/tasks/")), sorted(status)
    dead = {path: (code, came_from.get(path)) for path, code in status.items()
            if code in (403, 404)}
    assert dead == {}
    broken = {path: code for path, code in status.items() if code >= 500}
    assert broken == {}
    shown = {username}
    raw = {path: sorted(found - shown) for path, found in codes.items() if found - shown}
    assert raw == {}


SECTIONS = {"/t/chongqing/directories", "/t/chongqing/items", "/t/chongqing/plans",
            "/t/chongqing/tasks", "/t/chongqing/deadlines", "/t/chongqing/statistics",
            "/t/chongqing/audit", "/t/chongqing/calendars", "/t/chongqing/users"}


@pytest.mark.parametrize("username", ("cq_admin", "cq_operator", "cq_viewer", "cq_inspector"))
def test_the_sections_shown_are_exactly_those_the_role_may_open(
        client_for: Callable[[str | None], FlaskClient], world: dict[str, TenantWorld],
        username: str) -> None:
    client = client_for(username)
    html = client.get("/t/chongqing/").get_data(as_text=True)
    nav = html.split('<nav class="sections"')[1].split("</nav>")[0]
    shown = set(re.findall(r'href="([^"]+)"', nav)) & SECTIONS
    opens = {path for path in SECTIONS if client.get(path).status_code == 200}
    assert shown == opens
    assert shown  # every role has a section besides its dashboard


def test_may_links_public_pages_and_never_an_unknown_or_closed_one(app: Flask) -> None:
    with app.test_request_context("/"):
        assert may("portal.index") is True
        assert may("no.such.endpoint") is False
        assert may("staff.users") is False  # nobody signed in
        assert may("auth.account") is False  # signed in only
