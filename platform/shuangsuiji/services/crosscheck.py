"""Cross-check a tenant's domain tables against its audit events: every announcement,
draw, void, recusal, publication, on-site record and import batch has the event its service
writes in the same transaction, and every such event still has its row. A row written (or deleted)
behind the platform's back is named (``ssj audit verify``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.messages import msg
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.models.directories import ImportBatch
from shuangsuiji.models.draws import Draw, DrawAnnouncement, DrawVoid, Recusal
from shuangsuiji.models.inspections import InspectionRecord, Publication
from shuangsuiji.models.plans import Task

Key = tuple[str, str]  # (kind, object id)


def _event_keys(events: Iterable[AuditEvent]) -> dict[Key, int]:
    """What each event vouches for, with its seq."""
    keys: dict[Key, int] = {}
    for e in events:
        a = e.action
        if a == "draw.commit":
            keys[("draw", e.object_id)] = e.seq
        elif a == "draw.announce":
            keys[("announcement", e.object_id)] = e.seq
        elif a == "draw.void":
            keys[("draw void", e.object_id)] = e.seq
        elif a == "draw.recusal":
            keys[("recusal", f"{e.object_id}/{(e.payload or {}).get('step')}")] = e.seq
        elif a == "task.publish":
            keys[("publication", e.object_id)] = e.seq
        elif a in ("record.create", "record.update"):
            keys.setdefault(("on-site record", e.object_id), e.seq)
        elif a.startswith("import.") and e.object_type == "import_batch":
            keys[("import batch", e.object_id)] = e.seq
    return keys


def _row_keys(session: Session, tenant_id: int) -> set[Key]:
    rows: set[Key] = set()
    t: Any
    for (i,) in session.execute(select(Draw.id).where(Draw.tenant_id == tenant_id)):
        rows.add(("draw", str(i)))
    for (i,) in session.execute(select(DrawAnnouncement.id)
                                .where(DrawAnnouncement.tenant_id == tenant_id)):
        rows.add(("announcement", str(i)))
    for (i,) in session.execute(select(DrawVoid.draw_id).where(DrawVoid.tenant_id == tenant_id)):
        rows.add(("draw void", str(i)))
    for d, step in session.execute(select(Recusal.draw_id, Recusal.step)
                                   .where(Recusal.tenant_id == tenant_id)):
        rows.add(("recusal", f"{d}/{step}"))
    for (t,) in session.execute(select(Task.code).join(Publication, Publication.task_id == Task.id)
                                .where(Publication.tenant_id == tenant_id)):
        rows.add(("publication", t))
    for t, code in session.execute(select(Task.code, InspectionRecord.credit_code)
                                   .join(Task, Task.id == InspectionRecord.task_id)
                                   .where(InspectionRecord.tenant_id == tenant_id)):
        rows.add(("on-site record", f"{t}/{code}"))
    for (i,) in session.execute(select(ImportBatch.id).where(ImportBatch.tenant_id == tenant_id)):
        rows.add(("import batch", str(i)))
    return rows


def cross_check(session: Session, tenant_id: int) -> list[str]:
    """Problems: rows without their event, events whose row is gone."""
    events = session.scalars(select(AuditEvent).where(AuditEvent.tenant_id == tenant_id)
                             .order_by(AuditEvent.seq))
    vouched = _event_keys(events)
    rows = _row_keys(session, tenant_id)
    problems: list[str] = [
        msg("%(kind)s %(id)s has no audit event (written behind the platform's back, or its "
            "event was deleted)", kind=kind, id=oid)
        for kind, oid in sorted(rows - set(vouched))]
    problems += [msg("event %(seq)s records %(kind)s %(id)s, but that row is gone (deleted "
                     "behind the platform's back)", seq=vouched[k], kind=k[0], id=k[1])
                 for k in sorted(set(vouched) - rows, key=lambda k: vouched[k])]
    return problems + _selections(session, tenant_id)


def _selections(session: Session, tenant_id: int) -> list[str]:
    """Each draw's selection rows against what its ``draw.commit`` event vouches for: the
    bundle digest (the event's payload) and, through the stored bundle it seals, the drawn
    targets in draw order. A selection added, removed, changed or reordered by hand is
    named."""
    from shuangsuiji.models.draws import DrawSelection
    from shuangsuiji.services import draws as draw_service

    commits = {e.object_id: e for e in session.scalars(select(AuditEvent).where(
        AuditEvent.tenant_id == tenant_id, AuditEvent.action == "draw.commit"))}
    found: list[str] = []
    for record in session.scalars(select(Draw).where(Draw.tenant_id == tenant_id)
                                  .order_by(Draw.id)):
        event = commits.get(str(record.id))
        if event is None:
            continue  # named above: a draw without its event
        sealed = (event.payload or {}).get("bundle_digest")
        stored = (record.bundle or {}).get("digests", {}).get("draw")
        if sealed != record.bundle_digest or sealed != stored:
            found.append(msg("draw %(draw)s: its bundle digest is not the one its event "
                             "%(seq)s recorded (changed behind the platform's back)",
                             draw=record.id, seq=event.seq))
            continue
        rows = [c for (c,) in session.execute(
            select(DrawSelection.credit_code).where(DrawSelection.draw_id == record.id)
            .order_by(DrawSelection.position, DrawSelection.id))]
        if rows != list(draw_service.current_result(record).selected):
            found.append(msg("draw %(draw)s: its %(n)s selection rows are not the targets its "
                             "sealed bundle drew (a selection added, removed or changed "
                             "behind the platform's back)", draw=record.id, n=len(rows)))
    return found
