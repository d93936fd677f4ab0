"""`ssj audit verify` names a publication and an on-site record whose events were removed
(and the tracks covered: chain renumbered, tree rebuilt), as it does for draws and imports
(tests/translog/test_crosscheck.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, select

from shuangsuiji.db.audit_guard import unaudited
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.services import crosscheck, publication
from shuangsuiji.services import plans as plan_service
from shuangsuiji.services import records as record_service
from tests.translog.tamper import cover_tracks

from .conftest import CODES, drawn_task, record_all
from .test_walk import REPORT


@pytest.mark.parametrize(("action", "named"), [
    ("task.publish", "publication T-1 has no audit event"),
    ("record.create", f"on-site record T-1/{sorted(CODES)[0]} has no audit event"),
])
def test_a_publication_or_record_without_its_event_is_named(world_for, action, named):
    world = world_for("miit")
    s = world.session
    task = drawn_task(world)
    record_all(world, task)
    plan_service.end_work(s, world.tenant, task.id, date(2026, 6, 30))
    record_service.write_report(s, world.platform, world.tenant, task.id, REPORT)
    publication.publish(s, world.platform, world.tenant, task.id,
                        at=datetime(2026, 7, 10, 2, 0, tzinfo=UTC))
    s.commit()
    assert crosscheck.cross_check(s, world.tenant.id) == []
    with unaudited(s, f"test: the {action} event removed"):
        events = s.scalars(select(AuditEvent).where(
            AuditEvent.tenant_id == world.tenant.id, AuditEvent.action == action)
            .order_by(AuditEvent.seq)).all()
        victim = next(e for e in events if action != "record.create"
                      or e.object_id.endswith(sorted(CODES)[0]))
        s.execute(delete(AuditEvent).where(AuditEvent.id == victim.id))
        cover_tracks(s, world.tenant.id)
        s.commit()
    problems = [str(p) for p in crosscheck.cross_check(s, world.tenant.id)]
    assert any(named in p for p in problems), problems
