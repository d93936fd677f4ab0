"""Publication deadlines in working days (MIIT Art. 15: 30; CQ Art. 14: 20, less 检验、检测、鉴定).

The rule comes from the pack in force on the day the work ended
(``policy.deadline_rule(end, TaskFacts)``); the count is the pure
:func:`shuangsuiji.workdays.due_date` over the package calendar plus the tenant's imported
years. A deadline crossing a year no calendar covers is *provisional*: it is still given,
with a warning, and every screen that shows it must show the warning too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.errors import UserError
from shuangsuiji.messages import msg, reason
from shuangsuiji.models.inspections import ExcludedPeriodRecord, Publication
from shuangsuiji.models.plans import Task
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.platform import Platform
from shuangsuiji.rules import TaskFacts
from shuangsuiji.services import joint_host
from shuangsuiji.services.calendars import work_calendar
from shuangsuiji.services.lifecycle import RuleRefused, get_task, today_in_china
from shuangsuiji.workdays import Deadline, ExcludedPeriod, WorkCalendar, due_date, status


def task_facts(session: Session, task: Task) -> TaskFacts:
    """What a pack may know of ``task`` when asked for its deadline."""
    from shuangsuiji.services.plans import task_items

    categories = tuple(sorted({i.category for i in task_items(session, task)}))
    return TaskFacts(special=task.special, methods=tuple(task.methods),
                     item_categories=categories)


def excluded_periods(session: Session, task: Task) -> list[ExcludedPeriod]:
    """The task's recorded testing/inspection/appraisal periods, as the counter takes them."""
    rows = session.scalars(select(ExcludedPeriodRecord)
                           .where(ExcludedPeriodRecord.task_id == task.id)
                           .order_by(ExcludedPeriodRecord.starts_on, ExcludedPeriodRecord.id))
    return [ExcludedPeriod(r.starts_on, r.ends_on, r.kind,
                           f"{r.credit_code or 'task'}{': ' + r.note if r.note else ''}")
            for r in rows]


def compute(
    session: Session,
    platform: Platform,
    tenant: Tenant,
    end: date,
    *,
    task: Task | None = None,
    excluded_days: int = 0,
    calendar: WorkCalendar | None = None,
) -> Deadline:
    """The publication deadline for work that ended on ``end``.

    With ``task``, the pack sees the task's facts and the task's recorded periods are left
    out of the count when the rule allows it (CQ); under a rule that counts every working
    day (MIIT) the periods stay on record but do not move the deadline. ``calendar``: the
    working days counted (default: the current tenant's; another tenant taking part in a
    joint task counts in its own, services/joint_deadlines.py).
    """
    facts = task_facts(session, task) if task is not None else TaskFacts()
    rule = platform.policy_for(tenant).deadline_rule(end, facts)
    periods = excluded_periods(session, task) if task is not None else []
    if not rule.excluded_periods:
        periods = []
        if excluded_days:
            raise RuleRefused(msg("the deadline counts every working day (%(days)s working "
                                  "days); no days may be excluded", days=rule.working_days),
                              cite=rule.cite, where="excluded_days")
    try:
        return due_date(end, rule, calendar or work_calendar(session), excluded=periods,
                        excluded_days=excluded_days)
    except ValueError as exc:
        raise RuleRefused(reason(exc), cite=rule.cite, where="deadline") from None


def task_deadline(session: Session, platform: Platform, tenant: Tenant,
                  task_id: int | str) -> Deadline:
    """The deadline of a task whose work has ended."""
    task = get_task(session, task_id)
    if task.work_ended_on is None:
        raise UserError(msg("the work of task %(task)s has not ended yet", task=task.code),
                        hint=msg("record its end first: ssj tasks end-work --tenant T --task "
                                 "%(task)s --on DATE", task=task.code))
    return compute(session, platform, tenant, task.work_ended_on, task=task)


@dataclass(frozen=True)
class DeadlineEntry:
    """One task on the deadline board: its due date, where it stands, and any warning."""

    task_id: int
    task_code: str
    title: str
    work_ended_on: date
    due: date
    status: str  # on_time | late | due_soon | overdue | pending
    provisional: bool
    warning: str | None
    published_on: date | None
    cite: str


def board(session: Session, platform: Platform, tenant: Tenant, *, today: date | None = None,
          due_soon_days: int = 5) -> list[DeadlineEntry]:
    """Every task whose work has ended, with its deadline status, most urgent first."""
    today = today or today_in_china()
    # a joint task whose host has not published its own part yet is not published for it
    waiting = joint_host.pending(session)
    published = {p.task_id: p for p in session.scalars(select(Publication))
                 if p.task_id not in waiting}
    tasks = session.scalars(select(Task).where(Task.work_ended_on.is_not(None)))
    entries = []
    for task in tasks:
        assert task.work_ended_on is not None
        pub = published.get(task.id)
        deadline = compute(session, platform, tenant, task.work_ended_on, task=task)
        published_on = pub.published_on if pub else None
        entries.append(DeadlineEntry(
            task.id, task.code, task.title, task.work_ended_on, deadline.due,
            status(deadline, published_on, today, due_soon_days), deadline.provisional,
            deadline.warning, published_on, str(deadline.cite)))
    order = {"overdue": 0, "due_soon": 1, "pending": 2, "late": 3, "on_time": 4}
    return sorted(entries, key=lambda e: (order[e.status], e.due, e.task_code))


def alerts(session: Session, platform: Platform, tenant: Tenant, *, today: date | None = None,
           due_soon_days: int = 5) -> list[DeadlineEntry]:
    """Only the tasks that need action: overdue, or due within ``due_soon_days`` working days."""
    return [e for e in board(session, platform, tenant, today=today,
                             due_soon_days=due_soon_days)
            if e.status in ("overdue", "due_soon")]
