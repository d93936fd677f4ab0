"""The draw ceremony's messages in the page's language: the empty pool, a pool changed since
its digest was shown, a second draw, a void of a void draw, a stored pool or bundle that no
longer checks out (the verifier's finding, with its JSON path). Chinese by default, English on
request; ``str()`` of every message stays English (the CLI, logs, ``ssj verify``)."""

from __future__ import annotations

import copy
import html
import zlib
from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from shuangsuiji import kernel
from shuangsuiji.db import audit_guard, set_tenant
from shuangsuiji.kernel import EmptyPool, Inspection, Sampling
from shuangsuiji.messages import Message
from shuangsuiji.models.draws import Draw, DrawPool
from shuangsuiji.platform import Platform
from shuangsuiji.services import audit, imports, plans
from shuangsuiji.services import draws as draw_service
from shuangsuiji.services import items as item_service
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.web.localise import localise
from tests.kernel.builders import pool_rules, targets, task, uscc
from tests.web.conftest import DEPARTMENTS, TenantWorld

Client = Callable[[str | None], FlaskClient]
CQ = "/t/chongqing"


def _text(response: object) -> str:
    """The page as a reader sees it (entities such as &#39; decoded)."""
    return html.unescape(response.get_data(as_text=True))  # type: ignore[attr-defined]


def _english(client: FlaskClient) -> None:
    client.post("/language", data={"lang": "en", "next": "/login"})


def _task_without_targets(platform: Platform) -> int:
    """A Chongqing task whose items are listed but whose target directory is empty."""
    from shuangsuiji.demo import generate as gen

    with platform.db.session() as s:
        tenant = tenant_service.get(s, "chongqing")
        set_tenant(s, tenant.id)
        audit.set_actor(s, "chongqing_admin")
        cats = tuple(c.code for c in platform.policy_for(tenant).rules(date(2026, 3, 1))
                     .item_categories)
        imports.import_file(s, tenant, "items",
                            gen.to_csv(gen.ITEM_HEADINGS, gen.item_rows(cats, DEPARTMENTS[0])),
                            "items.csv", actor="test", today=date(2026, 3, 1))
        item_service.approve_and_publish(s, approver="委领导", approved_on=date(2026, 3, 1),
                                         document="渝经信发〔2026〕1号", actor="test")
        plans.create_plan(s, platform, tenant, 2026, title="2026年度抽查工作计划",
                          made_on=date(2026, 2, 10))
        row = plans.create_task(
            s, platform, tenant, plan_year=2026, code="CQ-EMPTY-01", title="空名录库检查",
            department=DEPARTMENTS[0], item_codes=["SX-001"], starts_on=date(2026, 4, 1),
            ends_on=date(2026, 5, 29), methods=["on_site"], ratio_permille=100, group_count=1,
            inspector_scope="across_departments")
        s.commit()
        return row.id


def test_an_empty_pool_is_explained_in_chinese_on_the_draw_page(
    platform: Platform, tenant_tree: dict[str, int], client_for: Client,
) -> None:
    task_id = _task_without_targets(platform)
    client = client_for("cq_operator")
    chinese = _text(client.get(f"{CQ}/tasks/{task_id}/draw"))
    assert ("抽查任务 'CQ-EMPTY-01'：抽取池为空，抽查事项 SX-001 没有候选检查对象；"
            "请先导入这些事项的检查对象名录库") in chinese
    assert "the pool is empty" not in chinese and 'id="pool-digest"' not in chinese

    _english(client)
    english = _text(client.get(f"{CQ}/tasks/{task_id}/draw"))
    assert ("task 'CQ-EMPTY-01': the pool is empty, no candidate target for items SX-001; "
            "import the target directory for these items first") in english
    assert "抽取池为空" not in english


def test_a_pool_emptied_by_the_exclusions_names_the_rules_and_counts(app: Flask) -> None:
    """The other empty pool: every candidate excluded. English as before, Chinese on a page."""
    earlier = [Inspection(uscc(i), "ITEM-A", date(2025, 2, 1), "DIV-1", "T-OLD", "completed")
               for i in range(3)]
    with pytest.raises(EmptyPool) as empty:
        kernel.freeze_pool(targets(3), earlier, task(), Sampling(500), pool_rules())
    assert str(empty.value) == (
        "task 'T-2025-7': the pool is empty, all 3 candidates were excluded (once_per_year: 3); "
        "nothing can be drawn — widen the items, wait for the next period, or run it as a "
        "special inspection if the rules allow")
    with app.test_request_context():
        assert localise(empty.value, "zh_CN") == (
            "抽查任务 'T-2025-7'：抽取池为空，全部 3 户候选检查对象均已被排除（once_per_year: 3）；"
            "无法抽取——请扩大抽查事项范围、等待下一周期，或在规则允许时作为专项检查开展")
        assert localise(empty.value, "en") == str(empty.value)


def test_refused_draws_and_voids_read_in_the_page_language(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    w = world["chongqing"]
    draw_id = w.require_draw()
    code = "CHONGQING-2026-001"
    client = client_for("cq_operator")
    admin = client_for("cq_admin")  # a tenant admin voids (the second person)
    with app.extensions["shuangsuiji"].db.session() as s:
        set_tenant(s, w.tenant_id)
        record = s.get(Draw, draw_id)
        assert record is not None
        digest = record.pool_digest

    # a second draw of a drawn task, with the pool digest shown (unchanged)
    again = _text(client.post(f"{CQ}/tasks/{w.task_id}/draw", data={
        "seed_source": "ceremony", "seed": "42", "witnesses": "", "confirm": "y",
        "pool_digest": digest}))
    assert f"抽查任务 {code} 已有第 {draw_id} 号抽取" in again
    assert "如需重新抽取，请先写明理由将其作废" in again
    assert "already has draw" not in again

    # void it, then void it again: refused, with the reason it was voided
    voided = admin.post(f"{CQ}/draws/{draw_id}/void", data={"confirm": "y",
                                                       "reason": "见证人未到场，重新抽取"})
    assert voided.status_code == 302
    twice = admin.post(f"{CQ}/draws/{draw_id}/void", data={"confirm": "y",
                                                       "reason": "再次作废"})
    assert twice.status_code == 409
    assert f"第 {draw_id} 号抽取已作废（作废理由：见证人未到场，重新抽取）" in _text(twice)

    # a draw whose pool changed since its digest was shown
    stale = "0" * 64
    changed = _text(client.post(f"{CQ}/tasks/{w.task_id}/draw", data={
        "seed_source": "ceremony", "seed": "42", "witnesses": "", "confirm": "y",
        "pool_digest": stale}))
    assert "抽取池在公布其摘要后已发生变化" in changed
    assert f"公布的摘要为 {stale[:16]}…，现为 {digest[:16]}…；" in changed
    assert "the pool changed" not in changed

    _english(client)
    _english(admin)
    english = _text(client.post(f"{CQ}/tasks/{w.task_id}/draw", data={
        "seed_source": "ceremony", "seed": "42", "witnesses": "", "confirm": "y",
        "pool_digest": stale}))
    assert "the pool changed since its digest was shown" in english
    assert f"shown {stale[:16]}…, now {digest[:16]}…; show the pool again" in english
    assert (f"draw #{draw_id} is already void (见证人未到场，重新抽取)"
            in _text(admin.post(f"{CQ}/draws/{draw_id}/void", data={"confirm": "y",
                                                       "reason": "再次作废"})))


def test_a_stored_pool_changed_outside_the_platform_is_refused_in_chinese(
    app: Flask, platform: Platform, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    w = world["chongqing"]
    draw_id = w.require_draw()
    with platform.db.session() as s, audit_guard.unaudited(s, "test: the stored pool altered"):
        set_tenant(s, w.tenant_id)
        row = s.scalar(select(DrawPool).where(DrawPool.draw_id == draw_id))
        assert row is not None
        row.data = zlib.compress(b"shuangsuiji-pool/1\n{}\n")
        s.commit()
    page = client_for("cq_viewer").get(f"{CQ}/draws/{draw_id}")
    assert page.status_code == 409
    text = _text(page)
    assert f"第 {draw_id} 号抽取：存档的抽取池与其抽取池摘要不符" in text
    assert "数据库在平台之外被改动；请恢复数据库" in text and "does not match" not in text


def test_a_verifier_finding_names_its_json_path_in_the_page_language(
    app: Flask, platform: Platform, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    """A stored bundle that no longer reads as the format: the draw's page shows the finding
    (path and problem) translated; the verifier's report is a message too."""
    w = world["chongqing"]
    draw_id = w.require_draw()
    with platform.db.session() as s:
        set_tenant(s, w.tenant_id)
        record = s.get(Draw, draw_id)
        assert record is not None
        exported = draw_service.export_bundle(s, record)
        with audit_guard.unaudited(s, "test: the stored bundle altered"):
            bundle = copy.deepcopy(record.bundle)
            bundle["task"]["task_id"] = 7
            record.bundle = bundle
            s.commit()
    client = client_for("cq_viewer")
    page = client.get(f"{CQ}/draws/{draw_id}")
    assert page.status_code == 400
    assert "bundle.task.task_id：应为字符串，实际为 7" in _text(page)
    _english(client)
    assert ("bundle.task.task_id: expected a string, found 7"
            in _text(client.get(f"{CQ}/draws/{draw_id}")))

    # the verifier's own report: English as `ssj verify` prints it, Chinese where shown
    exported["inspectors"][0]["name"] = 5
    report = kernel.verify_bundle(exported)
    assert not report.ok and isinstance(report.message, Message)
    assert str(report) == ("bundle does NOT verify: first mismatch at bundle.inspectors[0].name: "
                           "expected a string, found 5")
    exported["inspectors"][0]["name"] = "检查员"
    drawn = exported["result"]["strata"][0]["selected"][0]
    exported["result"]["strata"][0]["selected"][0] = "91500000MA00000000"
    changed = kernel.verify_bundle(exported)
    assert str(changed) == ("bundle does NOT verify: first mismatch at result.strata[0].selected[0]"
                            f": expected {drawn!r}, found '91500000MA00000000'")
    with app.test_request_context():
        assert localise(report.message, "zh_CN") == (
            "抽取数据包核验未通过：第一个不一致之处在 bundle.inspectors[0].name："
            "应为字符串，实际为 5")
        assert localise(changed.message, "zh_CN") == (
            "抽取数据包核验未通过：第一个不一致之处在 result.strata[0].selected[0]："
            f"应为 {drawn!r}，实际为 '91500000MA00000000'")
        exported["result"]["strata"][0]["selected"][0] = drawn
        del exported["final"]
        missing = kernel.verify_bundle(exported)
        assert str(missing).endswith("first mismatch at final: missing field")
        assert localise(missing.message, "zh_CN").endswith("第一个不一致之处在 final：缺少该字段")


def test_a_recusal_the_kernel_refuses_is_explained_in_chinese(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    """A member of group 1 declaring a conflict with a target of group 2: the kernel's refusal
    on the page, translated (it was shown as its English text)."""
    w = world["chongqing"]
    draw_id = w.require_draw()
    with app.extensions["shuangsuiji"].db.session() as s:
        set_tenant(s, w.tenant_id)
        record = s.get(Draw, draw_id)
        assert record is not None
        one, two = draw_service.current_result(record).final_groups[:2]
    client = client_for("cq_operator")
    form = {"person_id": one.members[0], "credit_code": two.targets[0], "mode": "withdraw",
            "reason": "亲属在该企业任职"}
    refused = client.post(f"{CQ}/draws/{draw_id}/recusals", data=form)
    assert refused.status_code == 422
    assert "亲属在该企业任职" in _text(refused)  # the form again, with what was typed
    assert (f"检查对象 '{two.targets[0]}' 不属于 '{one.members[0]}' 所在的第 1 检查组"
            in _text(refused))
    _english(client)
    assert (f"target '{two.targets[0]}' is not assigned to group 1 of '{one.members[0]}'"
            in _text(client.post(f"{CQ}/draws/{draw_id}/recusals", data=form)))
