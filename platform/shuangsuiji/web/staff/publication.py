"""Publication (公开): the end of the work, from which the deadline counts, and publishing."""

from __future__ import annotations

from flask import url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from shuangsuiji.access import allow, db_session, lookup
from shuangsuiji.models.plans import Task
from shuangsuiji.services import plans as plan_service
from shuangsuiji.services import publication as publication_service
from shuangsuiji.web import forms
from shuangsuiji.web.staff.common import (
    act,
    bp,
    form_problem,
    platform,
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
    return act(
        lambda: plan_service.end_work(
            db_session(), tenant(), row.id, form.ended_on.data,  # type: ignore[arg-type]
            missing_confirmed=(form.confirm_missing.data or "").replace(",", " ").split()),
        done=_("The end of the work was recorded; the publication deadline counts from it."),
        to=url_for("staff.task", task_id=row.id))


@bp.post("/tasks/<int:task_id>/publish")
@allow("tenant_admin", "operator")
def publish(task_id: int) -> ResponseReturnValue:
    row: Task = lookup(Task, task_id)
    require_act(row)
    form = forms.PublicationForm()
    if not form.validate_on_submit():
        return form_problem(form), 422
    return act(
        lambda: publication_service.publish(db_session(), platform(), tenant(), row.id,
                                            directed_to=tuple(split(form.directed_to.data))),
        done=_("The results were published on the portal."),
        to=url_for("staff.task", task_id=row.id))
