"""In a browser (issue 16, items 2 and 7): an import started from the directories page runs
as a background job whose page survives a reload and ends showing what was imported; a
task form refused by the service shows the message under the field, the rest of what was
typed kept, and goes through once corrected."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from shuangsuiji.db import set_tenant
from shuangsuiji.models.directories import Target
from shuangsuiji.services import tenants as tenant_service
from tests.e2e.conftest import PASSWORD, Site, shot

pytestmark = pytest.mark.story
ROWS = 3000


@pytest.fixture(scope="module")
def page(site: Site, browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN")
    found = context.new_page()
    found.set_default_timeout(30_000)
    found.goto(site.url("/login"))
    found.fill("#username", "cq_operator")
    found.fill("#password", PASSWORD)
    found.click("button[type=submit].primary")
    found.wait_for_url("**/t/chongqing/")
    yield found
    context.close()


def _targets(site: Site) -> int:
    with site.app.extensions["shuangsuiji"].db.session() as s:
        set_tenant(s, tenant_service.get(s, "chongqing").id)
        return int(s.scalar(select(func.count()).select_from(Target)) or 0)


def test_an_import_job_survives_a_reload_and_ends_with_its_summary(
    site: Site, page: Any, tmp_path: Any,
) -> None:
    from shuangsuiji.demo import generate as gen

    site.app.config["SSJ_JOB_UPLOAD_BYTES"] = 0  # every upload is a job
    upload = tmp_path / "检查对象.csv"
    upload.write_bytes(gen.to_csv(gen.TARGET_HEADINGS, gen.target_rows(ROWS, seed=3)))
    page.goto(site.url("/t/chongqing/directories"))
    page.set_input_files("#file-targets", str(upload))
    page.click("form[action$='/directories/targets/upload'] button")
    page.wait_for_url("**/jobs/*")
    assert page.locator("#job-progress").count() == 1
    job_url = page.url
    page.reload()  # the job goes on; its page shows it again
    assert page.url == job_url
    page.locator("#job-state.job-succeeded").wait_for(timeout=60_000)
    text = page.inner_text("#job")
    assert f"已导入 {ROWS} 行" in text and "检查对象.csv" in text
    assert "已结束" in text  # the phase by its name
    shot(page, "job-import-finished")
    assert _targets(site) == ROWS
    page.click("#job a:has-text(\"打开名录\")")
    page.wait_for_url("**/directories/targets")


def test_a_refused_task_form_keeps_what_was_typed(site: Site, page: Any) -> None:
    page.goto(site.url("/t/chongqing/tasks"))
    form = page.locator("#new-task form")
    form.locator("#plan_year").fill("2026")
    form.locator("#code").fill("CQ-2026-FORM")
    form.locator("#title").fill("保留的任务名称")
    form.locator("#department").fill("综合执法处")
    form.locator("#item_codes input[value='SX-001']").check()
    form.locator("#methods input[value='on_site']").check()
    form.locator("#ratio_permille").fill("100")
    form.locator("#group_count").fill("1")
    form.locator("#starts_on").fill("2026-06-01")
    form.locator("#ends_on").fill("2026-05-01")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    error = page.locator(".field.has-error:has(#ends_on) .error")
    assert "抽查任务的结束日期不得早于开始日期" in error.inner_text()
    assert page.input_value("#title") == "保留的任务名称"
    assert page.input_value("#starts_on") == "2026-06-01"
    assert page.locator("#item_codes input[value='SX-001']").is_checked()
    assert "ends_on" not in page.inner_text("main")  # named by its label, not its code
    shot(page, "task-form-refused-inline")
    page.locator("#new-task form #ends_on").fill("2026-06-30")
    page.locator("#new-task form button[type=submit]").click()
    page.wait_for_url("**/tasks/*")
    assert "CQ-2026-FORM" in page.inner_text("h1")
