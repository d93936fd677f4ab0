"""A joint task of two 处室 walked in the browser (issue #15 item 4, "done when"): the task
is made, its participants planned with their items and quotas (a bad line is refused,
nothing saved), drawn with a typed seed (every group holds an inspector of each), recorded
in one visit per target with a result per item, and published by each participant; the
portal shows the task once with both participants, and the bundle verifies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from shuangsuiji import kernel
from shuangsuiji.db import set_tenant
from shuangsuiji.models.joint import ParticipantPublication
from shuangsuiji.services import accounts, audit, imports, lifecycle
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.services.draws import find_task
from tests.e2e.conftest import PASSWORD, Site, shot

A, B = "综合执法处", "电子信息处"
CODE = "CQ-JOINT-1"


@pytest.fixture(scope="module")
def page(site: Site, browser: Any) -> Iterator[Any]:
    from shuangsuiji.demo import generate as gen

    platform = site.app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        accounts.create_user(s, username="cq_joint_admin", password=PASSWORD,
                             role="tenant_admin", tenant="chongqing", display_name="联合管理员")
        s.commit()
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "chongqing")
        set_tenant(s, tenant.id)
        audit.set_actor(s, "setup")
        imports.import_file(s, tenant, "targets",
                            gen.to_csv(gen.TARGET_HEADINGS, gen.target_rows(40, seed=9)),
                            "targets.csv", actor="setup", today=date(2026, 3, 1))
        s.commit()
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    found = context.new_page()
    found.set_default_timeout(20_000)
    found.goto(site.url("/login"))
    found.fill("#username", "cq_joint_admin")
    found.fill("#password", PASSWORD)
    found.click("button[type=submit].primary")
    found.wait_for_url("**/t/chongqing/")
    yield found
    context.close()


def _targets(site: Site) -> list[Any]:
    platform = site.app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        set_tenant(s, tenant_service.get(s, "chongqing").id)
        return lifecycle.drawn_targets(s, find_task(s, CODE))


def _flash(page: Any) -> str:
    flash = page.locator(".flash")
    assert flash.count(), page.inner_text("main")[:800]
    return str(flash.inner_text())


def test_a_joint_task_of_two_divisions_in_the_browser(
    site: Site, page: Any, tmp_path: Path,
) -> None:
    # the task, with the items of both divisions
    page.goto(site.url("/t/chongqing/tasks"))
    form = page.locator("#new-task form")
    form.locator("#plan_year").fill("2026")
    form.locator("#code").fill(CODE)
    form.locator("#title").fill("电信与无线电联合检查（端到端）")
    form.locator("#department").fill(A)
    form.locator("#item_codes input[value='SX-001']").check()
    form.locator("#item_codes input[value='SX-002']").check()
    form.locator("#methods input[value='on_site']").check()
    form.locator("#ratio_permille").fill("100")
    form.locator("#group_count").fill("1")
    form.locator("#starts_on").fill("2026-04-01")
    form.locator("#ends_on").fill("2026-05-29")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/tasks/*")
    task_url = page.url
    # the participants: a line naming an item not of the task comes back, nothing saved
    page.click("text=联合抽查")
    page.wait_for_url("**/joint")
    page.fill("textarea[name=lines]", f"{A}:SX-001:1\n{B}:SX-009:1")
    page.click("text=保存参与单位")
    problem = page.locator(".problem")
    problem.wait_for()
    assert "SX-009" in problem.inner_text()
    assert page.locator("#joint-participants").count() == 0
    page.fill("textarea[name=lines]", f"{A}:SX-001:1\n{B}:SX-002:1")
    page.click("text=保存参与单位")
    assert "参与单位已保存" in _flash(page)
    assert page.locator("#joint-participants tbody tr").count() == 2
    shot(page, "joint-01-participants")
    # the draw with a typed seed
    page.goto(task_url)
    page.click("text=准备抽取")
    page.wait_for_url("**/draw")
    page.select_option("#seed_source", "ceremony")
    page.fill("#seed", "dice 6-6-2-1-4-3")
    page.fill("#witnesses", "公证员 张三")
    page.check("#draw-form input[name=confirm]")
    page.click("#draw-form button[type=submit]")
    page.wait_for_load_state()
    assert "/draws/" in page.url, page.inner_text("main")[:800]
    draw_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    shot(page, "joint-02-drawn")
    targets = _targets(site)
    assert targets
    # one visit per target: one on-site record with a result per item (no overall result);
    # the first target's SX-002 is left on the record and entered on the joint page after
    for n, target in enumerate(targets):
        page.goto(task_url + f"/records?target={target.credit_code}")
        form = page.locator("#record-form form")
        form.locator("#method").select_option("on_site")
        form.locator("#inspected_on").fill("2026-05-10")
        for person in target.inspectors[2:]:
            form.locator(f"input[name=inspectors][value='{person}']").uncheck()
        form.locator("#credential").select_option("enforcement_certificate")
        form.locator("#acknowledgement").select_option("signature")
        form.locator("#inspectors_signed").check()
        form.locator("#findings").fill("联合检查，一次进门查完两个事项。")
        assert form.locator("#result").count() == 0
        form.locator("#item_result-SX-001").select_option("no_problem")
        if n:
            form.locator("#item_result-SX-002").select_option("problem_rectified")
            form.locator("#item_handling-SX-002").fill("责令限期整改")
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert "检查记录已保存" in _flash(page)
        row = page.locator(f"#target-{target.credit_code}")
        assert "SX-001: 未发现问题" in row.inner_text(), row.inner_text()
        assert (row.locator(".overall-result").count() == 1) == bool(n)
        for item, result in () if n else (("SX-002", "problem_rectified"),):
            page.goto(task_url + "/joint")
            result_form = page.locator("#joint-result-form")
            result_form.locator("#credit_code").select_option(target.credit_code)
            result_form.locator("#item_code").select_option(item)
            result_form.locator("#result").select_option(result)
            result_form.locator("#decided_on").fill("2026-05-11")
            result_form.locator("button[type=submit]").click()
            page.wait_for_load_state()
            assert "该事项的结果已保存" in _flash(page)
    shot(page, "joint-03-results-per-item")
    # the end of the work, then each participant publishes its own items
    page.goto(task_url)
    page.fill("#ended_on", "2026-05-29")
    page.check("form[action$='/end-work'] input[name=confirm]")
    page.click("text=登记工作结束")
    page.wait_for_load_state()
    for code in (A, B):
        page.goto(task_url + "/joint")
        row = page.locator(f"#joint-participants tr[data-participant='{code}']")
        row.locator("input[name=confirm]").check()
        row.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert "该参与单位的结果已在门户网站公开" in _flash(page)
    shot(page, "joint-04-published-by-each")
    platform = site.app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        set_tenant(s, tenant_service.get(s, "chongqing").id)
        assert len(list(s.scalars(select(ParticipantPublication)))) == 2
        assert find_task(s, CODE).status == "published"
    # the portal: the task once, both participants with their results
    public = page.context.browser.new_context(locale="zh-CN", accept_downloads=True)
    portal = public.new_page()
    portal.goto(site.url("/p/chongqing/tasks"))
    row = portal.locator(f"tr.joint-participants[data-task='{CODE}']")
    assert row.count() == 1
    text = row.inner_text()
    assert A in text and B in text and text.count("条结果") == 2
    shot(portal, "joint-05-portal")
    # the bundle from the portal verifies, and carries both participants
    portal.goto(site.url(f"/p/chongqing/draws/{draw_id}"))
    with portal.expect_download() as info:
        portal.click("#bundle-link")
    path = tmp_path / "bundle.json"
    info.value.save_as(str(path))
    bundle = json.loads(path.read_text(encoding="utf-8"))
    assert [p["code"] for p in bundle["joint"]["participants"]] == sorted([A, B])
    people = {p["person_id"]: p for p in bundle["inspectors"]}
    for group in bundle["final"]["groups"]:
        assert {people[m]["department"] for m in group["members"]} >= {A, B}
    assert kernel.verify_bundle(bundle).ok
    public.close()
