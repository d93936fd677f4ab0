"""Dates against today, Asia/Shanghai (issue #14 point 9).

CQ 第十三条 / MIIT 第十三条: "现场检查结束时，应当如实填写现场检查记录" — a record states what
happened, so it cannot be dated in the future; MIIT 第十五条 / CQ 第十四条 count the publication
deadline "在每次随机抽查工作结束后", so the end of the work cannot be in the future either, and
ending it with drawn targets still unrecorded is a decision named target by target.
"""

from __future__ import annotations

from datetime import date

import pytest

from shuangsuiji.errors import UserError
from shuangsuiji.services import plans as plan_service
from shuangsuiji.services import records as record_service
from shuangsuiji.services.lifecycle import drawn_targets
from shuangsuiji.services.records import InspectorPresent
from tests.lifecycle.conftest import CODES, drawn_task, record_all

TODAY = date(2026, 5, 20)


def _record(world, task, code: str, on: date):  # type: ignore[no-untyped-def]
    ids = next(d.inspectors for d in drawn_targets(world.session, task) if d.credit_code == code)
    return record_service.record_on_site(
        world.session, world.platform, world.tenant, task.id, code, method="on_site",
        inspected_on=on, inspectors=[InspectorPresent(ids[0], "enforcement_certificate"),
                                     InspectorPresent(ids[1], "enforcement_certificate")],
        findings="未发现问题", acknowledgement="signature", today=TODAY)


def test_cq_art_13_on_site_record_cannot_be_dated_in_the_future(world_for) -> None:
    """第十三条 如实填写现场检查记录: an on-site record dated after today is refused."""
    w = world_for("chongqing")
    task = drawn_task(w)
    with pytest.raises(UserError, match=r"after today \(2026-05-20, Asia/Shanghai\)"):
        _record(w, task, CODES[0], date(2026, 5, 21))
    assert _record(w, task, CODES[0], TODAY).inspected_on == TODAY
    with pytest.raises(UserError, match="decided_on 2026-06-01 is after today"):
        record_service.record_result(w.session, w.platform, w.tenant, task.id, CODES[0],
                                     "no_problem", decided_on=date(2026, 6, 1), today=TODAY)


def test_miit_art_15_work_cannot_end_in_the_future(world_for) -> None:
    """第十五条 在每次随机抽查工作结束后30个工作日内: the end of the work is a past fact."""
    w = world_for("miit")
    task = drawn_task(w)
    record_all(w, task)
    with pytest.raises(UserError, match="after today"):
        plan_service.end_work(w.session, w.tenant, task.id, date(2026, 5, 21), today=TODAY)
    ended = plan_service.end_work(w.session, w.tenant, task.id, TODAY, today=TODAY)
    assert ended.work_ended_on == TODAY


def test_cq_art_14_ending_work_with_records_missing_names_them_and_needs_confirmation(
    world_for,
) -> None:
    """Ending the work with 2 of 3 records missing is refused, naming both targets; naming
    only one is not enough; naming both ends it and the audit keeps whom it left out."""
    w = world_for("chongqing")
    task = drawn_task(w)
    _record(w, task, CODES[0], TODAY)
    with pytest.raises(UserError, match="2 of 3 drawn targets have no on-site record") as err:
        plan_service.end_work(w.session, w.tenant, task.id, TODAY, today=TODAY)
    assert CODES[1] in str(err.value) and CODES[2] in str(err.value)
    assert CODES[0] not in str(err.value)
    with pytest.raises(UserError, match=CODES[2]):
        plan_service.end_work(w.session, w.tenant, task.id, TODAY, today=TODAY,
                              missing_confirmed=[CODES[1]])
    ended = plan_service.end_work(w.session, w.tenant, task.id, TODAY, today=TODAY,
                                  missing_confirmed=[CODES[1].lower(), CODES[2]])
    assert ended.status == "work_ended"
    from sqlalchemy import select

    from shuangsuiji.models.audit import AuditEvent
    event = w.session.scalars(select(AuditEvent).where(AuditEvent.action == "task.work_end")
                              .order_by(AuditEvent.id.desc())).first()
    assert event is not None
    assert sorted(event.payload["missing_confirmed"]) == [CODES[1], CODES[2]]
