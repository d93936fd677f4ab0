"""The whole ceremony in a browser, as an operator of Chongqing does it, then the public
checks it: upload → fix → task → draw with a typed seed → recusal → records → publish →
portal search → download the bundle and verify it → English → the central admin switches.

The steps share one browser page and run in order; a step whose service is not ready yet
skips the steps that depend on it, saying why.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from stdnum.cn import uscc

from shuangsuiji.db import set_tenant
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.models.directories import Target
from shuangsuiji.models.draws import Draw
from shuangsuiji.services import lifecycle
from shuangsuiji.services import tenants as tenant_service
from tests.e2e.conftest import PASSWORD, Site, shot
from tests.needs import in_ci

TASK_CODE = "CQ-2026-E2E"
# One sign-in, one browser page, step after step: the steps run in file order (the ``story``
# marker), also when the rest of the suite runs in a random order.
pytestmark = pytest.mark.story

SEED = "骰子 3-1-4-1-5 (2026-03-20 公开摇号)"
STATE: dict[str, Any] = {}


@pytest.fixture(scope="module")
def page(site: Site, browser: Any) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True, locale="zh-CN")
    found = context.new_page()
    found.set_default_timeout(20_000)
    yield found
    context.close()


def _needs(step: str) -> None:
    """Skip a step whose earlier step did not complete (its failure is reported); in CI a
    step that finds its earlier step missing fails, so a run that split or lost the story's
    steps cannot pass by skipping them."""
    if step not in STATE:
        text = f"needs the earlier step {step!r}, which did not complete"
        if in_ci():
            pytest.fail(f"CI=true and {text}", pytrace=False)
        pytest.skip(text)


def _targets_csv(bad_row: bool) -> bytes:
    from shuangsuiji.demo import generate as gen

    rows = list(gen.target_rows(40, seed=7))
    if bad_row:
        code = rows[2][0]  # data row 3 is spreadsheet row 4 (the heading is row 1)
        rows[2][0] = code[:-1] + ("0" if code[-1] != "0" else "1")
        assert not uscc.is_valid(rows[2][0])
    STATE["target_names"] = [r[1] for r in rows]
    return gen.to_csv(gen.TARGET_HEADINGS, rows)


def _count_targets(site: Site) -> int:
    platform = site.app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        set_tenant(s, tenant_service.get(s, "chongqing").id)
        return s.scalar(select(func.count()).select_from(Target)) or 0


def test_01_sign_in(site: Site, page: Any) -> None:
    page.goto(site.url("/login"))
    assert "工作人员登录" in page.content()
    shot(page, "01-login")
    page.fill("#username", "cq_operator")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/t/chongqing/")
    assert "重庆市经济和信息化委员会" in page.inner_text("h1")
    shot(page, "02-dashboard")
    STATE["signed_in"] = True


def test_02_upload_with_a_bad_row_saves_nothing(site: Site, page: Any, tmp_path: Any) -> None:
    _needs("signed_in")
    page.goto(site.url("/t/chongqing/directories"))
    bad = tmp_path / "检查对象.csv"
    bad.write_bytes(_targets_csv(bad_row=True))
    page.set_input_files("#file-targets", str(bad))
    page.click("form[action$='/directories/targets/upload'] button")
    problems = page.locator("#import-problems")
    problems.wait_for()
    text = problems.inner_text()
    assert "未导入任何数据" in text
    assert page.locator("td.row-no").first.inner_text() == "4"
    assert "统一社会信用代码" in text
    shot(page, "03-upload-bad-row")
    assert _count_targets(site) == 0


def test_03_fixed_file_is_imported(site: Site, page: Any, tmp_path: Any) -> None:
    _needs("signed_in")
    page.goto(site.url("/t/chongqing/directories"))
    good = tmp_path / "检查对象.csv"
    good.write_bytes(_targets_csv(bad_row=False))
    page.set_input_files("#file-targets", str(good))
    page.click("form[action$='/directories/targets/upload'] button")
    page.wait_for_url("**/directories/targets")
    assert "已导入 40 行" in page.inner_text(".flash")
    assert _count_targets(site) == 40
    STATE["targets"] = True


def test_04_create_a_task(site: Site, page: Any) -> None:
    _needs("targets")
    page.goto(site.url("/t/chongqing/tasks"))
    form = page.locator("#new-task form")
    form.locator("#plan_year").fill("2026")
    form.locator("#code").fill(TASK_CODE)
    form.locator("#title").fill("电信业务经营许可情况检查（端到端）")
    form.locator("#department").fill("综合执法处")
    form.locator("#item_codes input[value='SX-001']").check()
    form.locator("#methods input[value='on_site']").check()
    form.locator("#ratio_permille").fill("100")
    form.locator("#group_count").fill("2")
    form.locator("#starts_on").fill("2026-04-01")
    form.locator("#ends_on").fill("2026-05-29")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/tasks/*")
    assert TASK_CODE in page.inner_text("h1")
    STATE["task_url"] = page.url
    STATE["task"] = True


def test_05_draw_with_a_typed_seed(site: Site, page: Any) -> None:
    _needs("task")
    page.goto(STATE["task_url"])
    page.click("text=准备抽取")
    page.wait_for_url("**/draw")
    problem = page.locator(".problem")
    assert page.locator("#pool-digest").count(), (
        f"the pool could not be frozen: {problem.inner_text() if problem.count() else ''}")
    digest = page.inner_text("#pool-digest").strip()
    assert len(digest) == 64  # shown before anything is drawn
    shot(page, "04-pool-digest-before-draw")
    page.select_option("#seed_source", "ceremony")
    page.fill("#seed", SEED)
    page.fill("#witnesses", "公证员 张三\n群众代表 李四")
    response_status: list[int] = []
    page.on("response", lambda r: response_status.append(r.status))
    page.check("#draw-form input[name=confirm]")  # irreversible: confirmed explicitly
    page.click("#draw-form button[type=submit]")
    page.wait_for_load_state()
    if "/draws/" not in page.url:
        shot(page, "05-draw-failed")
        pytest.fail("the draw could not be committed: " + page.inner_text("main")[:300])
    assert page.inner_text("#seed") == SEED
    assert digest in page.content()
    assert page.locator(".group").count() == 2
    assert "cq_operator" in page.inner_text(".facts")  # the draw names who drew it
    shot(page, "05-draw-result")
    STATE["draw_url"] = page.url
    STATE["draw_id"] = int(page.url.rstrip("/").rsplit("/", 1)[1])
    STATE["pool_digest"] = digest
    STATE["drawn"] = True


def _drawn_targets(site: Site) -> list[Any]:
    platform = site.app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        set_tenant(s, tenant_service.get(s, "chongqing").id)
        task = lifecycle.get_task(s, TASK_CODE)
        return lifecycle.drawn_targets(s, task)


def test_06_declare_a_recusal(site: Site, page: Any) -> None:
    _needs("drawn")
    page.goto(STATE["draw_url"])
    group = page.locator("#group-1")
    member = group.locator("p code").nth(1).inner_text()  # a member (not only the leader)
    target = group.locator("ul.targets code").first.inner_text()
    form = page.locator("#recusal form")
    form.locator("#person_id").select_option(member)
    form.locator("#credit_code").select_option(target)
    form.locator("#mode").select_option("withdraw")
    form.locator("#reason").fill("该执法检查人员的配偶在该企业任职")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "回避已登记" in page.inner_text(".flash")
    assert "该执法检查人员的配偶在该企业任职" in page.content()
    shot(page, "06-recusal")
    STATE["recused"] = True


def test_07_enter_records(site: Site, page: Any) -> None:
    _needs("drawn")
    targets = _drawn_targets(site)
    assert targets
    for target in targets:
        # the form sits beside its target, the group's inspectors ticked: untick all but two
        page.goto(STATE["task_url"] + f"/records?target={target.credit_code}")
        form = page.locator("#record-form form")
        assert form.locator("#credit_code").input_value() == target.credit_code
        form.locator("#method").select_option("on_site")
        form.locator("#inspected_on").fill("2026-05-10")
        for person in target.inspectors[2:]:
            form.locator(f"input[name=inspectors][value='{person}']").uncheck()
        form.locator("#credential").select_option("enforcement_certificate")
        form.locator("#acknowledgement").select_option("signature")
        form.locator("#inspectors_signed").check()
        if len(targets) > 1 and target is targets[-1]:  # one problem, followed up in 08b
            form.locator("#findings").fill("未在经营场所公示电信业务经营许可证。")
            form.locator("#result").select_option("problem_rectified")
            form.locator("#handling").fill("责令限期整改")
            STATE["problem_target"] = target.credit_code
        else:
            form.locator("#findings").fill("持证经营，年报按时报送，未发现问题。")
            form.locator("#result").select_option("no_problem")
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        flash = page.locator(".flash")
        assert flash.count(), page.inner_text("main")[:500]
        assert "检查记录已保存" in flash.inner_text()
    shot(page, "07-records")
    STATE["recorded"] = True


def test_08_end_work_and_publish(site: Site, page: Any) -> None:
    _needs("recorded")
    page.goto(STATE["task_url"])
    page.fill("#ended_on", "2026-05-29")
    page.check("form[action$='/end-work'] input[name=confirm]")
    page.click("text=登记工作结束")
    page.wait_for_load_state()
    # CQ Art. 14: 20 working days after the work ended (2026-05-29, a Friday).
    assert "公示截止日期" in page.inner_text(".facts"), page.inner_text("main")[:500]
    assert "20 个工作日" in page.inner_text(".facts")
    page.check("form[action$='/publish'] input[name=confirm]")
    page.click("text=公示抽查结果")
    page.wait_for_load_state()
    assert "抽查结果已在公示门户公开" in page.inner_text(".flash"), page.inner_text("main")[:500]
    shot(page, "08-published")
    STATE["published"] = True


def test_08b_rectification_in_the_browser(site: Site, page: Any) -> None:
    """Order the rectification of the problem found, follow it up, close it."""
    _needs("published")
    _needs("problem_target")
    page.goto(STATE["task_url"])
    page.click("text=整改与移送")
    page.wait_for_load_state()
    page.select_option("#credit_code", STATE["problem_target"])
    page.fill("#requirement", "在经营场所显著位置公示电信业务经营许可证")
    page.fill("#due_on", "2030-06-30")
    page.click("text=下达整改要求")
    page.wait_for_load_state()
    assert "整改" in page.inner_text(".flash"), page.inner_text("main")[:500]
    page.fill("form[action$='/follow-up'] #findings", "已公示许可证，整改到位。")
    page.check("form[action$='/follow-up'] #rectified")
    page.click("text=登记复查结果")
    page.wait_for_load_state()
    assert "复查结果已登记" in page.inner_text(".flash"), page.inner_text("main")[:500]
    page.click("text=整改办结")
    page.wait_for_load_state()
    assert "整改已办结" in page.inner_text(".flash"), page.inner_text("main")[:500]
    shot(page, "08b-rectification-closed")


def test_08c_notices_and_statistics(site: Site, page: Any) -> None:
    _needs("drawn")
    page.goto(STATE["task_url"] + "/notices")
    assert "随机抽查检查告知书" in page.inner_text("main")
    shot(page, "08c-notices")
    page.emulate_media(media="print")
    shot(page, "08c-notices-print")
    page.emulate_media(media="screen")
    page.goto(site.url("/t/chongqing/statistics?year=2026"))
    assert page.locator("svg.chart").count() == 1
    shot(page, "08c-statistics")


def test_09_the_public_finds_the_result(site: Site, browser: Any) -> None:
    _needs("published")
    public = browser.new_context(locale="zh-CN").new_page()
    target = _drawn_targets(site)[0]
    public.goto(site.url("/p/chongqing/"))
    public.fill("#q", target.credit_code[:12])
    public.click("form.search button")
    public.wait_for_url("**/results?q=*")
    table = public.inner_text("#results")
    assert target.credit_code in table and "未发现问题" in table
    shot(public, "09-portal-results")
    public.context.close()


def test_10_download_the_bundle_and_verify_it(site: Site, browser: Any, tmp_path: Any) -> None:
    _needs("drawn")
    from shuangsuiji import kernel

    context = browser.new_context(accept_downloads=True, locale="zh-CN")
    public = context.new_page()
    public.goto(site.url(f"/p/chongqing/draws/{STATE['draw_id']}"))
    assert public.inner_text("#pool-digest") == STATE["pool_digest"]
    shot(public, "10-portal-draw")
    with public.expect_download() as info:
        public.click("#bundle-link")
    path = tmp_path / "bundle.json"
    info.value.save_as(str(path))
    bundle = json.loads(path.read_text(encoding="utf-8"))
    report = kernel.verify_bundle(bundle)
    assert report.ok, str(report)
    # the public's way: the one-file verifier from the portal, on the standard library alone
    public.goto(site.url("/p/chongqing/verify"))
    with public.expect_download() as got:
        public.click("a[download]")
    pyz = tmp_path / "ssj-verify.pyz"
    got.value.save_as(str(pyz))
    shot(public, "10-portal-verify")
    run = subprocess.run([sys.executable, "-I", "-S", str(pyz), str(path)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0 and run.stdout.startswith("bundle OK"), run.stderr
    context.close()


def test_11_switch_to_english(site: Site, page: Any) -> None:
    _needs("signed_in")
    page.goto(site.url("/t/chongqing/"))
    page.click("button[name=lang][value=en]")
    page.wait_for_load_state()
    assert "Sign out" in page.content()
    assert "Dashboard" in page.inner_text("nav.sections")
    shot(page, "11-english")
    page.click("button[name=lang][value=zh_CN]")
    page.wait_for_load_state()
    assert "退出" in page.content()


def test_12_central_admin_switches_tenant(site: Site, browser: Any) -> None:
    context = browser.new_context(locale="zh-CN")
    admin = context.new_page()
    admin.goto(site.url("/login"))
    admin.fill("#username", "central")
    admin.fill("#password", PASSWORD)
    admin.click("button[type=submit].primary")
    admin.wait_for_url("**/tenants")
    admin.select_option("#switch-tenant", "chongqing")
    admin.click(".tenant-switch button")
    admin.wait_for_url("**/t/chongqing/")
    assert "重庆市经济和信息化委员会" in admin.inner_text("h1")
    shot(admin, "12-central-switched")
    platform = site.app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        tid = tenant_service.get(s, "chongqing").id
        switched = s.scalars(select(AuditEvent).where(
            AuditEvent.tenant_id == tid, AuditEvent.action == "tenant.switch")).all()
        assert [e.actor for e in switched] == ["central"]
        if "draw_id" in STATE:  # the draw is still there, untouched by the visit
            set_tenant(s, tid)
            assert s.get(Draw, STATE["draw_id"]) is not None
    context.close()
