"""Follow-up (MIIT Art. 16, CQ Art. 15): rectification orders, follow-up inspections,
closure, and cases transferred to another authority (移送)."""

from __future__ import annotations

from typing import Any

from flask import render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields import SelectChoice

from shuangsuiji.access import allow, db_session, lookup
from shuangsuiji.errors import UserError
from shuangsuiji.models.inspections import InspectionResult, Rectification, Transfer
from shuangsuiji.models.plans import Task
from shuangsuiji.services import followup as followup_service
from shuangsuiji.services import lifecycle, names
from shuangsuiji.web import forms
from shuangsuiji.web.refusals import for_browser, on_form
from shuangsuiji.web.staff.common import (
    RECTIFICATION_STATES,
    act,
    bp,
    may_act_for,
    refusal_status,
    require_act,
    task_or_404,
    tenant,
)


def _page(row: Task, *, problem: UserError | None = None, status: int = 200,
          order_form: forms.RectificationForm | None = None,
          transfer_form: forms.TransferForm | None = None,
          failed_id: int | None = None, failed_form: Any = None) -> tuple[str, int]:
    s = db_session()
    sent = failed_form or order_form or transfer_form  # the form refused, shown again
    shown = on_form(sent, problem) if sent is not None else (
        for_browser(problem) if problem is not None else None)
    results = s.scalars(select(InspectionResult).where(InspectionResult.task_id == row.id)
                        .order_by(InspectionResult.credit_code)).all()
    rectifications = s.scalars(select(Rectification).where(Rectification.task_id == row.id)
                               .order_by(Rectification.id)).all()
    transfers = s.scalars(select(Transfer).where(Transfer.task_id == row.id)
                          .order_by(Transfer.id)).all()
    problems = [r.credit_code for r in results if r.problem_found]
    ordered = {r.credit_code for r in rectifications}
    companies = names.target_names(s, [r.credit_code for r in results])
    order_form = order_form or forms.RectificationForm()
    order_form.credit_code.choices = [SelectChoice(c, names.labelled(c, companies))
                                      for c in problems if c not in ordered]
    transfer_form = transfer_form or forms.TransferForm()
    transfer_form.credit_code.choices = [
        SelectChoice(r.credit_code, names.labelled(r.credit_code, companies)) for r in results]
    today = lifecycle.today_in_china()
    if not transfer_form.on.data:
        transfer_form.on.data = today
    return render_template(
        "staff/followup.html", task=row, results=results, rectifications=rectifications,
        transfers=transfers, order_form=order_form, transfer_form=transfer_form,
        follow_form=forms.FollowUpForm(formdata=None, on=today),
        close_form=forms.CloseForm(formdata=None, on=today), failed_id=failed_id,
        failed_form=failed_form, problem=shown, today=today, may_act=may_act_for(row),
        state_names=RECTIFICATION_STATES, names=companies,
    ), status


@bp.get("/tasks/<int:task_id>/followup")
@allow("tenant_admin", "operator", "viewer")
def followup(task_id: int) -> ResponseReturnValue:
    """Results that found a problem, their rectification and transfers."""
    return _page(task_or_404(task_id))


@bp.post("/tasks/<int:task_id>/rectifications")
@allow("tenant_admin", "operator")
def rectification_order(task_id: int) -> ResponseReturnValue:
    row = task_or_404(task_id)
    require_act(row)
    form = forms.RectificationForm()
    if not form.validate_on_submit():
        return _page(row, order_form=form, status=422)
    return act(
        lambda: followup_service.order_rectification(
            db_session(), tenant(), row.id, form.credit_code.data or "",
            requirement=form.requirement.data or "",
            due_on=form.due_on.data),  # type: ignore[arg-type]
        done=_("Rectification of %(code)s was ordered.", code=form.credit_code.data),
        to=url_for("staff.followup", task_id=row.id),
        refused=lambda exc: _page(row, problem=exc, order_form=form,
                                  status=refusal_status(exc)))


def _rectification(rectification_id: int) -> tuple[Rectification, Task]:
    rect: Rectification = lookup(Rectification, rectification_id)
    row = task_or_404(rect.task_id)
    require_act(row)
    return rect, row


@bp.post("/rectifications/<int:rectification_id>/follow-up")
@allow("tenant_admin", "operator")
def rectification_follow_up(rectification_id: int) -> ResponseReturnValue:
    rect, row = _rectification(rectification_id)
    form = forms.FollowUpForm()
    if not form.validate_on_submit():
        return _page(row, failed_id=rect.id, failed_form=form, status=422)
    return act(
        lambda: followup_service.follow_up(db_session(), tenant(), rect.id,
                                           on=form.on.data,  # type: ignore[arg-type]
                                           findings=form.findings.data or "",
                                           rectified=bool(form.rectified.data)),
        done=_("The follow-up inspection was recorded."),
        to=url_for("staff.followup", task_id=row.id),
        refused=lambda exc: _page(row, problem=exc, status=refusal_status(exc)))


@bp.post("/rectifications/<int:rectification_id>/close")
@allow("tenant_admin", "operator")
def rectification_close(rectification_id: int) -> ResponseReturnValue:
    rect, row = _rectification(rectification_id)
    form = forms.CloseForm()
    if not form.validate_on_submit():
        return _page(row, failed_id=rect.id, failed_form=form, status=422)
    return act(
        lambda: followup_service.close(db_session(), tenant(), rect.id,
                                       on=form.on.data,  # type: ignore[arg-type]
                                       note=form.note.data or ""),
        done=_("The rectification was closed."),
        to=url_for("staff.followup", task_id=row.id),
        refused=lambda exc: _page(row, problem=exc, status=refusal_status(exc)))


@bp.post("/tasks/<int:task_id>/transfers")
@allow("tenant_admin", "operator")
def transfer(task_id: int) -> ResponseReturnValue:
    row = task_or_404(task_id)
    require_act(row)
    form = forms.TransferForm()
    if not form.validate_on_submit():
        return _page(row, transfer_form=form, status=422)
    return act(
        lambda: followup_service.transfer(db_session(), tenant(), row.id,
                                          form.credit_code.data or "",
                                          authority=form.authority.data or "",
                                          reason=form.reason.data or "",
                                          on=form.on.data,  # type: ignore[arg-type]
                                          reference=form.reference.data or ""),
        done=_("The transfer to %(authority)s was recorded.", authority=form.authority.data),
        to=url_for("staff.followup", task_id=row.id),
        refused=lambda exc: _page(row, problem=exc, transfer_form=form,
                                  status=refusal_status(exc)))
