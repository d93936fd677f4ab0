"""A committed draw as a third party re-runs it: its bundle with the recusal steps, the
announcement's inclusion in the transparency log, and the draws of a task.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji import kernel
from shuangsuiji.kernel.orgtree import UNITS_KEY
from shuangsuiji.models.draws import Draw
from shuangsuiji.models.plans import Task
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.services.draws.steps import current_result, is_v2


def bundle_annotations(record: Draw, task: Task) -> dict[str, Any]:
    """What the bundle says about the ceremony and the record; covered by the draw digest."""
    return {
        "tenant_task": task.code,
        "task_title": task.title,
        "attempt": record.attempt,
        "seed_source": record.seed_source,
        "witnesses": list(record.witnesses),
        "rules": [record.rules_pack, record.rules_version],
        "item_list_version": record.item_list_version,
        "replaces_draw": record.replaces_draw_id,
    }


def export_bundle(session: Session, record: Draw) -> dict[str, Any]:
    """The bundle of a draw with its recusal steps, as a third party re-runs it."""
    task = session.get(Task, record.task_id)
    assert task is not None
    if not is_v2(record):
        return kernel.make_bundle(current_result(record),
                                  annotations=bundle_annotations(record, task),
                                  units=record.bundle.get(UNITS_KEY))
    stored = record.bundle
    bundle = kernel.make_bundle(
        current_result(record), annotations=bundle_annotations(record, task),
        announcement=stored["announcement"], seed_inputs=stored["seed_inputs"],
        units=stored.get(UNITS_KEY),
        recusal_inputs=[{k: r.outcome.get(k) for k in kernel.RECUSAL_V2_KEYS}
                        for r in record.recusals],
    )
    log = announcement_log(session, record)
    if log is not None:
        digests = bundle.pop("digests")
        bundle["log"] = log
        bundle["digests"] = digests
    return bundle


def announcement_log(session: Session, record: Draw) -> dict[str, Any] | None:
    """The announcement's ``draw.announce`` event as a leaf of the tenant's transparency log,
    with an inclusion proof into the latest checkpoint issued since (docs/draw-spec.md
    §13.5); None while no checkpoint covers it. Nothing is written."""
    from shuangsuiji.models.audit import AuditEvent
    from shuangsuiji.models.draws import DrawAnnouncement
    from shuangsuiji.services import translog

    row = session.scalar(select(DrawAnnouncement).where(DrawAnnouncement.draw_id == record.id))
    if row is None:
        return None
    event = session.scalar(select(AuditEvent).where(
        AuditEvent.action == "draw.announce", AuditEvent.object_type == "announcement",
        AuditEvent.object_id == str(row.id)))
    if event is None:
        return None
    index = translog.leaf_index(event)
    covering = [c for c in translog.issued_checkpoints(session, record.tenant_id)
                if c.tree_size > index]
    if not covering:
        return None
    checkpoint = covering[-1]
    tenant = session.get(Tenant, record.tenant_id)
    assert tenant is not None
    return {
        "event": translog.leaf_fields(event, tenant.slug),
        "payload": event.payload,
        "checkpoint": checkpoint.note,
        "inclusion": [h.hex() for h in translog.inclusion(session, record.tenant_id, index,
                                                           checkpoint.tree_size)],
    }


def draws_of(session: Session, task: Task) -> list[Draw]:
    """Every draw of a task, voided ones included, oldest first."""
    return list(session.scalars(select(Draw).where(Draw.task_id == task.id).order_by(Draw.attempt)))
