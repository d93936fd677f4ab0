"""The item list is approved before it is published (issue #14 point 4).

MIIT 第五条: "编制工业和信息化部随机抽查事项清单，报部领导批准后公布"; CQ 第四条: "编制随机抽查
事项清单，报委领导批准后公布". Every change is a draft; the approval (approver, date, document
number) is recorded; only then is the version published, and only what is published is used
by a task or a draw, or shown on the portal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from shuangsuiji.errors import Conflict, UserError
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.platform import Platform
from shuangsuiji.services import items as item_service
from shuangsuiji.services import tenants as tenant_service
from tests.draws.conftest import make_task  # noqa: F401 - the fixture


@contextmanager
def _scoped(platform: Platform, slug: str = "chongqing") -> Iterator[Any]:
    with platform.db.session() as s:
        s.info["tenant_id"] = tenant_service.get(s, slug).id
        yield s


def _change(platform: Platform, code: str, **values: Any) -> int:
    with _scoped(platform) as s:
        fields = item_service.snapshot_of(item_service.get_item(s, code)) | values
        version = item_service.save_item(s, fields, actor="operator", note="调整")
        assert version is not None
        s.commit()
        return version.number


def test_miit_art_5_an_unapproved_change_cannot_be_used_by_a_task_or_a_draw(
    platform: Platform, make_task: Callable[..., str],  # noqa: F811
) -> None:
    """MIIT 第五条 / CQ 第四条 报…领导批准后公布: a changed item is a draft until approved and
    published; a task or draw on it is refused, naming the item; other items stay usable."""
    drawn_later = make_task("chongqing", "T-BEFORE")  # published list: fine
    draft = _change(platform, "SX-001", content="新增核查内容")
    with pytest.raises(UserError, match=r"SX-001.*not yet approved and published"):
        make_task("chongqing", "T-DRAFT", item_codes=["SX-001"])
    assert make_task("chongqing", "T-OTHER", item_codes=["SX-003"], group_count=1)
    with _scoped(platform) as s:
        from shuangsuiji.services import draws

        tenant = tenant_service.get(s, "chongqing")
        with pytest.raises(UserError, match="SX-001"):
            draws.draw(s, platform, tenant, drawn_later, seed="dice 1-2-3")
        s.rollback()
        with pytest.raises(UserError, match="must be approved"):
            item_service.publish_version(s, draft, actor="admin")
        item_service.approve_version(s, draft, approver="委领导王某", approved_on=date(2026, 4, 2),
                                     document="渝经信发〔2026〕12号", actor="admin",
                                     today=date(2026, 4, 3))
        # approved is not yet published: still not usable
        with pytest.raises(UserError, match="not yet approved and published"):
            item_service.require_published(s, [item_service.get_item(s, "SX-001")])
        item_service.publish_version(s, draft, actor="admin")
        s.commit()
    assert make_task("chongqing", "T-AFTER", item_codes=["SX-001"])
    with _scoped(platform) as s:
        actions = [(e.action, e.payload.get("number")) for e in s.scalars(
            select(AuditEvent).where(AuditEvent.action.in_(("items.approve", "items.publish")))
            .order_by(AuditEvent.id))]
        approved = item_service.get_version(s, draft)
    assert actions[-2:] == [("items.approve", draft), ("items.publish", draft)]
    assert (approved.approved_by, approved.approved_on, approved.approval_document) == (
        "委领导王某", date(2026, 4, 2), "渝经信发〔2026〕12号")


def test_cq_art_4_approval_needs_approver_document_and_a_date_not_in_the_future(
    platform: Platform, make_task: Callable[..., str],  # noqa: F811
) -> None:
    make_task("chongqing", "T-SEED")
    draft = _change(platform, "SX-003", frequency="每年2次")
    with _scoped(platform) as s:
        with pytest.raises(UserError, match="document"):
            item_service.approve_version(s, draft, approver="委领导", approved_on=date(2026, 4, 2),
                                         document=" ", actor="admin", today=date(2026, 4, 3))
        with pytest.raises(UserError, match="after today"):
            item_service.approve_version(s, draft, approver="委领导", approved_on=date(2026, 5, 1),
                                         document="渝经信发〔2026〕9号", actor="admin",
                                         today=date(2026, 4, 3))
        fields = item_service.snapshot_of(item_service.get_item(s, "SX-001"))
        newer = item_service.save_item(s, fields | {"frequency": "每季度1次"},
                                       actor="operator", note="再次调整")
        assert newer is not None and newer.number == draft + 1
        with pytest.raises(Conflict, match="superseded"):
            item_service.approve_version(s, draft, approver="委领导",
                                         approved_on=date(2026, 4, 2), document="X",
                                         actor="admin", today=date(2026, 4, 3))


def test_portal_shows_only_the_published_list(
    app: Flask, platform: Platform, make_task: Callable[..., str],  # noqa: F811
) -> None:
    """The portal's item list is the published version, never a draft's wording."""
    make_task("chongqing", "T-SEED")
    _change(platform, "SX-001", name="草稿中的新名称")
    client = app.test_client()
    page = client.get("/p/chongqing/items").get_data(as_text=True)
    assert "电信业务经营许可情况检查" in page and "草稿中的新名称" not in page
    history = client.get("/p/chongqing/items/SX-001").get_data(as_text=True)
    assert "草稿中的新名称" not in history and "电信业务经营许可情况检查" in history


def test_cli_versions_approve_publish(
    app: Flask, platform: Platform, make_task: Callable[..., str],  # noqa: F811
) -> None:
    make_task("chongqing", "T-SEED")
    draft = _change(platform, "SX-003", frequency="每年2次")
    runner = app.test_cli_runner()

    def run(*args: str) -> Any:
        with app.app_context():
            return runner.invoke(args=list(args))

    listed = run("items", "versions", "--tenant", "chongqing")
    assert listed.exit_code == 0 and "draft" in listed.output and "published" in listed.output
    early = run("items", "publish", "--tenant", "chongqing", "--version", str(draft))
    assert early.exit_code != 0 and "approved" in early.output
    assert "Traceback" not in early.output
    ok = run("items", "approve", "--tenant", "chongqing", "--version", str(draft),
             "--approver", "委领导", "--on", "2026-04-02", "--document", "渝经信发〔2026〕7号")
    assert ok.exit_code == 0, ok.output
    assert run("items", "publish", "--tenant", "chongqing", "--version",
               str(draft)).exit_code == 0
    listed = run("items", "versions", "--tenant", "chongqing")
    assert "渝经信发〔2026〕7号" in listed.output
