"""Whose on-site record of a joint task's target is it (联合抽查): the record is the host's
row, and the other tenant's own chain says which visit records it wrote; when the host
rewrites one of those, that tenant's chain says so too."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.models.joint import TaskParticipant
from shuangsuiji.models.plans import Task
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.services import audit

_WRITTEN = ("joint.record", "joint.record_update")  # its own chain's events of its records


def written_by(session: Session, guest: Tenant, host: Tenant, task: Task) -> set[str]:
    """The credit codes of the joint task's on-site records that ``guest`` wrote (from its
    own login), as its own audit chain says: the record is the host's row, the chain says
    whose visit record it is."""
    rows = session.scalars(select(AuditEvent.payload).where(
        AuditEvent.tenant_id == guest.id, AuditEvent.action.in_(_WRITTEN),
        AuditEvent.object_type == "task", AuditEvent.object_id == f"{host.slug}/{task.code}"))
    return {str(p.get("target")) for p in rows if isinstance(p, dict) and p.get("target")}


def note_host_rewrite(session: Session, host: Tenant, task: Task, credit_code: str,
                      before: str, after: str) -> None:
    """The host rewrote the on-site record of ``credit_code`` that another tenant of the
    joint task wrote: recorded in that tenant's chain too (``joint.record_rewritten``, the
    record's digests before and after), so its own log shows its visit record changed,
    not only the host's."""
    if not task.joint:
        return
    guests = session.scalars(select(Tenant).join(
        TaskParticipant, TaskParticipant.participant_tenant_id == Tenant.id).where(
        TaskParticipant.task_id == task.id, TaskParticipant.kind == "tenant")).all()
    for guest in guests:
        if credit_code in written_by(session, guest, host, task):
            audit.record(session, tenant_id=guest.id, action="joint.record_rewritten",
                         object_type="task", object_id=f"{host.slug}/{task.code}",
                         payload={"target": credit_code, "before": before, "record": after,
                                  "by": str(session.info.get(audit.ACTOR_KEY) or "system")})
