"""A joint task (联合抽查) in the browser: its participants with their items and quotas,
their answers, a result per item after the one visit, and publication by each participant
(services/joint.py, services/joint_results.py)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields import SelectChoice

from shuangsuiji.access import allow, db_session
from shuangsuiji.errors import UserError
from shuangsuiji.kernel import KernelError
from shuangsuiji.models.inspections import InspectionRecord
from shuangsuiji.models.joint import ItemResult
from shuangsuiji.models.plans import Task
from shuangsuiji.services import joint, joint_results, lifecycle, names
from shuangsuiji.web.context import RESULT_NAMES
from shuangsuiji.web.joint_forms import (
    AnswerForm,
    ItemResultForm,
    ParticipantPublishForm,
    ParticipantsForm,
)
from shuangsuiji.web.refusals import for_browser, on_form
from shuangsuiji.web.staff.common import (
    actor,
    bp,
    may_act_for,
    platform,
    status_for,
    task_or_404,
    tenant,
)


def _result_form(task: Task, form: ItemResultForm | None = None) -> ItemResultForm:
    s = db_session()
    form = form or ItemResultForm(formdata=None)
    try:
        targets = lifecycle.drawn_targets(s, task)
        shown = names.drawn_target_names(s, lifecycle.live_draw(s, task).id)
    except UserError:
        targets, shown = [], {}
    form.credit_code.choices = [SelectChoice(t.credit_code, names.labelled(t.credit_code, shown))
                                for t in targets]
    form.item_code.choices = [SelectChoice(i, f"{i} · {p.name}")
                              for p in joint.participants(s, task) for i in p.item_codes]
    rules = platform().policy_for(tenant()).rules(task.starts_on)
    form.result.choices = [SelectChoice(c, str(RESULT_NAMES.get(c, c)))
                           for c in rules.result_codes()]
    return form


def _page(task: Task, problem: Any = None, status: int | None = None,
          **forms: Any) -> ResponseReturnValue:
    s = db_session()
    rows = joint.participants(s, task)
    plan_form = forms.get("plan_form") or ParticipantsForm(formdata=None, lines="\n".join(
        f"{p.code}:{','.join(p.item_codes)}:{p.quota}" for p in rows))
    results = list(s.scalars(select(ItemResult).where(ItemResult.task_id == task.id)
                             .order_by(ItemResult.credit_code, ItemResult.item_code)))
    recorded = set(s.scalars(select(InspectionRecord.credit_code)
                             .where(InspectionRecord.task_id == task.id)))
    return render_template(
        "staff/joint.html", task=task, participants=rows,
        views={v.code: v for v in joint_results.views(s, task)}, results=results,
        recorded=recorded, may_act=may_act_for(task), problem=problem, plan_form=plan_form,
        answer_form=forms.get("answer_form") or AnswerForm(formdata=None),
        result_form=forms.get("result_form") or _result_form(task),
        publish_form=forms.get("publish_form") or ParticipantPublishForm(formdata=None),
    ), status or status_for(request.method)


def _run(task: Task, form: Any, name: str, run: Any, done: str) -> ResponseReturnValue:
    """Validate ``form``, call ``run``; refused: the page again with the message, nothing
    saved; else commit and back to the page."""
    if not may_act_for(task):
        abort(403)
    if not form.validate_on_submit():
        errors = [str(e) for field in form for e in field.errors]
        shown = for_browser(UserError(errors[0])) if errors else None
        return _page(task, shown, status=422, **{name: form})
    s = db_session()
    try:
        run()
    except (UserError, KernelError) as exc:
        s.rollback()
        return _page(task, on_form(form, exc), status=422, **{name: form})
    s.commit()
    flash(done, "info")
    return redirect(url_for("staff.joint_task", task_id=task.id))


@bp.route("/tasks/<int:task_id>/joint")
@allow("tenant_admin", "operator", "viewer")
def joint_task(task_id: int) -> ResponseReturnValue:
    """The participants of a (joint) task, their results and publication."""
    return _page(task_or_404(task_id))


@bp.post("/tasks/<int:task_id>/joint/participants")
@allow("tenant_admin", "operator")
def joint_plan(task_id: int) -> ResponseReturnValue:
    task = task_or_404(task_id)
    form = ParticipantsForm()

    def run() -> None:
        lines = [line for line in (form.lines.data or "").splitlines() if line.strip()]
        plans = [joint.parse_plan(line, where="lines") for line in lines]
        joint.plan(db_session(), tenant(), task.code, plans, platform())

    return _run(task, form, "plan_form", run, _("The participants were saved."))


@bp.post("/tasks/<int:task_id>/joint/answer")
@allow("tenant_admin", "operator")
def joint_answer(task_id: int) -> ResponseReturnValue:
    task = task_or_404(task_id)
    form = AnswerForm()
    return _run(task, form, "answer_form", lambda: joint.answer(
        db_session(), tenant(), task.code, form.participant.data or "",
        accept=form.answer.data == "accept", note=form.note.data or "", actor=actor()),
        _("The answer was saved."))


@bp.post("/tasks/<int:task_id>/joint/result")
@allow("tenant_admin", "operator")
def joint_result(task_id: int) -> ResponseReturnValue:
    task = task_or_404(task_id)
    form = _result_form(task, ItemResultForm())
    return _run(task, form, "result_form", lambda: joint_results.record_item_result(
        db_session(), platform(), tenant(), task.code, form.credit_code.data or "",
        form.item_code.data or "", form.result.data or "", handling=form.handling.data or "",
        decided_on=form.decided_on.data), _("The item's result was saved."))


@bp.post("/tasks/<int:task_id>/joint/publish")
@allow("tenant_admin", "operator")
def joint_publish(task_id: int) -> ResponseReturnValue:
    task = task_or_404(task_id)
    form = ParticipantPublishForm()
    return _run(task, form, "publish_form", lambda: joint_results.publish_participant(
        db_session(), platform(), tenant(), task.code, form.participant.data or ""),
        _("The participant's results were published on the portal."))
