"""The announcement's conflicts picker in the browser (issue #16 item 3): the target box
suggests targets from the server's search as the person types (the directory never comes
to the page), shows the chosen target's name, adds rows without leaving the page, and the
announcement records the pair chosen; with JavaScript off the same form still works."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from shuangsuiji.db import set_tenant
from shuangsuiji.models.directories import Inspector, Target
from shuangsuiji.models.draws import DrawAnnouncement
from shuangsuiji.services import audit, imports, plans
from shuangsuiji.services import directories as directory_service
from shuangsuiji.services import tenants as tenant_service
from tests.e2e.conftest import DEPARTMENT, PASSWORD, Site, shot


@pytest.fixture(scope="module")
def world(site: Site) -> dict[str, Any]:
    from shuangsuiji.demo import generate as gen

    platform = site.app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "chongqing")
        set_tenant(s, tenant.id)
        audit.set_actor(s, "setup")
        imports.import_file(s, tenant, "targets",
                            gen.to_csv(gen.TARGET_HEADINGS, gen.target_rows(80, seed=9)),
                            "targets.csv", actor="setup", today=date(2026, 3, 1))
        tasks = [plans.create_task(
            s, platform, tenant, plan_year=2026, code=f"CQ-2026-PICK-{n}",
            title="电信业务经营许可情况检查", department=DEPARTMENT, item_codes=["SX-001"],
            starts_on=date(2026, 4, 1), ends_on=date(2026, 5, 29), methods=["on_site"],
            ratio_permille=100, group_count=2, inspector_scope="across_departments").id
            for n in (1, 2)]
        targets = [(t.credit_code, t.name) for t in
                   s.scalars(select(Target).order_by(Target.credit_code))]
        p = s.scalars(select(Inspector).order_by(Inspector.id)).first()
        assert p is not None
        person = directory_service.draw_id(p.certificate_no, p.work_id)
        s.commit()
    return {"tasks": tasks, "targets": targets, "person": person, "tenant_id": tenant.id}


def _page(site: Site, browser: Any, *, javascript: bool) -> Any:
    context = browser.new_context(locale="zh-CN", java_script_enabled=javascript)
    found = context.new_page()
    found.set_default_timeout(20_000)
    found.goto(site.url("/login"))
    found.fill("#username", "cq_operator")
    found.fill("#password", PASSWORD)
    found.click("button[type=submit].primary")
    found.wait_for_url("**/t/chongqing/")
    return found


@pytest.fixture
def page(site: Site, browser: Any) -> Iterator[Any]:
    found = _page(site, browser, javascript=True)
    yield found
    found.context.close()


def _conflicts(site: Site, w: dict[str, Any], task_id: int) -> list[list[str]]:
    platform = site.app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        set_tenant(s, w["tenant_id"])
        found = s.scalar(select(DrawAnnouncement).where(DrawAnnouncement.task_id == task_id))
        assert found is not None
        return [list(c) for c in found.announcement["conflicts"]]


def test_the_target_is_found_by_part_of_its_name_and_announced(
    site: Site, world: dict[str, Any], page: Any,
) -> None:
    task = world["tasks"][0]
    code, name = world["targets"][7]
    page.goto(site.url(f"/t/chongqing/tasks/{task}/draw"))
    page.select_option("#conflict-person-1", world["person"])
    searched: list[str] = []
    page.on("request", lambda r: searched.append(r.url) if "search.json" in r.url else None)
    page.fill("#conflict-target-1", name[:6])
    page.wait_for_function(
        "code => [...document.querySelectorAll('#conflict-targets option')]"
        ".some(o => o.value === code)", arg=code)
    assert searched and all("q=" in u for u in searched)  # asked the server, by what was typed
    assert page.locator(f"#conflict-targets option[value='{code}']").get_attribute(
        "label") == name
    page.fill("#conflict-target-1", code)  # as choosing the suggestion does
    page.wait_for_selector(".conflict-picked")
    assert page.inner_text(".conflict-picked").startswith(name)
    # a row more, in the page: nothing sent
    rows = page.locator("[data-conflict-row]").count()
    page.click("#conflict-more")
    assert page.locator("[data-conflict-row]").count() == rows + 1
    assert page.locator(f"#conflict-person-{rows + 1}").input_value() == ""
    shot(page, "conflicts-picker")
    page.select_option("#announce select[name=procedure]", "generated")
    page.click("#announce button.primary")
    page.wait_for_selector("#announcement")
    assert _conflicts(site, world, task) == [[world["person"], code]]


def test_without_javascript_the_exact_name_is_resolved_and_rows_are_added(
    site: Site, browser: Any, world: dict[str, Any],
) -> None:
    task = world["tasks"][1]
    code, name = world["targets"][11]
    page = _page(site, browser, javascript=False)
    try:
        page.goto(site.url(f"/t/chongqing/tasks/{task}/draw"))
        page.select_option("#conflict-person-1", world["person"])
        page.fill("#conflict-target-1", name)
        rows = page.locator("[data-conflict-row]").count()
        page.click("#conflict-more")  # sends the form back with a row more
        page.wait_for_load_state()
        assert page.locator("[data-conflict-row]").count() == rows + 1
        assert page.input_value("#conflict-target-1") == name  # kept
        page.select_option("#announce select[name=procedure]", "generated")
        page.click("#announce button.primary")
        page.wait_for_selector("#announcement")
        assert _conflicts(site, world, task) == [[world["person"], code]]
    finally:
        page.context.close()
