"""Append to and verify the per-tenant, hash-chained audit log; every event is also a leaf
of the tenant's transparency log (:mod:`shuangsuiji.services.translog`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shuangsuiji.canonical import canonical_json, digest, instant
from shuangsuiji.db.base import utcnow
from shuangsuiji.db.session import ACTOR_KEY, set_actor
from shuangsuiji.messages import msg
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.services import translog

GENESIS = "0" * 64

#: Events after which the tenant's log is signed at once, in the same transaction: the
#: moment a draw is committed or voided, an announcement published, or a recusal declared
#: or applied, the public can fetch a checkpoint that covers it (docs/transparency-log.md §3;
#: the portal's draw page shows it), and the deployment's central witness has countersigned
#: it (a split view refuses the step: services/witness.py).
CHECKPOINT_ACTIONS = frozenset({"draw.announce", "draw.commit", "draw.void",
                                "draw.recusal_declared", "draw.recusal"})


_instant = instant  # the earlier private name, still used by tests


def event_hash(event: AuditEvent) -> str:
    """The hash of one event: every field and the previous hash."""
    return digest(
        {
            "tenant_id": event.tenant_id,
            "seq": event.seq,
            "at": instant(event.at),
            "actor": event.actor,
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "payload_digest": event.payload_digest,
            "prev_hash": event.prev_hash,
        }
    )


def record(
    session: Session,
    *,
    tenant_id: int,
    action: str,
    object_type: str,
    object_id: str | int,
    payload: dict[str, Any] | None = None,
    actor: str | None = None,
) -> AuditEvent:
    """Append an event in the caller's transaction.

    The next ``seq`` is read inside the transaction; the unique (tenant_id, seq) constraint
    makes a concurrent append fail rather than fork the chain.
    """
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash)
        .where(AuditEvent.tenant_id == tenant_id)
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    # the JSON column and the digest take plain JSON: dates and sets become strings and lists
    payload = json.loads(canonical_json(payload or {}))
    event = AuditEvent(
        tenant_id=tenant_id,
        seq=(last.seq + 1) if last else 1,
        at=utcnow(),
        actor=actor or session.info.get(ACTOR_KEY) or "system",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        payload=payload,
        payload_digest=digest(payload),
        prev_hash=last.hash if last else GENESIS,
    )
    event.hash = event_hash(event)
    translog.append(session, event)  # sets event.log_nodes: the log costs no statement
    session.add(event)
    session.flush()
    if action in CHECKPOINT_ACTIONS and session.info.get(translog.LOG_KEYS) is not None:
        # rolled back with the event, if it is; the central witness countersigns it
        text = translog.checkpoint(session, tenant_id, appended=event.seq)
        from shuangsuiji.services import witness

        witness.countersign_at_once(session, tenant_id, text, event.seq)
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    count: int
    first_bad_seq: int | None = None
    problem: str | None = None  # a message (shuangsuiji.messages)


def verify(session: Session, tenant_id: int) -> ChainReport:
    """Walk the tenant's chain; name the first event that was modified, deleted, inserted or
    moved."""
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.tenant_id == tenant_id).order_by(AuditEvent.seq)
    ).all()
    prev = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return ChainReport(False, len(events), event.seq,
                               msg("event %(seq)s: expected seq %(expected)s (an event before "
                                   "it was deleted or the order changed)", seq=event.seq,
                                   expected=expected_seq))
        if event.prev_hash != prev:
            return ChainReport(False, len(events), event.seq,
                               msg("event %(seq)s: previous-hash link broken (an event "
                                   "before it was changed, inserted or removed)",
                                   seq=event.seq))
        if digest(event.payload) != event.payload_digest:
            return ChainReport(False, len(events), event.seq,
                               msg("event %(seq)s: payload does not match its digest",
                                   seq=event.seq))
        if event_hash(event) != event.hash:
            return ChainReport(False, len(events), event.seq,
                               msg("event %(seq)s (%(action)s): fields changed since it was "
                                   "written", seq=event.seq, action=event.action))
        prev = event.hash
    return ChainReport(True, len(events))


def count(session: Session, tenant_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.tenant_id == tenant_id)
    ) or 0


__all__ = ["ACTOR_KEY", "ChainReport", "canonical_json", "count", "record", "set_actor",
           "verify"]
