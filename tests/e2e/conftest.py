"""A real server and a real browser: the app served by werkzeug in a thread on a free port
of 127.0.0.1, driven by Debian's chromium through Playwright (no browser download)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from shuangsuiji.db import set_tenant
from shuangsuiji.services import accounts, audit, imports, plans
from shuangsuiji.services import items as item_service
from shuangsuiji.services import tenants as tenant_service
from tests.conftest import make_app
from tests.needs import missing

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PASSWORD = "correct horse battery"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
DEPARTMENT = "综合执法处"

def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder drives a real browser (``-m "not browser"`` skips them);
    a module-level ``pytestmark`` in a conftest would not apply to the tests."""
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


@dataclass
class Site:
    app: Flask
    base: str

    def url(self, path: str) -> str:
        return self.base + path


def _prepare(app: Flask) -> None:
    """What exists before the browser starts: the tenant tree, accounts, and chongqing's item
    list, inspectors, experts and annual plan. The browser uploads the targets itself."""
    from shuangsuiji.demo import generate as gen

    platform = app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        tenant_service.create(s, platform, slug="miit", name="工业和信息化部", pack="miit",
                              level="central", name_en="Ministry of Industry and IT")
        tenant_service.create(s, platform, slug="chongqing", name="重庆市经济和信息化委员会",
                              pack="chongqing", parent="miit", level="province",
                              name_en="Chongqing Economy and IT Commission")
        accounts.create_user(s, username="central", password=PASSWORD, role="central_admin",
                             display_name="部级管理员")
        accounts.create_user(s, username="cq_operator", password=PASSWORD, role="operator",
                             tenant="chongqing", display_name="王操作员",
                             department=DEPARTMENT)
        s.commit()
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "chongqing")
        set_tenant(s, tenant.id)
        audit.set_actor(s, "setup")
        cats = tuple(c.code for c in platform.policy_for(tenant).rules(date(2026, 3, 1))
                     .item_categories)
        for kind, data in {
            "items": gen.to_csv(gen.ITEM_HEADINGS, gen.item_rows(cats, DEPARTMENT)),
            "inspectors": gen.to_csv(gen.INSPECTOR_HEADINGS, gen.inspector_rows(
                8, (DEPARTMENT, "电子信息处"), seed=5, expired_share=0.0)),
            "experts": gen.to_csv(gen.EXPERT_HEADINGS, gen.expert_rows(3)),
        }.items():
            imports.import_file(s, tenant, kind, data, f"{kind}.csv", actor="setup",
                                today=date(2026, 3, 1))
        item_service.approve_and_publish(s, approver="委领导", approved_on=date(2026, 3, 1),
                                         document="渝经信发〔2026〕1号", actor="test")
        plans.create_plan(s, platform, tenant, 2026, title="2026年度抽查工作计划",
                          made_on=date(2026, 2, 10))
        s.commit()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if not os.path.exists(CHROMIUM):
        missing("chromium", f"no browser at {CHROMIUM}",
                "apt-get install chromium fonts-noto-cjk (scripts/test does it as root)")
    root = tmp_path_factory.mktemp("e2e")
    app = make_app(f"sqlite:///{root / 'e2e.sqlite'}", str(root / "instance"))
    _prepare(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["shuangsuiji"].db.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        found = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield found
        found.close()


def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


#: Runs the portal's browser verifier (``/static/verify/ui.js``) on bundle texts, one by
#: one, and returns for each its outcome, the refused path and the status line shown.
VERIFY_JS = """async (texts) => {
  const ui = await import('/static/verify/ui.js');
  const out = [];
  for (const text of texts) {
    const r = await ui.checkText(text);
    const message = document.getElementById('bv-status').textContent;
    out.push({ok: r.ok, path: r.path || null, message});
  }
  return out;
}"""


def open_verifier(site: Site, browser: Any, **context: Any) -> Iterator[Any]:
    """The portal's check-a-draw page in a new Chinese browser context, once its verifier is
    ready (for a module-scoped fixture: ``yield from``); a script error on it fails the
    module at teardown."""
    made = browser.new_context(locale="zh-CN", **context)
    found = made.new_page()
    found.set_default_timeout(20_000)
    errors: list[str] = []
    found.on("pageerror", lambda e: errors.append(str(e)))
    found.goto(site.url("/p/chongqing/verify"))
    found.wait_for_selector("#browser-verifier:not([hidden])")
    yield found
    assert errors == []
    made.close()
