"""Screenshots of each role's main pages and of the portal at 1366 px and 390 px (issue #16
item 9), kept under test-output/screenshots/<width>/ (docs/testing.md), and the widths: no
page, the portal's or a role's staff page, wider than the viewport at either width, no
credit code broken across lines.

One browser, one context per viewport; a role signs in by the login form and out by
clearing the context's cookies. The server is the e2e tests' (tests/e2e/conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from shuangsuiji.db import set_tenant
from shuangsuiji.models.directories import Item
from shuangsuiji.services import accounts, audit, imports, plans
from shuangsuiji.services import draws as draw_service
from shuangsuiji.services import names as target_names
from shuangsuiji.services import tenants as tenant_service
from tests.e2e.conftest import DEPARTMENT, PASSWORD, SCREENSHOTS, Site
from tests.web.conftest import TenantWorld
from tests.web.test_portal_results import publish_by_hand

WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
TASK = "CQ-2026-SHOT"


@pytest.fixture(scope="module")
def world(site: Site) -> dict[str, Any]:
    """The e2e site's Chongqing with targets, a drawn task, published results, and an
    account for each role (the inspector in the draw's first group)."""
    from sqlalchemy import select

    from shuangsuiji.demo import generate as gen

    platform = site.app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "chongqing")
        set_tenant(s, tenant.id)
        audit.set_actor(s, "setup")
        imports.import_file(s, tenant, "targets",
                            gen.to_csv(gen.TARGET_HEADINGS, gen.target_rows(60, seed=3)),
                            "targets.csv", actor="setup", today=date(2026, 3, 1))
        task = plans.create_task(
            s, platform, tenant, plan_year=2026, code=TASK, title="电信业务经营许可情况检查",
            department=DEPARTMENT, item_codes=["SX-001"], starts_on=date(2026, 4, 1),
            ends_on=date(2026, 5, 29), methods=["on_site"], ratio_permille=100, group_count=2,
            inspector_scope="across_departments")
        record = draw_service.draw(s, platform, tenant, task.id, seed="screenshots-1618",
                                   witnesses=("公证员",))
        undrawn = plans.create_task(
            s, platform, tenant, plan_year=2026, code=f"{TASK}-2", title="电信设备进网许可检查",
            department=DEPARTMENT, item_codes=["SX-001"], starts_on=date(2026, 4, 1),
            ends_on=date(2026, 5, 29), methods=["on_site"], ratio_permille=100, group_count=2,
            inspector_scope="across_departments")  # its draw page: the announcement form
        first = draw_service.current_result(record).final_groups[0]
        item = s.scalar(select(Item).where(Item.code == "SX-001"))
        assert item is not None
        found = {"task_id": task.id, "draw_id": record.id, "tenant_id": tenant.id,
                 "undrawn_id": undrawn.id,
                 "targets": list(first.targets), "inspector": first.members[0],
                 "names": target_names.drawn_target_names(s, record.id)}
        s.commit()
    with platform.db.session() as s:
        for name, role in (("cq_admin", "tenant_admin"), ("cq_viewer", "viewer"),
                           ("cq_inspector", "inspector")):
            accounts.create_user(s, username=name, password=PASSWORD, role=role,
                                 tenant="chongqing", display_name=name,
                                 inspector_code=found["inspector"] if role == "inspector"
                                 else None)
        s.commit()
    shape = TenantWorld("chongqing", found["tenant_id"], found["task_id"], found["draw_id"],
                        item.id, "SX-001", found["inspector"])
    rows = [(code, found["names"].get(code, ""),
             "no_problem" if n % 3 else "problem_rectified")
            for n, code in enumerate(found["targets"])]
    publish_by_hand(platform, shape, code="CQ-2025-PUB", title="2025年度电信业务检查",
                    on=date(2026, 6, 10), rows=rows)
    return found


def pages(found: dict[str, Any]) -> dict[str | None, list[str]]:
    """Role (username, None for the public) → the paths of its main pages."""
    task, draw = found["task_id"], found["draw_id"]
    return {
        None: ["/p/", "/p/chongqing/", "/p/chongqing/items", "/p/chongqing/tasks",
               "/p/chongqing/results", "/p/chongqing/results?result=problem_rectified",
               f"/p/chongqing/draws/{draw}", "/p/chongqing/verify", "/p/chongqing/log",
               "/p/chongqing/plans/2026", "/login"],
        "cq_admin": ["/t/chongqing/", "/t/chongqing/users", "/t/chongqing/items",
                     "/t/chongqing/calendars", "/t/chongqing/units",
                     f"/t/chongqing/tasks/{found['undrawn_id']}/draw",
                     "/t/chongqing/directories/targets", "/account"],
        "cq_operator": ["/t/chongqing/", "/t/chongqing/directories", "/t/chongqing/tasks",
                        f"/t/chongqing/tasks/{task}", f"/t/chongqing/draws/{draw}",
                        f"/t/chongqing/tasks/{task}/records", "/t/chongqing/plans",
                        "/t/chongqing/deadlines"],
        "cq_viewer": ["/t/chongqing/", "/t/chongqing/audit", "/t/chongqing/statistics",
                      f"/t/chongqing/tasks/{task}", f"/t/chongqing/draws/{draw}",
                      f"/t/chongqing/tasks/{task}/followup", "/t/chongqing/directories/inspectors"],
        "cq_inspector": ["/t/chongqing/", f"/t/chongqing/tasks/{task}",
                         f"/t/chongqing/tasks/{task}/records"],
        "central": ["/central/packs/diff", "/central/users", "/t/chongqing/",
                    "/t/chongqing/statistics/compare"],
    }


#: The innermost element reaching past the viewport's right edge (says what to fix).
WIDEST = """(() => {
  const past = e => e.getBoundingClientRect().right > innerWidth + 1;
  const clipped = e => { for (let a = e.parentElement; a && a !== document.body;
    a = a.parentElement) { if (getComputedStyle(a).overflowX !== 'visible') return true; }
    return false; };
  const out = [...document.querySelectorAll('body *')].filter(e =>
    past(e) && !clipped(e) && ![...e.children].some(c => past(c) && !clipped(c)));
  const e = out[0];
  return e ? e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') +
    (e.id ? '#' + e.id : '') : '';
})()"""


def _name(path: str) -> str:
    return path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-") or "index"


@pytest.fixture(scope="module", params=list(WIDTHS))
def context(request: pytest.FixtureRequest, browser: Any) -> Iterator[tuple[str, Any]]:
    width, height = WIDTHS[request.param]
    found = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    yield request.param, found
    found.close()


def _sign_in(page: Any, site: Site, username: str) -> None:
    page.goto(site.url("/login"))
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.inner_text("main")[:300]


#: Files the portal links to (downloads), not pages.
FILES = (".json", ".csv", ".pyz", ".md", ".txt")


def _portal_crawl(page: Any, site: Site, viewport: str, limit: int = 40) -> dict[str, int]:
    """Every portal page reachable by links from the tenant's home (up to ``limit``), as the
    public: those wider than the viewport."""
    page.context.clear_cookies()
    seen: set[str] = set()
    queue = ["/p/chongqing/"]
    wide: dict[str, int] = {}
    while queue and len(seen) < limit:
        path = queue.pop(0).split("#")[0]
        if path in seen or not path.startswith("/p/chongqing/") or path.endswith(FILES):
            continue
        seen.add(path)
        response = page.goto(site.url(path))
        if response is None or response.status != 200:
            continue
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > page.evaluate("innerWidth"):
            wide[f"crawl {viewport} {path} ({page.evaluate(WIDEST)})"] = width
        queue += page.evaluate("[...document.querySelectorAll('a[href^=\"/p/\"]')]"
                               ".map(a => a.getAttribute('href'))")
    assert len(seen) >= 8, seen
    return wide


def test_every_roles_main_pages_fit_and_are_kept(site: Site, world: dict[str, Any],
                                                 context: tuple[str, Any]) -> None:
    viewport, ctx = context
    width = WIDTHS[viewport][0]
    folder = SCREENSHOTS / viewport
    folder.mkdir(parents=True, exist_ok=True)
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    too_wide: dict[str, int] = {}
    failed: dict[str, int] = {}
    broken: dict[str, int] = {}
    for username, paths in pages(world).items():
        ctx.clear_cookies()
        if username is not None:
            _sign_in(page, site, username)
        for path in paths:
            response = page.goto(site.url(path))
            assert response is not None
            if response.status != 200:
                failed[f"{username} {path}"] = response.status
                continue
            page.screenshot(path=str(folder / f"{username or 'public'}--{_name(path)}.png"),
                            full_page=True)
            wide = page.evaluate("document.documentElement.scrollWidth")
            # every page fits the viewport, a phone's too: the portal's and the staff's
            # (tables scroll inside their own box or become cards)
            if wide > page.evaluate("innerWidth"):
                too_wide[f"{username or 'public'} {path} ({page.evaluate(WIDEST)})"] = wide
            # a credit code on more than one line was broken mid-code
            split = page.evaluate("[...document.querySelectorAll('code.uscc')]"
                                  ".filter(e => e.getClientRects().length > 1).length")
            if split:
                broken[f"{username or 'public'} {path}"] = split
    too_wide.update(_portal_crawl(page, site, viewport))
    page.close()
    assert failed == {}
    assert too_wide == {}, f"wider than {width} px"
    assert broken == {}, "credit codes broken across lines"
