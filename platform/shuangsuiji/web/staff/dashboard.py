"""The dashboard, the deadline board and the audit chain."""

from __future__ import annotations

from flask import current_app, render_template
from sqlalchemy import select

from shuangsuiji.access import allow, db_session
from shuangsuiji.errors import UserError
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.models.draws import Draw
from shuangsuiji.models.plans import Task
from shuangsuiji.services import audit
from shuangsuiji.services import deadlines as deadline_service
from shuangsuiji.services import followup as followup_service
from shuangsuiji.web.staff.common import READERS, RECTIFICATION_STATES, bp, platform, tenant


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
    return render_template("staff/dashboard.html", alerts=alerts, recent=recent, chain=chain)


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
