"""`ssj audit verify` names a domain row without its event, and an event whose row is gone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import delete, select

from shuangsuiji.db.audit_guard import unaudited
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.models.draws import Draw, DrawPool, DrawSelection
from shuangsuiji.services import draws
from shuangsuiji.services import tenants as tenant_service
from tests.draws.conftest import make_task  # noqa: F401 - the fixture
from tests.translog.tamper import cover_tracks


def _drawn(platform: Any, make_task: Callable[..., str]) -> Draw:  # noqa: F811
    code = make_task("chongqing")
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "chongqing")
        s.info["tenant_id"] = tenant.id
        record = draws.draw(s, platform, tenant, code, seed="dice 1-2-3")
        s.commit()
        return record


def _verify(app: Flask) -> Any:
    return app.test_cli_runner().invoke(args=["audit", "verify", "--tenant", "chongqing"])


def test_a_drawn_tenant_checks_out(app: Flask, platform: Any,
                                   make_task: Callable[..., str]) -> None:  # noqa: F811
    _drawn(platform, make_task)
    ok = _verify(app)
    assert ok.exit_code == 0, ok.output
    assert "every draw" in ok.output


def test_draw_without_its_event(app: Flask, platform: Any,
                                make_task: Callable[..., str]) -> None:  # noqa: F811
    record = _drawn(platform, make_task)
    with platform.db.session() as s, unaudited(s, "test: the draw's event removed"):
        s.execute(delete(AuditEvent).where(AuditEvent.tenant_id == record.tenant_id,
                                           AuditEvent.action == "draw.commit"))
        cover_tracks(s, record.tenant_id)
        s.commit()
    bad = _verify(app)
    assert bad.exit_code != 0 and "Traceback" not in bad.output
    assert f"draw {record.id} has no audit event" in bad.output


def test_event_whose_draw_is_gone(app: Flask, platform: Any,
                                  make_task: Callable[..., str]) -> None:  # noqa: F811
    record = _drawn(platform, make_task)
    with platform.db.session(record.tenant_id) as s, \
            unaudited(s, "test: the draw row deleted"):
        s.execute(delete(DrawSelection).where(DrawSelection.draw_id == record.id))
        s.execute(delete(DrawPool).where(DrawPool.draw_id == record.id))
        s.execute(delete(Draw).where(Draw.id == record.id))
        s.commit()
        seq = s.scalar(select(AuditEvent.seq).where(AuditEvent.action == "draw.commit",
                                                    AuditEvent.tenant_id == record.tenant_id))
    bad = _verify(app)
    assert bad.exit_code != 0
    assert f"event {seq} records draw {record.id}, but that row is gone" in bad.output


def test_a_selection_changed_by_hand_is_named(app: Flask, platform: Any,
                                              make_task: Callable[..., str]) -> None:  # noqa: F811
    record = _drawn(platform, make_task)
    with platform.db.session(record.tenant_id) as s, \
            unaudited(s, "test: a drawn target swapped for another by hand"):
        row = s.scalars(select(DrawSelection).where(DrawSelection.draw_id == record.id)
                        .order_by(DrawSelection.position)).first()
        row.credit_code = "91500000MA00000000"
        s.commit()
    bad = _verify(app)
    assert bad.exit_code != 0
    assert f"draw {record.id}: its" in bad.output and "selection rows" in bad.output


def test_an_import_batch_without_its_event_is_named(app: Flask, platform: Any,
                                                    make_task: Callable[..., str]  # noqa: F811
                                                    ) -> None:
    from shuangsuiji.models.directories import ImportBatch

    record = _drawn(platform, make_task)
    with platform.db.session(record.tenant_id) as s, \
            unaudited(s, "test: an import's event removed"):
        event = s.scalars(select(AuditEvent).where(
            AuditEvent.tenant_id == record.tenant_id, AuditEvent.object_type == "import_batch")
            .order_by(AuditEvent.seq)).first()
        assert event is not None and s.get(ImportBatch, int(event.object_id)) is not None
        s.execute(delete(AuditEvent).where(AuditEvent.id == event.id))
        cover_tracks(s, record.tenant_id)
        s.commit()
    bad = _verify(app)
    assert bad.exit_code != 0
    assert f"import batch {event.object_id} has no audit event" in bad.output
