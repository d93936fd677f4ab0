"""Annual plans (年度抽查工作计划) and tasks (抽查任务): create, list, and the task page."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from shuangsuiji.access import allow, db_session, has_role
from shuangsuiji.errors import UserError
from shuangsuiji.models.inspections import (
    InspectionRecord,
    InspectionResult,
    Publication,
    TaskReport,
)
from shuangsuiji.models.plans import AnnualPlan
from shuangsuiji.services import credit_publicity, lifecycle, names, units
from shuangsuiji.services import draws as draw_service
from shuangsuiji.services import items as items_service
from shuangsuiji.services import plans as plan_service
from shuangsuiji.web import forms
from shuangsuiji.web.context import METHOD_NAMES
from shuangsuiji.web.localise import localise
from shuangsuiji.web.refusals import on_form
from shuangsuiji.web.staff.common import (
    EDITORS,
    READERS,
    acting_units,
    assigned,
    bp,
    may_act_for,
    may_see,
    platform,
    split,
    status_for,
    task_deadline,
    task_or_404,
    tenant,
)


@bp.route("/plans", methods=["GET", "POST"])
@allow(*READERS)
def plans() -> ResponseReturnValue:
    s = db_session()
    form = forms.PlanForm()
    problem: Any = None
    if request.method == "POST":
        if not has_role(*EDITORS):
            abort(403)
        if form.validate_on_submit():
            try:
                outcome = plan_service.create_plan(
                    s, platform(), tenant(), form.year.data or 0, title=form.title.data or "",
                    scope=form.scope.data or "",
                    inspector_requirements=form.inspector_requirements.data or "")
            except UserError as exc:
                s.rollback()
                problem = on_form(form, exc)
            else:
                s.commit()
                for warning in outcome.warnings:
                    flash(localise(warning), "warning")
                flash(_("The annual plan for %(year)d was created.", year=outcome.plan.year),
                      "info")
                return redirect(url_for("staff.plan", year=outcome.plan.year))
    return render_template("staff/plans.html", plans=plan_service.list_plans(s), form=form,
                           problem=problem, window_warning=_window_warning
                           ), status_for(request.method)


def _window_warning(plan: AnnualPlan) -> str | None:
    """A plan's warning (made outside the first-quarter window) in the page's language."""
    return localise(plan_service.plan_warning(platform(), tenant(), plan))


@bp.get("/plans/<int:year>")
@allow(*READERS)
def plan(year: int) -> str:
    s = db_session()
    try:
        found = plan_service.get_plan(s, year)
    except UserError:
        abort(404)
    return render_template("staff/plan.html", plan=found, window_warning=_window_warning,
                           tasks=plan_service.list_tasks(s, year=year))


@bp.route("/tasks", methods=["GET", "POST"])
@allow("tenant_admin", "operator", "viewer", "inspector")
def tasks() -> ResponseReturnValue:
    s = db_session()
    form = forms.TaskForm()
    if has_role(*EDITORS):  # only they see the form or may send it
        _task_choices(form)
    problem: Any = None
    if request.method == "POST":
        if not has_role(*EDITORS):
            abort(403)
        depts = acting_units("operator")
        if (not has_role("tenant_admin") and depts is not None
                and not {form.department.data, form.division.data} & depts):
            abort(403)  # an operator creates tasks for its own department or unit only
        if form.validate_on_submit():
            try:
                task = plan_service.create_task(
                    s, platform(), tenant(),
                    plan_year=form.plan_year.data or 0, code=form.code.data or "",
                    title=form.title.data or "", department=form.department.data or "",
                    departments=split(form.departments.data), division=form.division.data or "",
                    joint=bool(form.joint.data), joint_divisions=split(form.joint_divisions.data),
                    item_codes=list(form.item_codes.data or ()),
                    methods=list(form.methods.data or ()),
                    ratio_permille=form.ratio_permille.data or 0,
                    min_count=form.min_count.data or 0, group_count=form.group_count.data or 1,
                    experts_count=form.experts_count.data or 0,
                    starts_on=form.starts_on.data, ends_on=form.ends_on.data,  # type: ignore[arg-type]
                    special=bool(form.special.data),
                    special_trigger=form.special_trigger.data or None)
            except UserError as exc:
                s.rollback()
                problem = on_form(form, exc)
            else:
                s.commit()
                flash(_("Task %(code)s was created.", code=task.code), "info")
                return redirect(url_for("staff.task", task_id=task.id))
    rows = [t for t in plan_service.list_tasks(s) if may_see(t)]
    if not form.plan_year.data and request.method == "GET":
        form.plan_year.data = lifecycle.today_in_china().year
    return render_template("staff/tasks.html", tasks=rows, form=form, problem=problem,
                           may_create=has_role(*EDITORS),
                           tree=units.load_tree(s)), status_for(request.method)


def _task_choices(form: forms.TaskForm) -> None:
    """The tenant's items in force and the methods its pack allows, as the form's choices."""
    form.item_codes.choices = [
        (i.code, f"{i.code} {i.name}") for i in items_service.list_items(db_session())
    ]
    allowed = platform().policy_for(tenant()).rules(lifecycle.today_in_china()).methods
    form.methods.choices = [(m, str(METHOD_NAMES.get(m, m))) for m in allowed.methods]


@bp.get("/tasks/<int:task_id>")
@allow("tenant_admin", "operator", "viewer", "inspector")
def task(task_id: int) -> ResponseReturnValue:
    return task_page(task_or_404(task_id))


def task_page(row: Any, *, status: int = 200, problem: Any = None,
              end_form: forms.EndWorkForm | None = None,
              publish_form: forms.PublicationForm | None = None,
              credit_form: forms.CreditPublicityForm | None = None) -> ResponseReturnValue:
    """The task page; a refused form of it (the end of the work, publication, the credit
    publicity hand-over) is shown again with what was typed and why (``problem``: above
    the form, when it is not under one of its fields)."""
    s = db_session()
    draws = draw_service.draws_of(s, row)
    live = next((d for d in reversed(draws) if d.void is None), None)
    targets = lifecycle.drawn_targets(s, row) if live is not None else []
    records = {r.credit_code: r for r in s.scalars(
        select(InspectionRecord).where(InspectionRecord.task_id == row.id))}
    results = {r.credit_code: r for r in s.scalars(
        select(InspectionResult).where(InspectionResult.task_id == row.id))}
    publication = s.scalar(select(Publication).where(Publication.task_id == row.id))
    report = s.scalar(select(TaskReport).where(TaskReport.task_id == row.id))
    deadline, deadline_problem = task_deadline(row)
    return render_template(
        "staff/task.html", task=row, items=plan_service.task_items(s, row), draws=draws,
        live=live, targets=targets, records=records, results=results,
        publication=publication, report=report, deadline=deadline,
        deadline_problem=deadline_problem, may_act=may_act_for(row),
        end_form=end_form or forms.EndWorkForm(formdata=None),
        publish_form=publish_form or forms.PublicationForm(formdata=None),
        missing_records=[t.credit_code for t in targets if t.credit_code not in records],
        credit_form=credit_form or forms.CreditPublicityForm(formdata=None),
        problem=problem, problem_form=problem and problem_form_of(
            problem, end_form=end_form, publish_form=publish_form, credit_form=credit_form),
        credit_handover=credit_publicity.latest(s, row.id) if publication else None,
        names=names.drawn_target_names(s, live.id) if live is not None else {},
        people=names.people_names(s) if live is not None else {},
        may_record=live is not None and (may_act_for(row) or assigned(row)),
    ), status


def problem_form_of(problem: Any, **sent: Any) -> str:
    """Which form of the task page a refusal belongs to (the one sent)."""
    return next((name for name, form in sent.items() if form is not None), "")
