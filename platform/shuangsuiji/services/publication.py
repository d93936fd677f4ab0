"""Publication (公开): results on the portal within the deadline, or directed notification.

MIIT Art. 15 / CQ Art. 14: the results are published within N working days after the work
ends (MIIT also per target); what is lawfully withheld, or what the item list says is not
public, goes by directed notification (定向通报) to a limited audience instead. A task is
published once, as a snapshot: later changes to records cannot alter what the public saw.

The portal reads published rows only (:func:`published_tasks`, :func:`export_csv`,
:func:`export_json`, and :mod:`shuangsuiji.services.public_results` for the filtered, paged
results); it never sees unpublished records.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shuangsuiji.errors import Conflict, UserError
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
from shuangsuiji.models.joint import ParticipantPublication, TaskParticipant
from shuangsuiji.models.plans import LOCKED_STATUSES, Task
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.platform import Platform
from shuangsuiji.rules import RESULT_NAMES_ZH
from shuangsuiji.services import audit, joint_host
from shuangsuiji.services.deadlines import compute as compute_deadline
from shuangsuiji.services.deadlines import task_facts
from shuangsuiji.services.lifecycle import RuleRefused, get_task, now_utc, today_in_china
from shuangsuiji.services.plans import task_items
from shuangsuiji.services.records import Gap, gaps
from shuangsuiji.tabular.cells import neutralise


def _gap(gap: Gap) -> str:
    """A drawn target and what it lacks, for a refusal to publish."""
    if gap.missing == "record":
        return msg("%(code)s (record)", code=gap.credit_code)
    return msg("%(code)s (result)", code=gap.credit_code)


def publish(
    session: Session,
    platform: Platform,
    tenant: Tenant,
    task_id: int | str,
    *,
    at: datetime | None = None,
    directed_to: Sequence[str] = (),
    include_targets: bool = True,
) -> Publication:
    """Publish a task's results; refuse if any drawn target lacks a record or a result, or if
    the pack requires a report and none is written.

    ``directed_to`` names the departments that receive the results of items whose
    publication mode is not public (defaults to the item's own departments).
    ``include_targets`` publishes per-target results; a pack that requires them (MIIT)
    publishes them regardless.
    """
    task = get_task(session, task_id)
    if task.status in LOCKED_STATUSES:
        raise Conflict(msg("task %(task)s is already published", task=task.code))
    if session.scalar(select(TaskParticipant.id).where(TaskParticipant.task_id == task.id)):
        raise UserError(msg("task %(task)s is a joint task (联合抽查): each participant "
                            "publishes the results of its own items", task=task.code),
                        hint=msg("ssj joint publish --tenant T --task %(task)s --participant "
                                 "CODE", task=task.code))
    if task.work_ended_on is None:
        raise Conflict(msg("the work of task %(task)s has not ended", task=task.code),
                       hint=msg("ssj tasks end-work --tenant T --task %(task)s --on DATE",
                                task=task.code))
    at = at or now_utc()
    rules = platform.policy_for(tenant).rules(task.work_ended_on)
    rule = platform.policy_for(tenant).deadline_rule(task.work_ended_on,
                                                     task_facts(session, task))
    missing = gaps(session, task)
    if missing:
        shown = tuple(_gap(g) for g in missing[:10])
        listed: object = shown if len(missing) <= 10 else msg(
            "%(items)s and %(count)s more", items=shown, count=len(missing) - 10)
        cite = (rules.on_site_rule.cite if any(g.missing == "record" for g in missing)
                else rule.cite)
        raise RuleRefused(msg("task %(task)s cannot be published: %(count)s drawn target(s) "
                              "lack a complete record or result: %(listed)s", task=task.code,
                              count=len(missing), listed=listed),
                          cite=cite, hint=msg("write every record and result first"))
    report = session.scalar(select(TaskReport).where(TaskReport.task_id == task.id))
    if rules.report_rule.required and report is None:
        raise RuleRefused(msg("task %(task)s has no report (抽查情况报告)", task=task.code),
                          cite=rules.report_rule.cite,
                          hint=msg("write it: ssj report write --tenant T --task ..."))
    deadline = compute_deadline(session, platform, tenant, task.work_ended_on, task=task)
    published_on = today_in_china(at)
    results = {r.credit_code: r for r in session.scalars(
        select(InspectionResult).where(InspectionResult.task_id == task.id))}
    records = {r.credit_code: r for r in session.scalars(
        select(InspectionRecord).where(InspectionRecord.task_id == task.id))}
    names = dict(session.execute(select(Target.credit_code, Target.name)
                                 .where(Target.credit_code.in_(list(results)))).all())
    items = task_items(session, task)
    per_target = rule.per_target_results or include_targets
    pack, version = rules.governing
    pub = Publication(
        task_id=task.id, published_at=at, published_on=published_on,
        work_ended_on=task.work_ended_on, due_on=deadline.due,
        working_days=deadline.working_days, excluded_days=len(deadline.counted)
        - deadline.working_days, provisional=deadline.provisional,
        on_time=published_on <= deadline.due, channels=list(rule.channels),
        per_target_results=per_target, deadline_cite=str(deadline.cite),
        summary=_summary(results.values(), report), rules_pack=pack, rules_version=version,
        actor=str(session.info.get(audit.ACTOR_KEY) or "system"))
    session.add(pub)
    session.flush()
    directed: list[dict[str, Any]] = []
    for item in items:
        if item.publication_mode == "public":
            if per_target:
                for code in sorted(results):
                    res = results[code]
                    session.add(PublishedResult(
                        publication_id=pub.id, task_id=task.id, item_code=item.code,
                        credit_code=code, target_name=names.get(code, ""), result=res.result,
                        result_name=rules.result_name_zh(res.result),
                        problem_found=res.problem_found, handling=res.handling,
                        inspected_on=records[code].inspected_on))
            continue
        audience = [d.strip() for d in (directed_to or item.departments) if d.strip()]
        if not audience:
            raise RuleRefused(msg("item %(item)s is not public (%(mode)s): name the "
                                  "departments that receive its directed notification",
                                  item=item.code, mode=item.publication_mode),
                              cite=rule.cite, where="directed_to")
        session.add(DirectedNotification(
            publication_id=pub.id, task_id=task.id, item_code=item.code, departments=audience,
            credit_codes=sorted(results), reason=item.publication_mode, notified_at=at))
        directed.append({"item": item.code, "departments": audience})
    task.status = "published"
    session.flush()
    audit.record(session, tenant_id=tenant.id, action="task.publish", object_type="task",
                 object_id=task.code,
                 payload={"published_at": at.isoformat(), "published_on": published_on,
                          "due_on": deadline.due, "on_time": pub.on_time,
                          "provisional": deadline.provisional, "cite": str(deadline.cite),
                          "per_target": per_target, "directed": directed,
                          "summary": pub.summary})
    return pub


def _summary(results: Any, report: TaskReport | None) -> dict[str, Any]:
    rows = list(results)
    return {
        "targets": len(rows),
        "problems_found": sum(1 for r in rows if r.problem_found),
        "results": dict(sorted(Counter(r.result for r in rows).items())),
        "report": report.fields if report is not None else None,
    }


@dataclass(frozen=True)
class PublishedTask:
    """A published task as the public portal lists it."""

    task_id: int
    task_code: str
    title: str
    department: str
    work_ended_on: date
    published_at: datetime
    published_on: date
    due_on: date
    #: None while a joint task's host has not yet published its own part
    on_time: bool | None
    provisional: bool
    deadline_cite: str
    targets: int
    problems_found: int
    directed_items: tuple[str, ...]
    #: False for a joint task whose other participants published and whose host has not
    #: yet (services/joint_host.py): ``published_on`` is then theirs, not the host's
    host_published: bool = True


def published_tasks(session: Session, *, year: int | None = None) -> list[PublishedTask]:
    """The current tenant's published tasks, newest first."""
    query = (select(Publication, Task).join(Task, Task.id == Publication.task_id)
             .order_by(Publication.published_at.desc(), Task.code))
    directed: dict[int, list[str]] = {}
    for dn in session.scalars(select(DirectedNotification)):
        directed.setdefault(dn.publication_id, []).append(dn.item_code)
    pending = joint_host.pending(session)
    out = []
    for pub, task in session.execute(query):
        if year is not None and task.starts_on.year != year:
            continue
        own = task.id not in pending
        out.append(PublishedTask(
            task.id, task.code, task.title, task.department, pub.work_ended_on,
            pub.published_at, pub.published_on, pub.due_on, pub.on_time if own else None,
            pub.provisional, pub.deadline_cite, int(pub.summary.get("targets", 0)),
            int(pub.summary.get("problems_found", 0)), tuple(directed.get(pub.id, ())),
            host_published=own))
    return out


@dataclass(frozen=True)
class PublicResult:
    """One published per-target result, as the portal shows and exports it."""

    task_code: str
    task_title: str
    item_code: str
    credit_code: str
    target_name: str
    result: str
    result_name: str  # in Chinese, as the national list (or the pack) names it
    problem_found: bool
    handling: str
    inspected_on: date
    published_on: date
    on_time: bool


def _results_query() -> Any:
    return (select(PublishedResult, Publication, Task)
            .join(Publication, Publication.id == PublishedResult.publication_id)
            .join(Task, Task.id == PublishedResult.task_id))


def _public(session: Session, rows: Any) -> list[PublicResult]:
    rows = list(rows)
    own = _participant_dates(session, {t.id for _r, _p, t in rows})
    out = []
    for r, p, t in rows:
        published_on, on_time = own.get((t.id, r.item_code), (p.published_on, p.on_time))
        out.append(PublicResult(t.code, t.title, r.item_code, r.credit_code, r.target_name,
                                r.result, r.result_name or RESULT_NAMES_ZH.get(r.result,
                                                                               r.result),
                                r.problem_found, r.handling, r.inspected_on, published_on,
                                on_time))
    return out


def _participant_dates(session: Session, task_ids: set[int]) -> dict[tuple[int, str],
                                                                      tuple[date, bool]]:
    """(task id, published item code) → the publication date and on-time flag of the joint
    task's participant whose item it is: each participant publishes its own items by its own
    deadline (services/joint_results.py), not on the task-wide row's first date."""
    if not task_ids:
        return {}
    published = {(pp.task_id, pp.participant_code): pp for pp in session.scalars(
        select(ParticipantPublication).where(ParticipantPublication.task_id.in_(task_ids)))}
    if not published:
        return {}
    dates: dict[tuple[int, str], tuple[date, bool]] = {}
    for part in session.scalars(select(TaskParticipant).where(
            TaskParticipant.task_id.in_({task_id for task_id, _code in published}))):
        pp = published.get((part.task_id, part.code))
        if pp is not None:  # (a participant's item codes are the task's: prefixed already
            for item in part.item_codes:  # for another tenant's, services/joint.py)
                dates[(part.task_id, item)] = (pp.published_on, pp.on_time)
    return dates


def published_results(session: Session, task_id: int | str | None = None, *,
                      limit: int | None = None, offset: int = 0) -> list[PublicResult]:
    """Published per-target results of one task, or of every task of the current tenant
    (``limit`` rows from ``offset``: one page of the public results page)."""
    query = _results_query().order_by(Task.code, PublishedResult.credit_code,
                                      PublishedResult.item_code)
    if task_id is not None:
        query = query.where(PublishedResult.task_id == get_task(session, task_id).id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return _public(session, session.execute(query))


def count_published(session: Session) -> int:
    """How many published per-target results the current tenant has."""
    found = session.scalar(select(func.count()).select_from(_results_query().subquery()))
    return int(found or 0)


EXPORT_FIELDS: tuple[str, ...] = tuple(PublicResult.__dataclass_fields__)


def export_json(session: Session, task_id: int | str | None = None) -> list[dict[str, Any]]:
    """Published results as JSON-ready dicts (dates as ISO strings)."""
    return [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(r).items()}
            for r in published_results(session, task_id)]


def export_csv(session: Session, task_id: int | str | None = None, *,
               headings: Mapping[str, str] | None = None,
               shown: Callable[[str, Any], Any] | None = None) -> str:
    """Published results as CSV text (UTF-8; the caller adds a BOM for Excel if it wants).

    ``headings`` names the columns (default: the field names) and ``shown`` turns a field's
    value into what the reader sees (default: the codes); the web layer passes labels in the
    reader's language.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")  # RFC 4180
    writer.writerow([(headings or {}).get(f, f) for f in EXPORT_FIELDS])
    for row in export_json(session, task_id):
        writer.writerow([neutralise(shown(f, row[f]) if shown else row[f])  # no formula
                         for f in EXPORT_FIELDS])
    return buf.getvalue()


def directed_notifications(session: Session, task_id: int | str) -> list[DirectedNotification]:
    """The directed notifications recorded for a task (not shown on the public portal)."""
    task = get_task(session, task_id)
    return list(session.scalars(select(DirectedNotification)
                                .where(DirectedNotification.task_id == task.id)
                                .order_by(DirectedNotification.item_code)))
