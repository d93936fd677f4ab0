"""Follow-up (整改, 移送) and statistics, with the cross-tenant read logged."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from shuangsuiji.errors import UserError
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.services import followup, publication, statistics
from shuangsuiji.services import plans as plan_service

from .conftest import CODES, drawn_task, record_all, use_tenant


def _published(w):
    task = drawn_task(w)
    record_all(w, task)
    plan_service.end_work(w.session, w.tenant, task.id, date(2026, 6, 30))
    publication.publish(w.session, w.platform, w.tenant, task.id,
                        at=datetime(2026, 7, 2, tzinfo=UTC))
    w.session.commit()
    return task


def test_rectification_is_followed_up_and_closes_the_task(world_for):
    w = world_for("chongqing")
    task = _published(w)
    with pytest.raises(UserError, match="found no problem"):
        followup.order_rectification(w.session, w.tenant, task.id, CODES[1],
                                     requirement="x", due_on=date(2026, 8, 1))
    rect = followup.order_rectification(w.session, w.tenant, task.id, CODES[0],
                                        requirement="补全销售备案信息", due_on=date(2026, 8, 1),
                                        ordered_on=date(2026, 7, 2))
    [(row, overdue)] = followup.open_rectifications(w.session, today=date(2026, 8, 2))
    assert row.id == rect.id and overdue
    with pytest.raises(UserError, match="record the follow-up"):
        followup.close(w.session, w.tenant, rect.id, on=date(2026, 8, 3))
    followup.follow_up(w.session, w.tenant, rect.id, on=date(2026, 8, 2),
                       findings="已补全", rectified=True)
    followup.close(w.session, w.tenant, rect.id, on=date(2026, 8, 3))
    assert task.status == "closed"
    t = followup.transfer(w.session, w.tenant, task.id, CODES[0], authority="重庆市市场监督管理局",
                          reason="涉嫌无证销售", on=date(2026, 7, 5))
    assert t.authority == "重庆市市场监督管理局"


def test_statistics_and_cross_tenant_comparison(world_for):
    cq = world_for("chongqing")
    _published(cq)
    stats = statistics.year_stats(cq.session, cq.tenant, 2026)
    assert (stats.tasks, stats.targets_drawn, stats.results, stats.problems_found) == (1, 3, 3, 1)
    assert (stats.problem_share_permille, stats.published_on_time) == (333, 1)

    miit = world_for("miit")
    rows = statistics.compare_tenants(miit.session, miit.tenant, 2026)
    miit.session.commit()
    by = {r.tenant: r for r in rows}
    assert by["chongqing"].targets_drawn == 3 and by["miit"].tasks == 0
    logged = miit.session.scalars(select(AuditEvent).where(
        AuditEvent.tenant_id == miit.tenant.id,
        AuditEvent.action == "stats.cross_tenant_read")).all()
    assert len(logged) == 1 and "chongqing" in logged[0].payload["tenants"]
    # the scoped view still sees only its own tenant afterwards
    use_tenant(miit.session, miit.tenant.id)
    assert publication.published_tasks(miit.session) == []

    sheet = load_workbook(io.BytesIO(statistics.to_xlsx(rows))).active
    assert sheet["A1"].value == "辖区"
    assert [c.value for c in sheet["A"]][1:] == [r.tenant for r in rows]
