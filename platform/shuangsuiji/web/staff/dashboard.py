"""The dashboard, the deadline board and the audit chain."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template
from sqlalchemy import select

from shuangsuiji.access import allow, db_session, has_role, lookup
from shuangsuiji.errors import UserError
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.models.draws import Draw
from shuangsuiji.models.plans import AT_WORK_STATUSES, Task
from shuangsuiji.services import audit, joint_guest
from shuangsuiji.services import deadlines as deadline_service
from shuangsuiji.services import followup as followup_service
from shuangsuiji.services.lifecycle import group_progress
from shuangsuiji.web.staff.common import (
    READERS,
    RECTIFICATION_STATES,
    bp,
    inspector_codes,
    may_see,
    platform,
    tenant,
)


@dataclass(frozen=True)
class Assignment:
    """An inspector's place in a task's live draw: the group, its targets, records so far."""

    task: Task
    draw_id: int
    group: int
    leader: bool
    targets: int
    recorded: int


def _due_soon_days() -> int:
    return int(current_app.config["SSJ_DUE_SOON_DAYS"])


@bp.get("/")
@allow("tenant_admin", "operator", "viewer", "inspector")
def dashboard() -> str:
    """Deadlines due soon and overdue, recent draws, and the audit chain's status."""
    s = db_session()
    alerts = deadline_service.alerts(s, platform(), tenant(), due_soon_days=_due_soon_days())
    recent = s.execute(
        select(Draw, Task).join(Task, Task.id == Draw.task_id)
        .order_by(Draw.drawn_at.desc(), Draw.id.desc()).limit(8)
    ).all()
    chain = audit.verify(s, tenant().id)
    mine = _assignments() if has_role("inspector") else []
    # the groups of other tenants' joint tasks this inspector is in (联合抽查)
    joint_mine = joint_guest.assignments(s, tenant(), inspector_codes()) \
        if has_role("inspector") else []
    if not has_role(*READERS):  # an inspector: only the tasks they are part of are linked
        recent = [row for row in recent if may_see(row[1])]
        alerts = [e for e in alerts if may_see(lookup(Task, e.task_id))]
    return render_template("staff/dashboard.html", alerts=alerts, recent=recent, chain=chain,
                           assignments=mine, joint_assignments=joint_mine)


def _assignments() -> list[Assignment]:
    """The groups the signed-in inspector is in, in the live draws of tasks at work."""
    codes = inspector_codes()
    if not codes:
        return []
    s = db_session()
    found = []
    for task, record in s.execute(
        select(Task, Draw).join(Draw, Draw.task_id == Task.id)
        .where(Task.status.in_(AT_WORK_STATUSES)).order_by(Task.starts_on, Task.code)
    ).all():
        if record.is_void:
            continue
        found += [Assignment(task, record.id, g.number, g.leader, g.targets, g.recorded)
                  for g in group_progress(s, task.id, record, codes)]
    return found


@bp.get("/deadlines")
@allow(*READERS)
def deadlines() -> str:
    """Every task whose work has ended: overdue, due soon, pending (provisional flagged),
    published; and the open rectifications, past due first."""
    s = db_session()
    problem: UserError | None = None
    try:
        entries = deadline_service.board(s, platform(), tenant(),
                                         due_soon_days=_due_soon_days())
    except UserError as exc:
        problem, entries = exc, []
    groups = {
        "overdue": [e for e in entries if e.status == "overdue"],
        "due_soon": [e for e in entries if e.status == "due_soon"],
        "pending": [e for e in entries if e.status == "pending"],
        "published": [e for e in entries if e.status in ("on_time", "late")],
    }
    provisional = [e for e in entries if e.provisional]
    rectifications = followup_service.open_rectifications(s)
    tasks = {t.id: t for t in s.scalars(select(Task))}
    return render_template("staff/deadlines.html", groups=groups, provisional=provisional,
                           rectifications=rectifications, tasks=tasks, problem=problem,
                           state_names=RECTIFICATION_STATES,
                           due_soon_days=_due_soon_days())


@bp.get("/audit")
@allow(*READERS)
def audit_log() -> str:
    """The tenant's audit chain, newest first, with the result of verifying it."""
    s = db_session()
    events = s.scalars(
        select(AuditEvent).where(AuditEvent.tenant_id == tenant().id)
        .order_by(AuditEvent.seq.desc()).limit(200)
    ).all()
    return render_template("staff/audit.html", events=events,
                           chain=audit.verify(s, tenant().id))
