"""A joint task's results: one on-site record per target, a result per item, and publication
by each participant of its own items (联合抽查, 进一次门、查多项事).

The record of a target is the ordinary one (services/records.py: one visit). Each item's
result is an :class:`ItemResult`, entered for the participant that brings the item; once
every item of a target has one, the target's result (statistics, the deadline board) is
set from them: the first item (by code) whose result found a problem, else the first item.
Each participant then publishes its own items' results, by its own pack's deadline
(MIIT 第十五条 / CQ 第十四条); the task is published when every participant has.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.errors import Conflict, NotFound, UserError
from shuangsuiji.messages import msg
from shuangsuiji.models.directories import Target
from shuangsuiji.models.inspections import (
    DirectedNotification,
    InspectionRecord,
    InspectionResult,
    Publication,
    PublishedResult,
    TaskReport,
)
from shuangsuiji.models.joint import ItemResult, ParticipantPublication, TaskParticipant
from shuangsuiji.models.plans import LOCKED_STATUSES, Task
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.platform import Platform
from shuangsuiji.services import audit, joint_host, joint_sources
from shuangsuiji.services.deadlines import task_facts
from shuangsuiji.services.joint import participants
from shuangsuiji.services.joint_deadlines import participant_deadline
from shuangsuiji.services.joint_tenants import task_item_code
from shuangsuiji.services.lifecycle import (
    RuleRefused,
    drawn_targets,
    get_task,
    not_in_future,
    now_utc,
    today_in_china,
)
from shuangsuiji.services.plans import task_items
from shuangsuiji.services.records import problem_found


def _participant(session: Session, task: Task, code: str) -> TaskParticipant:
    row = next((p for p in participants(session, task) if p.code == code), None)
    if row is None:
        raise NotFound(msg("%(code)s is not a participant of task %(task)s", code=code,
                           task=task.code), where="participant",
                       hint=msg("the participants are %(codes)s", codes=", ".join(
                           p.code for p in participants(session, task)) or "-"))
    return row


def has_published(session: Session, task: Task, code: str) -> bool:
    """Has participant ``code`` of the joint ``task`` published its own items' results?"""
    return session.scalar(select(ParticipantPublication.id).where(
        ParticipantPublication.task_id == task.id,
        ParticipantPublication.participant_code == code)) is not None


def _acting(session: Session, tenant: Tenant, part: TaskParticipant,
            acting: Tenant | None) -> Tenant:
    """The tenant whose pack governs ``part``'s results (its own), refused when another
    tenant acts for it: each tenant records and publishes its own items only."""
    acting = acting or tenant
    own = part.participant_tenant_id if part.kind == "tenant" else tenant.id
    if acting.id != own:
        owner = session.get(Tenant, own)
        raise Conflict(msg("the items of %(code)s are recorded and published by %(owner)s, "
                           "from its own login", code=part.code,
                           owner=owner.slug if owner is not None else "?"),
                       where="participant")
    return acting


def record_item_result(session: Session, platform: Platform, tenant: Tenant,
                       task_ref: int | str, credit_code: str, item_code: str, result: str, *,
                       handling: str = "", decided_on: date | None = None,
                       today: date | None = None, acting: Tenant | None = None) -> ItemResult:
    """Set the result of one item at one drawn target of a joint task (its record first).

    ``tenant`` is the task's; ``acting`` (default: the same) the tenant entering it, which
    must be the participant's own: another tenant's items are its own to record, under its
    own pack's results."""
    task = get_task(session, task_ref)
    if task.status in LOCKED_STATUSES:
        raise Conflict(msg("task %(task)s is published; its results can no longer change",
                           task=task.code))
    credit_code = credit_code.strip().upper()
    where = msg("task %(task)s, target %(code)s, item %(item)s", task=task.code,
                code=credit_code, item=item_code)
    owner = next((p for p in participants(session, task) if item_code in p.item_codes), None)
    if owner is None:
        raise UserError(msg("item %(item)s is no participant's item of task %(task)s",
                            item=item_code, task=task.code), where=where)
    governing = _acting(session, tenant, owner, acting)
    if has_published(session, task, owner.code):
        raise Conflict(msg("%(code)s has published the results of its items; they can no "
                           "longer change", code=owner.code), where=where)
    if credit_code not in {t.credit_code for t in drawn_targets(session, task)}:
        raise NotFound(msg("%(code)s was not selected by the draw of task %(task)s",
                           code=credit_code, task=task.code), where=where)
    if session.scalar(select(InspectionRecord.id).where(
            InspectionRecord.task_id == task.id,
            InspectionRecord.credit_code == credit_code)) is None:
        raise Conflict(msg("%(code)s has no on-site record yet", code=credit_code), where=where,
                       hint=msg("write the record first"))
    decided_on = decided_on or today_in_china()
    not_in_future(decided_on, today, where=where, what="decided_on")
    codes = platform.policy_for(governing).rules(task.starts_on).result_codes()
    if result not in codes:
        raise UserError(msg("result %(result)r is not one of %(allowed)s", result=result,
                            allowed=codes), where=where)
    row = session.scalar(select(ItemResult).where(
        ItemResult.task_id == task.id, ItemResult.credit_code == credit_code,
        ItemResult.item_code == item_code))
    if row is None:
        row = ItemResult(task_id=task.id, credit_code=credit_code, item_code=item_code)
        session.add(row)
    row.participant_code, row.result, row.handling = owner.code, result, handling
    row.decided_on = decided_on
    row.problem_found = problem_found(platform, governing, task.starts_on, result)
    row.actor = str(session.info.get(audit.ACTOR_KEY) or "system")
    session.flush()
    _target_result(session, task, credit_code)
    audit.record(session, tenant_id=tenant.id, action="result.item_set",
                 object_type="item_result", object_id=f"{task.code}/{credit_code}/{item_code}",
                 payload={"participant": owner.code, "result": result, "handling": handling,
                          "problem_found": row.problem_found, "decided_on": decided_on})
    return row


def record_visit_results(session: Session, platform: Platform, tenant: Tenant,
                         task_ref: int | str, credit_code: str,
                         entries: Mapping[str, tuple[str, str]], *,
                         decided_on: date | None = None,
                         allowed: Collection[str] | None = None,
                         acting: Tenant | None = None) -> list[ItemResult]:
    """The items' results entered with the target's on-site record (the records page):
    ``entries`` maps an item code to (result, handling); an item left without a result is
    left for later. ``allowed``: the items the caller may enter (its participants'; None:
    every item); ``acting``: another tenant entering its own items (services/joint_guest.py).
    Refused by item, nothing written: an item of no participant, one the caller does not
    bring, a result the pack does not know."""
    task = get_task(session, task_ref)
    owners = {i: p.code for p in participants(session, task) for i in p.item_codes}
    out = []
    for item in sorted(entries):
        result, handling = entries[item]
        if not result:
            continue
        if item in owners and allowed is not None and item not in allowed:
            raise UserError(msg("item %(item)s is brought by %(code)s: its result is entered "
                                "by or for %(code)s", item=item, code=owners[item]),
                            where=msg("item %(item)s", item=item))
        out.append(record_item_result(session, platform, tenant, task.id, credit_code, item,
                                      result, handling=handling, decided_on=decided_on,
                                      acting=acting))
    return out


def _target_result(session: Session, task: Task, credit_code: str) -> None:
    """Once every item of the target has a result, the target's result follows them."""
    rows = sorted(session.scalars(select(ItemResult).where(
        ItemResult.task_id == task.id, ItemResult.credit_code == credit_code)),
        key=lambda r: r.item_code)
    wanted = {code for p in participants(session, task) for code in p.item_codes}
    if {r.item_code for r in rows} != wanted:
        return
    lead = next((r for r in rows if r.problem_found), rows[0])
    target = session.scalar(select(InspectionResult).where(
        InspectionResult.task_id == task.id, InspectionResult.credit_code == credit_code))
    if target is None:
        target = InspectionResult(task_id=task.id, credit_code=credit_code)
        session.add(target)
    target.result, target.problem_found = lead.result, any(r.problem_found for r in rows)
    target.handling = "；".join(r.handling for r in rows if r.handling)
    target.decided_on = max(r.decided_on for r in rows)
    target.actor = lead.actor
    session.flush()


@dataclass(frozen=True)
class ParticipantView:
    """A participant as statistics and the portal show it."""

    code: str
    name: str
    state: str
    item_codes: list[str]
    quota: int
    results: int
    problems: int
    published_on: date | None
    due_on: date | None
    on_time: bool | None
    provisional: bool = False  # its due date crosses a year its calendar does not cover
    kind: str = "unit"  # PARTICIPANT_KINDS: a unit of the host, or another tenant


def views(session: Session, task: Task) -> list[ParticipantView]:
    """Every participant of a joint task with its results (problems found) and publication."""
    pubs = {p.participant_code: p for p in session.scalars(
        select(ParticipantPublication).where(ParticipantPublication.task_id == task.id))}
    rows = list(session.scalars(select(ItemResult).where(ItemResult.task_id == task.id)))
    out = []
    for p in participants(session, task):
        own = [r for r in rows if r.participant_code == p.code]
        pub = pubs.get(p.code)
        out.append(ParticipantView(
            p.code, p.name, p.state, list(p.item_codes), p.quota, len(own),
            sum(r.problem_found for r in own), pub.published_on if pub else None,
            pub.due_on if pub else None, pub.on_time if pub else None,
            pub.provisional if pub else False, p.kind))
    return out


def publish_participant(session: Session, platform: Platform, tenant: Tenant,
                        task_ref: int | str, code: str, *, at: datetime | None = None,
                        directed_to: tuple[str, ...] = (),
                        acting: Tenant | None = None) -> ParticipantPublication:
    """Participant ``code`` publishes its own items' results of a joint task, by its own
    pack's deadline (another tenant, ``acting`` from its own login: its pack's)."""
    task = get_task(session, task_ref)
    part = _participant(session, task, code)
    governing = _acting(session, tenant, part, acting)
    if task.work_ended_on is None:
        raise UserError(msg("the work of task %(task)s has not ended", task=task.code),
                        hint=msg("ssj tasks end-work --tenant T --task %(task)s --on DATE",
                                 task=task.code))
    if has_published(session, task, code):
        raise Conflict(msg("%(code)s has already published its results of task %(task)s",
                           code=code, task=task.code))
    at = at or now_utc()
    policy = platform.policy_for(governing)  # a unit's own pack is its tenant's
    rules = policy.rules(task.work_ended_on)
    rule = policy.deadline_rule(task.work_ended_on, task_facts(session, task))
    drawn = [t.credit_code for t in drawn_targets(session, task)]
    records = {r.credit_code: r for r in session.scalars(
        select(InspectionRecord).where(InspectionRecord.task_id == task.id))}
    results = {(r.credit_code, r.item_code): r for r in session.scalars(
        select(ItemResult).where(ItemResult.task_id == task.id,
                                 ItemResult.participant_code == code))}
    missing = [f"{c}/{i}" if c in records else c for c in drawn for i in part.item_codes
               if c not in records or (c, i) not in results]
    if missing:
        raise RuleRefused(msg("%(code)s cannot publish task %(task)s: %(count)s result(s) of its "
                              "items are missing: %(listed)s", code=code, task=task.code,
                              count=len(missing), listed=", ".join(sorted(set(missing))[:10])),
                          cite=rule.cite, hint=msg("write every record and item result first"))
    report = session.scalar(select(TaskReport).where(TaskReport.task_id == task.id))
    if rules.report_rule.required and report is None:
        raise RuleRefused(msg("task %(task)s has no report (抽查情况报告)", task=task.code),
                          cite=rules.report_rule.cite,
                          hint=msg("write it: ssj report write --tenant T --task ..."))
    own_items = (joint_sources.guest_items(session, governing, part.item_codes)
                 if part.kind == "tenant" else
                 [i for i in task_items(session, task) if i.code in part.item_codes])
    # the participant's own pack's rule, counted in its own tenant's working days
    deadline = participant_deadline(session, platform, tenant, task, governing)
    published_on = today_in_china(at)
    actor = str(session.info.get(audit.ACTOR_KEY) or "system")
    pub = _task_publication(session, platform, tenant, task, at, published_on, actor)
    names = dict(session.execute(select(Target.credit_code, Target.name)
                                 .where(Target.credit_code.in_(drawn))).all())
    for item in own_items:
        key = task_item_code(part, item.code)
        if item.publication_mode != "public":
            audience = [d.strip() for d in (directed_to or item.departments) if d.strip()]
            if not audience:
                raise RuleRefused(msg("item %(item)s is not public (%(mode)s): name the "
                                      "departments that receive its directed notification",
                                      item=item.code, mode=item.publication_mode),
                                  cite=rule.cite, where="directed_to")
            session.add(DirectedNotification(
                publication_id=pub.id, task_id=task.id, item_code=key,
                departments=audience, credit_codes=sorted(drawn), reason=item.publication_mode,
                notified_at=at))
            continue
        for c in sorted(drawn):
            res = results[(c, key)]
            session.add(PublishedResult(
                publication_id=pub.id, task_id=task.id, item_code=key, credit_code=c,
                target_name=names.get(c, ""), result=res.result,
                result_name=rules.result_name_zh(res.result), problem_found=res.problem_found,
                handling=res.handling, inspected_on=records[c].inspected_on))
    row = ParticipantPublication(
        task_id=task.id, participant_code=code, publication_id=pub.id, published_at=at,
        published_on=published_on, due_on=deadline.due, on_time=published_on <= deadline.due,
        provisional=deadline.provisional, deadline_cite=str(deadline.cite),
        results=len(results), actor=actor)
    session.add(row)
    session.flush()
    parts = participants(session, task)
    done = set(session.scalars(select(ParticipantPublication.participant_code).where(
        ParticipantPublication.task_id == task.id)))
    if done >= {p.code for p in parts}:
        task.status = "published"
    own = joint_host.own_codes((p.code, p.kind) for p in parts)
    host_done = code in own and own <= done
    if host_done:  # the host's own part is published now: the task's row says when
        pub.published_at, pub.published_on = at, published_on
        pub.on_time = published_on <= pub.due_on
    session.flush()
    audit.record(session, tenant_id=tenant.id, action="task.participant_publish",
                 object_type="task", object_id=task.code,
                 payload={"participant": code, "items": part.item_codes,
                          "published_on": published_on, "due_on": deadline.due,
                          "on_time": row.on_time, "provisional": deadline.provisional,
                          "uncovered_years": list(deadline.uncovered_years),
                          "cite": str(deadline.cite),
                          "task_published": task.status == "published",
                          "host_published": host_done})
    for other in participants(session, task):  # the other tenants' chains (and portals)
        pid = other.participant_tenant_id
        if other.kind == "tenant" and pid is not None and pid != governing.id:
            audit.record(session, tenant_id=pid,
                         action="joint.participant_published", object_type="task",
                         object_id=f"{tenant.slug}/{task.code}",
                         payload={"participant": code, "task_published":
                                  task.status == "published"})
    return row


def _task_publication(session: Session, platform: Platform, tenant: Tenant, task: Task,
                      at: datetime, published_on: date, actor: str) -> Publication:
    """The task's publication row: made by the first participant that publishes (the
    targets' results are complete then: every participant's items were recorded). Its date
    and on-time flag become the host's own once the host's own part is published
    (services/joint_host.py); until then the host's board and statistics count the task
    as not yet published.

    Its deadline is the host's own (``tenant``, the lead jurisdiction: its pack's rule in
    its own working-day calendar, provisional where that calendar does not cover a year),
    whoever publishes first; each participant's own is its ParticipantPublication."""
    pub = session.scalar(select(Publication).where(Publication.task_id == task.id))
    if pub is not None:
        return pub
    rows = list(session.scalars(select(InspectionResult).where(
        InspectionResult.task_id == task.id)))
    report = session.scalar(select(TaskReport).where(TaskReport.task_id == task.id))
    summary = {"targets": len(rows), "problems_found": sum(r.problem_found for r in rows),
               "results": dict(sorted(Counter(r.result for r in rows).items())),
               "report": report.fields if report is not None else None, "joint": True}
    assert task.work_ended_on is not None  # checked by the caller
    policy = platform.policy_for(tenant)
    rules = policy.rules(task.work_ended_on)
    rule = policy.deadline_rule(task.work_ended_on, task_facts(session, task))
    deadline = participant_deadline(session, platform, tenant, task, tenant)
    pack, version = rules.governing
    pub = Publication(
        task_id=task.id, published_at=at, published_on=published_on,
        work_ended_on=task.work_ended_on, due_on=deadline.due,
        working_days=deadline.working_days,
        excluded_days=len(deadline.counted) - deadline.working_days,
        provisional=deadline.provisional, on_time=published_on <= deadline.due,
        channels=list(rule.channels), per_target_results=True,
        deadline_cite=str(deadline.cite), summary=summary, rules_pack=pack,
        rules_version=version, actor=actor)
    session.add(pub)
    session.flush()
    return pub
