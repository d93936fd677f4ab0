"""Follow-up (MIIT Art. 16, CQ Art. 15): rectification tracking, and cases handed on (移送).

A rectification order (整改) has a deadline; a follow-up inspection records whether the
target rectified; closure ends the tracking. A task is closed once every rectification of
it is closed. Cases handed to another authority are recorded with who received them.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.errors import Conflict, NotFound, UserError
from shuangsuiji.messages import msg
from shuangsuiji.models.inspections import InspectionResult, Rectification, Transfer
from shuangsuiji.models.plans import Task
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.services import audit
from shuangsuiji.services.lifecycle import get_task, today_in_china


def _actor(session: Session) -> str:
    return str(session.info.get(audit.ACTOR_KEY) or "system")


def _result(session: Session, task: Task, credit_code: str) -> InspectionResult:
    row = session.scalar(select(InspectionResult).where(
        InspectionResult.task_id == task.id, InspectionResult.credit_code == credit_code))
    if row is None:
        raise Conflict(msg("%(code)s has no result in task %(task)s", code=credit_code,
                           task=task.code),
                       hint=msg("record the result before following it up"))
    return row


def order_rectification(session: Session, tenant: Tenant, task_id: int | str,
                        credit_code: str, *, requirement: str, due_on: date,
                        ordered_on: date | None = None) -> Rectification:
    """Order a target to rectify by ``due_on``; its result must say a problem was found."""
    task = get_task(session, task_id)
    code = credit_code.strip().upper()
    result = _result(session, task, code)
    if not result.problem_found:
        raise UserError(msg("the result of %(code)s (%(result)s) found no problem", code=code,
                            result=result.result),
                        where=msg("task %(task)s", task=task.code),
                        hint=msg("only a found problem is rectified"))
    if not requirement.strip():
        raise UserError(msg("say what must be rectified"), where="requirement")
    ordered_on = ordered_on or today_in_china()
    if due_on < ordered_on:
        raise UserError(msg("due_on %(due_on)s is before the order (%(ordered_on)s)",
                            due_on=due_on.isoformat(), ordered_on=ordered_on.isoformat()),
                        where="due_on")
    if session.scalar(select(Rectification).where(Rectification.task_id == task.id,
                                                  Rectification.credit_code == code)):
        raise Conflict(msg("%(code)s already has a rectification order in task %(task)s",
                           code=code, task=task.code))
    row = Rectification(task_id=task.id, credit_code=code, requirement=requirement.strip(),
                        due_on=due_on, state="open", actor=_actor(session))
    session.add(row)
    session.flush()
    audit.record(session, tenant_id=tenant.id, action="rectification.order",
        object_type="rectification", object_id=row.id,
        payload={"task": task.code, "credit_code": code, "requirement": row.requirement,
                 "due_on": due_on})
    return row


def _rectification(session: Session, rectification_id: int) -> Rectification:
    row = session.scalar(select(Rectification).where(Rectification.id == rectification_id))
    if row is None:
        raise NotFound(msg("no rectification %(id)s in this tenant", id=rectification_id))
    return row


def follow_up(session: Session, tenant: Tenant, rectification_id: int, *, on: date,
              findings: str, rectified: bool) -> Rectification:
    """Record the follow-up inspection (复查) of a rectification."""
    row = _rectification(session, rectification_id)
    if row.state == "closed":
        raise Conflict(msg("rectification %(id)s is closed", id=row.id))
    if not findings.strip():
        raise UserError(msg("say what the follow-up found"), where="findings")
    row.follow_up_on, row.follow_up_findings, row.rectified = on, findings.strip(), rectified
    row.state = "followed_up"
    audit.record(session, tenant_id=tenant.id, action="rectification.follow_up",
        object_type="rectification", object_id=row.id,
        payload={"on": on, "findings": row.follow_up_findings, "rectified": rectified})
    return row


def close(session: Session, tenant: Tenant, rectification_id: int, *, on: date,
          note: str = "") -> Rectification:
    """Close a followed-up rectification; the task closes when all of its are closed."""
    row = _rectification(session, rectification_id)
    if row.state != "followed_up":
        state = (msg("rectification %(id)s is closed", id=row.id) if row.state == "closed"
                 else msg("rectification %(id)s is open", id=row.id))
        raise Conflict(state,
                       hint=msg("record the follow-up inspection before closing it"))
    row.state, row.closed_on, row.closure_note = "closed", on, note
    session.flush()
    task = session.get(Task, row.task_id)
    assert task is not None
    open_left = session.scalar(select(Rectification.id).where(
        Rectification.task_id == task.id, Rectification.state != "closed").limit(1))
    if open_left is None and task.status == "published":
        task.status = "closed"
    audit.record(session, tenant_id=tenant.id, action="rectification.close",
        object_type="rectification", object_id=row.id,
        payload={"on": on, "note": note, "task_status": task.status})
    return row


def open_rectifications(session: Session, *, today: date | None = None
                        ) -> list[tuple[Rectification, bool]]:
    """Every rectification not closed, with whether it is past its due date."""
    today = today or today_in_china()
    rows = session.scalars(select(Rectification).where(Rectification.state != "closed")
                           .order_by(Rectification.due_on, Rectification.id))
    return [(r, today > r.due_on) for r in rows]


def transfer(session: Session, tenant: Tenant, task_id: int | str, credit_code: str, *,
             authority: str, reason: str, on: date, reference: str = "") -> Transfer:
    """Record a case handed to another authority (移送)."""
    task = get_task(session, task_id)
    code = credit_code.strip().upper()
    _result(session, task, code)
    if not authority.strip() or not reason.strip():
        raise UserError(msg("a transfer names the receiving authority and the reason"),
                        where="authority" if not authority.strip() else "reason")
    row = Transfer(task_id=task.id, credit_code=code, authority=authority.strip(),
                   reason=reason.strip(), transferred_on=on, reference=reference,
                   actor=_actor(session))
    session.add(row)
    session.flush()
    audit.record(session, tenant_id=tenant.id, action="case.transfer", object_type="transfer",
        object_id=row.id,
        payload={"task": task.code, "credit_code": code, "authority": row.authority,
                 "reason": row.reason, "on": on, "reference": reference})
    return row
