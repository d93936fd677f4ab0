"""A joint task of two tenants walked in the browser (issue #15 item 4, "done when": "one of
two tenants"): Yuzhong's admin plans it with Jiangbei (a sibling district of Chongqing);
Jiangbei's operator, signed in to Jiangbei, accepts on its invitations page; Yuzhong draws
with a typed seed (every group holds an inspector of each tenant); Jiangbei writes the
first target's visit record with its own item's result on its own page, a Jiangbei
inspector of the group the second's, signed in to Jiangbei, Yuzhong the other visits and
the results of its item; Jiangbei records the results of its own item and
publishes them, Yuzhong publishes its own; both portals show the task once with both
participants, and the bundle from the portal verifies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from shuangsuiji import kernel
from shuangsuiji.db import set_tenant
from shuangsuiji.services import accounts, lifecycle, plans
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.services.draws import find_task
from tests.draws.conftest import load_directories
from tests.e2e.conftest import PASSWORD, Site, shot

HOST, GUEST, UNIT = "yuzhong", "jiangbei", "综合执法处"
CODE = "YZ-JB-1"


def _login(browser: Any, site: Site, username: str, slug: str) -> Any:
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(site.url("/login"))
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"**/t/{slug}/")
    return page


@pytest.fixture(scope="module")
def pages(site: Site, browser: Any) -> Iterator[tuple[Any, Any, int]]:
    platform = site.app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        for slug, name in ((HOST, "渝中区经济和信息化委员会"), (GUEST, "江北区经济和信息化委员会")):
            tenant_service.create(s, platform, slug=slug, name=name, pack=None,
                                  parent="chongqing", level="district")
        accounts.create_user(s, username="yz_admin", password=PASSWORD, role="tenant_admin",
                             tenant=HOST, display_name="渝中管理员")
        accounts.create_user(s, username="jb_operator", password=PASSWORD, role="operator",
                             tenant=GUEST, display_name="江北经办人")
        s.commit()
    load_directories(platform, HOST, targets=40, seed=3)
    load_directories(platform, GUEST, targets=40, seed=3)  # the same people: ids clash
    with platform.db.session() as s:
        tenant = tenant_service.get(s, HOST)
        set_tenant(s, tenant.id)
        plans.create_plan(s, platform, tenant, 2026, title="2026年度抽查工作计划",
                          made_on=date(2026, 2, 10))
        task = plans.create_task(
            s, platform, tenant, plan_year=2026, code=CODE, title="两区联合检查（端到端）",
            department=UNIT, item_codes=["SX-001"], starts_on=date(2026, 4, 1),
            ends_on=date(2026, 5, 29), methods=["on_site"], ratio_permille=100,
            group_count=1, inspector_scope="across_departments")
        s.commit()
        task_id = task.id
    host = _login(browser, site, "yz_admin", HOST)
    guest = _login(browser, site, "jb_operator", GUEST)
    yield host, guest, task_id
    host.context.close()
    guest.context.close()


def _flash(page: Any) -> str:
    flash = page.locator(".flash")
    assert flash.count(), page.inner_text("main")[:800]
    return str(flash.inner_text())


def _visit_form(page: Any, target: Any, day: str, findings: str) -> Any:
    """The participant's record form on its page of the joint task, filled for ``target``'s
    visit (not yet posted)."""
    form = page.locator("#joint-guest-record")
    form.locator("#visit-credit_code").select_option(target.credit_code)
    form.locator("#visit-method").select_option("on_site")
    form.locator("#visit-inspected_on").fill(day)
    form.locator("#visit-inspectors").fill(",".join(target.inspectors))
    form.locator("#visit-credential").select_option("enforcement_certificate")
    form.locator("#visit-acknowledgement").select_option("signature")
    form.locator("#visit-findings").fill(findings)
    return form


def test_a_joint_task_of_two_tenants_in_the_browser(
    site: Site, pages: tuple[Any, Any, int], tmp_path: Path,
) -> None:
    host, guest, task_id = pages
    task_url = site.url(f"/t/{HOST}/tasks/{task_id}")
    # Yuzhong plans: a tenant not at its level is refused by name, nothing saved
    host.goto(task_url + "/joint")
    host.fill("textarea[name=lines]", f"{UNIT}:SX-001:1\n@chongqing:SX-001:1")
    host.click("text=保存参与单位")
    problem = host.locator(".problem")
    problem.wait_for()
    assert "不在同一层级" in problem.inner_text()
    host.fill("textarea[name=lines]", f"{UNIT}:SX-001:1\n@{GUEST}:SX-001:1")
    host.click("text=保存参与单位")
    assert "参与单位已保存" in _flash(host)
    assert host.locator(f"#joint-participants tr[data-participant='{GUEST}']").count() == 1
    shot(host, "joint2-01-planned")
    # Jiangbei, in its own login, finds the invitation and accepts
    guest.goto(site.url(f"/t/{GUEST}/joint/invitations"))
    guest.click(f"#joint-invitations tr[data-task='{HOST}/{CODE}'] a")
    guest.wait_for_url(f"**/t/{GUEST}/joint/{HOST}/{CODE}")
    answer = guest.locator("#joint-guest-answer")
    answer.locator("input[name=answer][value=accept]").check()
    answer.locator("button[type=submit]").click()
    guest.wait_for_load_state()
    assert "答复已保存" in _flash(guest)
    shot(guest, "joint2-02-accepted")
    # Yuzhong draws with a typed seed
    host.goto(task_url)
    host.click("text=准备抽取")
    host.wait_for_url("**/draw")
    host.select_option("#seed_source", "ceremony")
    host.fill("#seed", "dice 3-1-4-1-5-9")
    host.fill("#witnesses", "公证员 李四")
    host.check("#draw-form input[name=confirm]")
    host.click("#draw-form button[type=submit]")
    host.wait_for_load_state()
    assert "/draws/" in host.url, host.inner_text("main")[:800]
    draw_id = int(host.url.rstrip("/").rsplit("/", 1)[1])
    platform = site.app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        set_tenant(s, tenant_service.get(s, HOST).id)
        targets = lifecycle.drawn_targets(s, find_task(s, CODE))
    assert targets
    # one visit per target: the first written by Jiangbei on its own page of the task (its
    # operator, with the result of its own item), the others on Yuzhong's records page;
    # then each tenant its own item
    first = targets[0]
    guest.goto(site.url(f"/t/{GUEST}/joint/{HOST}/{CODE}"))
    visit = _visit_form(guest, first, "2026-04-10", "两区联合检查，江北区录入这次检查的记录。")
    visit.locator(f"select[name='item_result-{GUEST}/SX-001']").select_option(
        "problem_rectified")
    shot(guest, "joint2-02b-guest-visit")
    visit.locator("button[type=submit]").click()
    guest.wait_for_load_state()
    assert "检查记录已保存" in _flash(guest)
    # the second by a Jiangbei inspector of its group, signed in to Jiangbei: from the
    # dashboard's joint assignments to the task's page, their own group's targets offered
    second = targets[1] if len(targets) > 1 else None
    if second is not None:
        drawn_as = next(p for p in second.inspectors if p.startswith(f"{GUEST}/"))
        with platform.db.session() as s:
            accounts.create_user(s, username="jb_inspector", password=PASSWORD,
                                 role="inspector", tenant=GUEST, display_name="江北检查员",
                                 inspector_code=drawn_as.split("/", 1)[1])
            s.commit()
        inspector = _login(guest.context.browser, site, "jb_inspector", GUEST)
        inspector.click(f"#joint-assignments tr[data-task='{HOST}/{CODE}'] a")
        inspector.wait_for_url(f"**/t/{GUEST}/joint/{HOST}/{CODE}")
        assert inspector.locator("#joint-guest-publish").count() == 0
        mine = _visit_form(inspector, second, "2026-04-11", "江北区检查员在本组的对象现场录入。")
        shot(inspector, "joint2-02c-guest-inspector-visit")
        mine.locator("button[type=submit]").click()
        inspector.wait_for_load_state()
        assert "检查记录已保存" in _flash(inspector)
        inspector.context.close()
    for target in targets:
        assert any(p.startswith(f"{GUEST}/") for p in target.inspectors), target.inspectors
        if target is not first and target is not second:
            host.goto(task_url + f"/records?target={target.credit_code}")
            form = host.locator("#record-form form")
            form.locator("#method").select_option("on_site")
            form.locator("#inspected_on").fill("2026-04-10")
            form.locator("#credential").select_option("enforcement_certificate")
            form.locator("#acknowledgement").select_option("signature")
            form.locator("#inspectors_signed").check()
            form.locator("#findings").fill("两区联合检查，一次进门查完两个区的事项。")
            form.locator("button[type=submit]").click()
            host.wait_for_load_state()
            assert "检查记录已保存" in _flash(host)
        host.goto(task_url + "/joint")
        result_form = host.locator("#joint-result-form")
        result_form.locator("#credit_code").select_option(target.credit_code)
        result_form.locator("#item_code").select_option("SX-001")
        result_form.locator("#result").select_option("no_problem")
        result_form.locator("#decided_on").fill("2026-04-11")
        result_form.locator("button[type=submit]").click()
        host.wait_for_load_state()
        assert "该事项的结果已保存" in _flash(host)
        if target is first:  # its own item's result went in with the visit's record
            continue
        guest.goto(site.url(f"/t/{GUEST}/joint/{HOST}/{CODE}"))
        own = guest.locator("#joint-result-form")
        own.locator("#credit_code").select_option(target.credit_code)
        own.locator("#item_code").select_option("SX-001")
        own.locator("#result").select_option("problem_rectified")
        own.locator("#decided_on").fill("2026-04-11")
        own.locator("button[type=submit]").click()
        guest.wait_for_load_state()
        assert "该事项的结果已保存" in _flash(guest)
    shot(guest, "joint2-03-own-results")
    # the end of the work; each tenant publishes its own items
    host.goto(task_url)
    host.fill("#ended_on", "2026-05-29")
    host.check("form[action$='/end-work'] input[name=confirm]")
    host.click("text=登记工作结束")
    host.wait_for_load_state()
    guest.goto(site.url(f"/t/{GUEST}/joint/{HOST}/{CODE}"))
    publish = guest.locator("#joint-guest-publish")
    publish.locator("input[name=confirm]").check()
    publish.locator("button[type=submit]").click()
    guest.wait_for_load_state()
    assert "本单位结果已在门户公示" in _flash(guest)
    host.goto(task_url + "/joint")
    row = host.locator(f"#joint-participants tr[data-participant='{UNIT}']")
    row.locator("input[name=confirm]").check()
    row.locator("button[type=submit]").click()
    host.wait_for_load_state()
    assert "该参与单位的结果已在门户网站公开" in _flash(host)
    with platform.db.session() as s:
        set_tenant(s, tenant_service.get(s, HOST).id)
        assert find_task(s, CODE).status == "published"
    # both portals: the task once, both participants with their results
    public = host.context.browser.new_context(locale="zh-CN", accept_downloads=True)
    portal = public.new_page()
    for slug, key in ((HOST, CODE), (GUEST, f"{HOST}/{CODE}")):
        portal.goto(site.url(f"/p/{slug}/tasks"))
        found = portal.locator(f"tr.joint-participants[data-task='{key}']")
        assert found.count() == 1, slug
        text = found.inner_text()
        assert "江北区" in text and UNIT in text and text.count("条结果") == 2, text
    shot(portal, "joint2-04-portal-of-the-other-tenant")
    # the bundle from the host's portal verifies, with both tenants' participants
    portal.goto(site.url(f"/p/{HOST}/draws/{draw_id}"))
    with portal.expect_download() as info:
        portal.click("#bundle-link")
    path = tmp_path / "bundle.json"
    info.value.save_as(str(path))
    bundle = json.loads(path.read_text(encoding="utf-8"))
    assert [(p["code"], p["tenant"]) for p in bundle["joint"]["participants"]] == [
        (GUEST, GUEST), (UNIT, HOST)]
    people = {p["person_id"]: p for p in bundle["inspectors"]}
    for group in bundle["final"]["groups"]:
        assert {people[m]["department"] for m in group["members"]} >= {UNIT, GUEST}
    assert kernel.verify_bundle(bundle).ok
    public.close()
