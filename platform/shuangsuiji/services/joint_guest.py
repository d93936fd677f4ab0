"""A joint task of another tenant, as a participant tenant works on it from its own login.

The participant tenant sees the joint task (its code, title, dates, status), every
participant with its answer, results and publication, the drawn targets and the results of
its own items — nothing else of the host (services/joint_tenants.py reads by its tenant id).
It records the results of its own items (under its own pack's results) and publishes them
(by its own pack's deadline); each act is audited in the host's chain and in its own.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.errors import Conflict, UserError
from shuangsuiji.messages import msg
from shuangsuiji.models.inspections import InspectionRecord
from shuangsuiji.models.joint import ItemResult, ParticipantPublication, TaskParticipant
from shuangsuiji.models.plans import AT_WORK_STATUSES, LOCKED_STATUSES, Task
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.platform import Platform
from shuangsuiji.services import audit, joint_results, names, records
from shuangsuiji.services.joint_deadlines import participant_deadline
from shuangsuiji.services.joint_records import written_by
from shuangsuiji.services.joint_results import ParticipantView
from shuangsuiji.services.joint_tenants import in_tenant, invitation, joint_code, own_code
from shuangsuiji.services.joint_tenants import invitations as invitation_rows
from shuangsuiji.services.lifecycle import drawn_targets, group_progress, live_draw
from shuangsuiji.services.records import InspectorPresent
from shuangsuiji.workdays import Deadline


@dataclass(frozen=True)
class GuestView:
    """What a participant tenant sees of another tenant's joint task."""

    host: Tenant
    task: Task
    own: TaskParticipant
    participants: list[ParticipantView]
    targets: list[tuple[str, str]]  # (credit code, name) of the drawn targets
    groups: dict[str, tuple[str, ...]]  # credit code -> its group's inspectors (after recusal)
    recorded: set[str]  # credit codes with their on-site record
    results: list[ItemResult]  # of its own items
    deadline: Deadline | None = None  # its own, once the work has ended (until published)
    # credit codes whose record it wrote and may still correct (until it or the task
    # publishes: :func:`record_visit`)
    correctable: frozenset[str] = frozenset()


@dataclass(frozen=True)
class GuestAssignment:
    """An inspector of a participant tenant in a group of another tenant's joint task at
    work: the group, whether they lead it, its targets and how many are recorded."""

    host: Tenant
    task: Task
    group: int
    leader: bool
    targets: int
    recorded: int


def assignments(session: Session, guest: Tenant,
                codes: Collection[str]) -> list[GuestAssignment]:
    """The groups of other tenants' joint tasks at work that one of ``guest``'s inspector
    directory ``codes`` is in: in the host's draw each of ``guest``'s people is
    ``<guest slug>/<code>`` (services/joint_sources.py)."""
    if not codes:
        return []
    mine = {joint_code(guest.slug, c) for c in codes}
    found = []
    for host, joint_task, own in invitation_rows(session, guest):
        if own.state != "accepted" or joint_task.status not in AT_WORK_STATUSES:
            continue
        with in_tenant(session, host.id):
            found += [GuestAssignment(host, joint_task, g.number, g.leader, g.targets,
                                      g.recorded)
                      for g in group_progress(session, joint_task.id,
                                              live_draw(session, joint_task), mine)]
    return found


def view(session: Session, guest: Tenant, task_code: str, host_slug: str | None = None, *,
         platform: Platform | None = None) -> GuestView:
    """The joint task ``task_code`` of another tenant that ``guest`` takes part in; with
    ``platform``, also ``guest``'s own publication deadline once the work has ended (until
    it has published)."""
    host, task, own = invitation(session, guest, task_code, host_slug)
    with in_tenant(session, host.id):
        parts = joint_results.views(session, task)
        targets: list[tuple[str, str]] = []
        groups: dict[str, tuple[str, ...]] = {}
        if task.status != "planned":
            try:
                shown = names.drawn_target_names(session, live_draw(session, task).id)
                drawn = drawn_targets(session, task)
            except UserError:  # no live draw (voided): nothing drawn to show
                shown, drawn = {}, []
            targets = [(t.credit_code, shown.get(t.credit_code, "")) for t in drawn]
            groups = {t.credit_code: tuple(t.inspectors) for t in drawn}
        recorded = set(session.scalars(select(InspectionRecord.credit_code)
                                       .where(InspectionRecord.task_id == task.id)))
        results = list(session.scalars(
            select(ItemResult).where(ItemResult.task_id == task.id,
                                     ItemResult.participant_code == own.code)
            .order_by(ItemResult.credit_code, ItemResult.item_code)))
        deadline = None
        if platform is not None and task.work_ended_on is not None and not any(
                p.code == own.code and p.published_on for p in parts):
            try:
                deadline = participant_deadline(session, platform, host, task, guest)
            except UserError:
                deadline = None  # the rule cannot be applied: publishing names why
        correctable: frozenset[str] = frozenset()
        if task.status not in LOCKED_STATUSES and not any(
                p.code == own.code and p.published_on for p in parts):
            correctable = frozenset(written_by(session, guest, host, task) & recorded)
    return GuestView(host, task, own, parts, targets, groups, recorded, results, deadline,
                     correctable)


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


@dataclass(frozen=True)
class Visit:
    """The one on-site record of a target, as a participant tenant enters it."""

    method: str
    inspected_on: date
    inspectors: Sequence[InspectorPresent]
    findings: str
    acknowledgement: str
    refusal_reason: str | None = None
    inspectors_signed: bool = False
    witness: str | None = None


def record_visit(session: Session, platform: Platform, guest: Tenant, task_code: str,
                 credit_code: str, visit: Visit, results: Mapping[str, tuple[str, str]], *,
                 host_slug: str | None = None, today: date | None = None) -> InspectionRecord:
    """``guest`` enters the one on-site record of a drawn target of the joint task (the
    visit all participants made: 进一次门、查多项事), with the results of **its own** items
    (``results``: an item code as the task holds it — its own are ``slug/code`` — →
    (result, handling); an item left empty is left for later). One record per visit:
    once a participant has written it, each adds the results of its own items
    (:func:`record_result`); the host sees the whole.

    A record ``guest`` wrote itself it may write again to correct it, as the host rewrites
    its own (services/records.py: until the task is published), and until ``guest`` has
    published its own results (they were published from it); the rewrite is audited as
    every record edit (``record.update`` with the digest before, in the host's chain;
    ``joint.record_update`` in its own). A record the host wrote stays the host's.

    The record follows the host's on-site rules (MIIT/CQ 第十三条: the task and the record
    are the host's; planning refused packs whose credentials could not both hold). Refused,
    nothing written (the caller rolls back): a record written by the host, one ``guest``
    wrote once it or the task has published, another participant's item (by name), a
    result its own pack does not know."""
    host, task, own = invitation(session, guest, task_code, host_slug)
    code = credit_code.strip().upper()
    entries = {i.strip(): r for i, r in results.items()}
    where = msg("task %(task)s, target %(code)s", task=task.code, code=code)
    with in_tenant(session, host.id):
        again = session.scalar(select(InspectionRecord.id).where(
            InspectionRecord.task_id == task.id,
            InspectionRecord.credit_code == code)) is not None
        if again and code not in written_by(session, guest, host, task):
            raise Conflict(msg("the on-site record of %(code)s is already written: one record "
                               "per visit", code=code), where=where,
                           hint=msg("enter the results of your own items for it instead"))
        if again and joint_results.has_published(session, task, own.code):
            raise Conflict(msg("%(code)s has already published its results of task %(task)s",
                               code=own.code, task=task.code), where=where)
        row = records.record_on_site(
            session, platform, host, task.id, code, method=visit.method,
            inspected_on=visit.inspected_on, inspectors=visit.inspectors,
            findings=visit.findings, acknowledgement=visit.acknowledgement,
            refusal_reason=visit.refusal_reason, inspectors_signed=visit.inspectors_signed,
            witness=visit.witness, today=today, acting=guest)
        saved = joint_results.record_visit_results(
            session, platform, host, task.id, code, entries, decided_on=visit.inspected_on,
            allowed=set(own.item_codes), acting=guest)
    audit.record(session, tenant_id=guest.id,
                 action="joint.record_update" if again else "joint.record",
                 object_type="task", object_id=f"{host.slug}/{task.code}",
                 payload={"target": code, "inspected_on": visit.inspected_on,
                          "results": {r.item_code: r.result for r in saved}})
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
                          "on_time": row.on_time, "provisional": row.provisional,
                          "cite": row.deadline_cite,
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
