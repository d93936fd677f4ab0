"""Publication (公开): the end of the work, from which the deadline counts, and publishing."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from shuangsuiji.access import allow, db_session, lookup
from shuangsuiji.errors import UserError
from shuangsuiji.models.plans import Task
from shuangsuiji.services import credit_publicity
from shuangsuiji.services import plans as plan_service
from shuangsuiji.services import publication as publication_service
from shuangsuiji.web import forms
from shuangsuiji.web.refusals import on_form
from shuangsuiji.web.staff.common import (
    act,
    actor,
    bp,
    platform,
    refusal_status,
    require_act,
    split,
    tenant,
)
from shuangsuiji.web.staff.plans import task_page


@bp.post("/tasks/<int:task_id>/end-work")
@allow("tenant_admin", "operator")
def end_work(task_id: int) -> ResponseReturnValue:
    """Record the end of the work (confirmed: the publication deadline counts from it)."""
    row: Task = lookup(Task, task_id)
    require_act(row)
    form = forms.EndWorkForm()
    if not form.validate_on_submit():
        return task_page(row, status=422, end_form=form)
    return act(
        lambda: plan_service.end_work(
            db_session(), tenant(), row.id, form.ended_on.data,  # type: ignore[arg-type]
            missing_confirmed=(form.confirm_missing.data or "").replace(",", " ").split()),
        done=_("The end of the work was recorded; the publication deadline counts from it."),
        to=url_for("staff.task", task_id=row.id),
        refused=lambda exc: task_page(row, status=refusal_status(exc), end_form=form,
                                      problem=on_form(form, exc)))


@bp.post("/tasks/<int:task_id>/publish")
@allow("tenant_admin", "operator")
def publish(task_id: int) -> ResponseReturnValue:
    """Publish the results on the portal (confirmed: a publication is not withdrawn)."""
    row: Task = lookup(Task, task_id)
    require_act(row)
    form = forms.PublicationForm()
    if not form.validate_on_submit():
        return task_page(row, status=422, publish_form=form)
    return act(
        lambda: publication_service.publish(db_session(), platform(), tenant(), row.id,
                                            directed_to=tuple(split(form.directed_to.data))),
        done=_("The results were published on the portal."),
        to=url_for("staff.task", task_id=row.id),
        refused=lambda exc: task_page(row, status=refusal_status(exc), publish_form=form,
                                      problem=on_form(form, exc)))


@bp.post("/tasks/<int:task_id>/credit-publicity/<file_format>")
@allow("tenant_admin", "operator")
def credit_handover(task_id: int, file_format: str) -> ResponseReturnValue:
    """Hand the published results over to the credit publicity system: the file (CSV or
    XLSX, Chinese headings) is the download; the hand-over is recorded."""
    row: Task = lookup(Task, task_id)
    require_act(row)
    form = forms.CreditPublicityForm()
    if not form.validate_on_submit():
        return task_page(row, status=422, credit_form=form)
    s = db_session()
    try:
        made = credit_publicity.hand_over(s, tenant(), row.id, file_format, actor=actor())
    except UserError as exc:
        s.rollback()
        return task_page(row, status=refusal_status(exc), credit_form=form,
                         problem=on_form(form, exc))
    s.commit()
    mimetype = ("text/csv; charset=utf-8" if file_format == "csv" else
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response = Response(made.data, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(made.filename)}")
    return response


@bp.post("/tasks/<int:task_id>/credit-publicity/confirm")
@allow("tenant_admin", "operator")
def credit_confirm(task_id: int) -> ResponseReturnValue:
    """Confirm the results were published on the credit publicity system."""
    row: Task = lookup(Task, task_id)
    require_act(row)
    form = forms.CreditPublicityForm()
    if not form.validate_on_submit():
        return task_page(row, status=422, credit_form=form)
    return act(
        lambda: credit_publicity.confirm(db_session(), tenant(), row.id, actor=actor(),
                                         published_on=form.published_on.data),
        done=_("Publication on the credit publicity system was confirmed."),
        to=url_for("staff.task", task_id=row.id),
        refused=lambda exc: task_page(row, status=refusal_status(exc), credit_form=form,
                                      problem=on_form(form, exc)))
