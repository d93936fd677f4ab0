"""What an operator with database access could do to a tenant's history, done by hand."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shuangsuiji.db.audit_guard import unaudited
from shuangsuiji.models.audit import AuditEvent, LogCheckpoint
from shuangsuiji.services import audit, translog


def events(s: Session, tenant_id: int) -> list[AuditEvent]:
    return list(s.scalars(select(AuditEvent).where(AuditEvent.tenant_id == tenant_id)
                          .order_by(AuditEvent.seq)))


def cover_tracks(s: Session, tenant_id: int, *, forget_checkpoints: bool = True) -> None:
    """Renumber the tenant's events 1..n, recompute every chain hash, rebuild its stored
    tree from the events, and (by default) drop the checkpoints it issued: what is left
    is internally consistent; only checkpoints kept elsewhere can tell."""
    rows = events(s, tenant_id)
    for e in rows:  # out of the way of the unique (tenant, seq) first
        e.seq = -e.seq - 1_000_000
    s.flush()
    prev = audit.GENESIS
    for seq, e in enumerate(rows, start=1):
        e.seq, e.prev_hash = seq, prev
        e.hash = audit.event_hash(e)
        prev = e.hash
    s.flush()
    translog.build(s, tenant_id)
    if forget_checkpoints:
        s.execute(delete(LogCheckpoint).where(LogCheckpoint.tenant_id == tenant_id))


def tamper(s: Session, reason: str) -> unaudited:  # type: ignore[valid-type]
    return unaudited(s, reason)  # type: ignore[return-value]
