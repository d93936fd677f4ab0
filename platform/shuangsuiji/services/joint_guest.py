"""A joint task of another tenant, as a participant tenant works on it from its own login.

The participant tenant sees the joint task (its code, title, dates, status), every
participant with its answer, results and publication, the drawn targets and the results of
its own items — nothing else of the host (services/joint_tenants.py reads by its tenant id).
It records the results of its own items (under its own pack's results) and publishes them
(by its own pack's deadline); each act is audited in the host's chain and in its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.errors import UserError
from shuangsuiji.models.inspections import InspectionRecord
from shuangsuiji.models.joint import ItemResult, ParticipantPublication, TaskParticipant
from shuangsuiji.models.plans import Task
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.platform import Platform
from shuangsuiji.services import audit, joint_results, names
from shuangsuiji.services.joint_results import ParticipantView
from shuangsuiji.services.joint_tenants import in_tenant, invitation, joint_code, own_code
from shuangsuiji.services.joint_tenants import invitations as invitation_rows
from shuangsuiji.services.lifecycle import drawn_targets, live_draw


@dataclass(frozen=True)
class GuestView:
    """What a participant tenant sees of another tenant's joint task."""

    host: Tenant
    task: Task
    own: TaskParticipant
    participants: list[ParticipantView]
    targets: list[tuple[str, str]]  # (credit code, name) of the drawn targets
    recorded: set[str]  # credit codes with their on-site record
    results: list[ItemResult]  # of its own items


def view(session: Session, guest: Tenant, task_code: str,
         host_slug: str | None = None) -> GuestView:
    """The joint task ``task_code`` of another tenant that ``guest`` takes part in."""
    host, task, own = invitation(session, guest, task_code, host_slug)
    with in_tenant(session, host.id):
        parts = joint_results.views(session, task)
        targets: list[tuple[str, str]] = []
        if task.status != "planned":
            try:
                shown = names.drawn_target_names(session, live_draw(session, task).id)
                targets = [(t.credit_code, shown.get(t.credit_code, ""))
                           for t in drawn_targets(session, task)]
            except UserError:
                targets = []
        recorded = set(session.scalars(select(InspectionRecord.credit_code)
                                       .where(InspectionRecord.task_id == task.id)))
        results = list(session.scalars(
            select(ItemResult).where(ItemResult.task_id == task.id,
                                     ItemResult.participant_code == own.code)
            .order_by(ItemResult.credit_code, ItemResult.item_code)))
    return GuestView(host, task, own, parts, targets, recorded, results)


def record_result(session: Session, platform: Platform, guest: Tenant, task_code: str,
                  credit_code: str, item: str, result: str, *, handling: str = "",
                  decided_on: date | None = None, host_slug: str | None = None,
                  today: date | None = None) -> ItemResult:
    """``guest`` sets the result of one of its own items (its own code, or ``slug/code``) at
    one drawn target of the joint task, after the target's one on-site record."""
    host, task, _ = invitation(session, guest, task_code, host_slug)
    code = joint_code(guest.slug, own_code(guest.slug, item.strip()))
    with in_tenant(session, host.id):
        row = joint_results.record_item_result(
            session, platform, host, task.code, credit_code, code, result, handling=handling,
            decided_on=decided_on, today=today, acting=guest)
    audit.record(session, tenant_id=guest.id, action="joint.item_result",
                 object_type="task", object_id=f"{host.slug}/{task.code}",
                 payload={"target": row.credit_code, "item": code, "result": result})
    return row


def publish(session: Session, platform: Platform, guest: Tenant, task_code: str, *,
            host_slug: str | None = None, at: datetime | None = None
            ) -> ParticipantPublication:
    """``guest`` publishes the results of its own items of the joint task, by its own
    pack's deadline (``at``: when; default now)."""
    host, task, own = invitation(session, guest, task_code, host_slug)
    with in_tenant(session, host.id):
        row = joint_results.publish_participant(session, platform, host, task.code, own.code,
                                                acting=guest, at=at)
    audit.record(session, tenant_id=guest.id, action="joint.publish", object_type="task",
                 object_id=f"{host.slug}/{task.code}",
                 payload={"published_on": row.published_on, "due_on": row.due_on,
                          "on_time": row.on_time, "cite": row.deadline_cite,
                          "results": row.results})
    return row


def portal_rows(session: Session, guest: Tenant
                ) -> list[tuple[Tenant, Task, list[ParticipantView]]]:
    """The joint tasks of other tenants that ``guest`` takes part in (accepted), with every
    participant, for its portal: each shown once, as on the host's portal."""
    out = []
    for host, task, own in invitation_rows(session, guest):
        if own.state != "accepted":
            continue
        with in_tenant(session, host.id):
            out.append((host, task, joint_results.views(session, task)))
    return out
