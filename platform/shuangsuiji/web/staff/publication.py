"""Publication (公开): the end of the work, from which the deadline counts, and publishing."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from shuangsuiji.access import allow, db_session, lookup
from shuangsuiji.errors import UserError
from shuangsuiji.models.plans import Task
from shuangsuiji.services import plans as plan_service
from shuangsuiji.services import publication as publication_service
from shuangsuiji.web import forms
from shuangsuiji.web.staff.common import (
    bp,
    form_problem,
    platform,
    problem_page,
    require_act,
    split,
    tenant,
)


@bp.post("/tasks/<int:task_id>/end-work")
@allow("tenant_admin", "operator")
def end_work(task_id: int) -> ResponseReturnValue:
    row: Task = lookup(Task, task_id)
    require_act(row)
    form = forms.EndWorkForm()
    if not form.validate_on_submit():
        return form_problem(form), 422
    s = db_session()
    try:
        plan_service.end_work(s, tenant(), row.id, form.ended_on.data)  # type: ignore[arg-type]
    except UserError as exc:
        s.rollback()
        return problem_page(exc)
    s.commit()
    flash(_("The end of the work was recorded; the publication deadline counts from it."),
          "info")
    return redirect(url_for("staff.task", task_id=row.id))


@bp.post("/tasks/<int:task_id>/publish")
@allow("tenant_admin", "operator")
def publish(task_id: int) -> ResponseReturnValue:
    row: Task = lookup(Task, task_id)
    require_act(row)
    form = forms.PublicationForm()
    if not form.validate_on_submit():
        return form_problem(form), 422
    s = db_session()
    try:
        publication_service.publish(s, platform(), tenant(), row.id,
                                    directed_to=tuple(split(form.directed_to.data)))
    except UserError as exc:
        s.rollback()
        return problem_page(exc)
    s.commit()
    flash(_("The results were published on the portal."), "info")
    return redirect(url_for("staff.task", task_id=row.id))
