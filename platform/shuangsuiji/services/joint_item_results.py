"""A joint task's results per item, as the API gives them (issue #15): every participant
with its items, and for each target visited (one on-site record) each participant's items
with their results (None while not entered).

The host reads every participant's results. Another tenant taking part reads the task
through :mod:`shuangsuiji.services.joint_tenants` (by its own tenant id) and gets the
results of its own items only, as on its page (services/joint_guest.py): the other
participants are listed with their items and counts, their results per target are not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.errors import NotFound, UserError
from shuangsuiji.messages import msg
from shuangsuiji.models.inspections import InspectionRecord
from shuangsuiji.models.joint import ItemResult
from shuangsuiji.models.plans import Task
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.services import names
from shuangsuiji.services.joint_results import ParticipantView, views
from shuangsuiji.services.joint_tenants import in_tenant, invitation
from shuangsuiji.services.lifecycle import live_draw


@dataclass(frozen=True)
class ItemOutcome:
    """One item of one participant at one visited target: its result, or None yet."""

    item_code: str
    result: str | None
    problem_found: bool | None
    handling: str
    decided_on: date | None


@dataclass(frozen=True)
class ParticipantItems:
    code: str
    items: list[ItemOutcome]


@dataclass(frozen=True)
class VisitedTarget:
    credit_code: str
    name: str
    inspected_on: date
    participants: list[ParticipantItems]


@dataclass(frozen=True)
class JointItemResults:
    host: str
    task_code: str
    title: str
    status: str
    participants: list[ParticipantView]
    targets: list[VisitedTarget]


def _of_task(session: Session, host: Tenant, task: Task, only: str | None
             ) -> JointItemResults:
    parts = views(session, task)
    records = list(session.scalars(select(InspectionRecord).where(
        InspectionRecord.task_id == task.id).order_by(InspectionRecord.credit_code)))
    shown: dict[str, str] = {}
    if records:
        try:
            shown = names.drawn_target_names(session, live_draw(session, task).id)
        except UserError:  # records of a draw voided since: named by code only
            shown = {}
    results = {(r.credit_code, r.item_code): r for r in session.scalars(
        select(ItemResult).where(ItemResult.task_id == task.id))}
    targets = []
    for rec in records:
        listed = []
        for p in parts:
            if only is not None and p.code != only:
                continue
            items = []
            for item in p.item_codes:
                r = results.get((rec.credit_code, item))
                items.append(ItemOutcome(item, None, None, "", None) if r is None else
                             ItemOutcome(item, r.result, r.problem_found, r.handling,
                                         r.decided_on))
            listed.append(ParticipantItems(p.code, items))
        targets.append(VisitedTarget(rec.credit_code, shown.get(rec.credit_code, ""),
                                     rec.inspected_on, listed))
    return JointItemResults(host.slug, task.code, task.title, task.status, parts, targets)


def of_host_task(session: Session, host: Tenant, task: Task) -> JointItemResults:
    """The host's joint task ``task`` (of the current tenant): every participant's results;
    NotFound for a task that is not joint."""
    found = _of_task(session, host, task, None)
    if not found.participants:
        raise NotFound(msg("task %(task)s is not a joint task (联合抽查)", task=task.code),
                       where="task", hint=msg("its results are under …/tasks/ID/results"))
    return found


def of_joined_task(session: Session, guest: Tenant, host_slug: str, task_code: str
                   ) -> JointItemResults:
    """The joint task ``task_code`` of tenant ``host_slug`` that ``guest`` takes part in
    (NotFound otherwise, whatever the host holds): the results of ``guest``'s own items."""
    host, task, own = invitation(session, guest, task_code, host_slug)
    with in_tenant(session, host.id):
        return _of_task(session, host, task, own.code)
