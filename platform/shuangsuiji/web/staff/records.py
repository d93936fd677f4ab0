"""On-site records (现场检查记录) and results, and the testing periods of a task."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields import SelectChoice

from shuangsuiji.access import allow, db_session, has_role
from shuangsuiji.errors import UserError
from shuangsuiji.kernel import KernelError
from shuangsuiji.models.inspections import (
    ExcludedPeriodRecord,
    InspectionRecord,
    InspectionResult,
)
from shuangsuiji.models.joint import ItemResult, TaskParticipant
from shuangsuiji.models.plans import LOCKED_STATUSES, Task
from shuangsuiji.services import deadlines as deadline_service
from shuangsuiji.services import joint, joint_results, lifecycle, names
from shuangsuiji.services import records as records_service
from shuangsuiji.web import forms
from shuangsuiji.web.context import METHOD_NAMES, RESULT_NAMES
from shuangsuiji.web.joint_forms import JointRecordForm
from shuangsuiji.web.refusals import on_form
from shuangsuiji.web.staff.common import (
    PERIOD_KINDS,
    acting_units,
    assigned,
    bp,
    inspector_codes,
    may_act_for,
    platform,
    problem_page,
    split,
    status_for,
    task_deadline,
    task_or_404,
    tenant,
)


@bp.route("/tasks/<int:task_id>/records", methods=["GET", "POST"])
@allow("tenant_admin", "operator", "inspector")
def records(task_id: int) -> ResponseReturnValue:
    """Enter the on-site record of a drawn target, and its result."""
    s = db_session()
    row = task_or_404(task_id)
    if not (may_act_for(row) or assigned(row)):
        abort(403)
    try:
        targets = lifecycle.drawn_targets(s, row)
    except UserError as exc:
        return problem_page(exc)  # nothing drawn yet: nothing to record
    if not may_act_for(row):  # an inspector is offered the targets of their own group only
        mine = inspector_codes()
        targets = [t for t in targets if mine & set(t.inspectors)]
    target_names = names.drawn_target_names(s, lifecycle.live_draw(s, row).id)
    people = names.people_names(s)
    rules = platform().policy_for(tenant()).rules(row.starts_on)
    parts = joint.participants(s, row) if row.joint else []
    form = JointRecordForm() if parts else forms.RecordForm()  # 联合抽查: a result per item
    form.credit_code.choices = [SelectChoice(t.credit_code,
                                             names.labelled(t.credit_code, target_names))
                                for t in targets]
    if request.method == "POST" and len(request.form.getlist("inspectors")) > 1:
        form.inspectors.data = ",".join(request.form.getlist("inspectors"))  # the checkboxes
    form.method.choices = [SelectChoice(m, str(METHOD_NAMES.get(m, m)))
                           for m in (row.methods or rules.methods.methods)]
    form.result.choices = [SelectChoice(c, str(RESULT_NAMES.get(c, c)))
                           for c in rules.result_codes()]
    problem: Any = None
    if form.validate_on_submit():
        code = form.credit_code.data or ""
        if not may_act_for(row):
            mine = inspector_codes()
            if not any(t.credit_code == code and mine & set(t.inspectors) for t in targets):
                abort(403)  # an inspector records only the targets of their own group
        try:
            records_service.record_on_site(
                s, platform(), tenant(), row.id, code, method=form.method.data or "",
                inspected_on=form.inspected_on.data,  # type: ignore[arg-type]
                inspectors=[records_service.InspectorPresent(i, form.credential.data or "")
                            for i in split(form.inspectors.data)],
                findings=form.findings.data or "", acknowledgement=form.acknowledgement.data or "",
                refusal_reason=form.refusal_reason.data or None,
                inspectors_signed=bool(form.inspectors_signed.data),
                witness=form.witness.data or None)
            if parts:
                joint_results.record_visit_results(
                    s, platform(), tenant(), row.id, code, _item_entries(parts),
                    decided_on=form.inspected_on.data, allowed=_items_of_caller(row, parts))
            else:
                records_service.record_result(s, platform(), tenant(), row.id, code,
                                              form.result.data or "",
                                              handling=form.handling.data or "",
                                              decided_on=form.inspected_on.data)
        except (UserError, KernelError) as exc:
            s.rollback()
            problem = on_form(form, exc)
        else:
            s.commit()
            flash(_("The record of %(code)s was saved.", code=code), "info")
            return redirect(url_for("staff.records", task_id=row.id))
    saved = {r.credit_code: r for r in s.scalars(
        select(InspectionRecord).where(InspectionRecord.task_id == row.id))}
    results = {r.credit_code: r for r in s.scalars(
        select(InspectionResult).where(InspectionResult.task_id == row.id))}
    chosen = _chosen(targets, saved, form.credit_code.data)
    if chosen is not None and request.method != "POST":
        form.credit_code.data = chosen.credit_code
    return render_template("staff/records.html", task=row, targets=targets, form=form,
                           saved=saved, results=results, names=target_names, people=people,
                           chosen=chosen, problem=problem, participants=parts,
                           item_results=_item_results(parts, row.id),
                           own_items=_items_of_caller(row, parts),
                           result_choices=form.result.choices), status_for(request.method)


def _item_entries(parts: list[TaskParticipant]) -> dict[str, tuple[str, str]]:
    """The items' (result, handling) posted with the record."""
    return {i: (request.form.get(f"item_result-{i}", "").strip(),
                request.form.get(f"item_handling-{i}", "").strip())
            for p in parts for i in p.item_codes}


def _items_of_caller(row: Task, parts: list[TaskParticipant]) -> set[str] | None:
    """The items whose results the caller enters (None: every item): an admin, the task's
    own unit and the group's inspectors enter all of the tenant's own participants; an
    operator of a participant its own. Another tenant's items never: it enters them from
    its own login (services/joint_results.py refuses them here), so they are shown, not
    offered, and a record written again here leaves them as that tenant entered them."""
    if not parts:
        return None
    ours = {i for p in parts if p.kind != "tenant" for i in p.item_codes}
    if not may_act_for(row):
        return ours  # the visiting group (every participant's inspectors) or nobody
    units = acting_units()
    if units is None or has_role("tenant_admin") or units & {row.division, row.department}:
        return ours
    return {i for p in parts if p.code in units for i in p.item_codes}


def _item_results(parts: list[TaskParticipant],
                  task_id: int) -> dict[tuple[str, str], ItemResult]:
    if not parts:
        return {}
    return {(r.credit_code, r.item_code): r for r in db_session().scalars(
        select(ItemResult).where(ItemResult.task_id == task_id))}


def _chosen(targets: list[lifecycle.DrawnTarget], saved: dict[str, InspectionRecord],
            posted: str | None) -> lifecycle.DrawnTarget | None:
    """The target the record form sits beside: the one posted or asked for (``?target=``),
    else the first without a record, else the first."""
    wanted = posted if request.method == "POST" else request.args.get("target")
    by_code = {t.credit_code: t for t in targets}
    if wanted in by_code:
        return by_code[wanted]
    return next((t for t in targets if t.credit_code not in saved),
                targets[0] if targets else None)


# --- testing, inspection and appraisal periods (检验、检测、鉴定) ------------------------


@bp.route("/tasks/<int:task_id>/periods", methods=["GET", "POST"])
@allow("tenant_admin", "operator", "viewer")
def periods(task_id: int) -> ResponseReturnValue:
    """The task's testing/inspection/appraisal periods and its deadline. Whether they move
    the deadline is the pack's rule (CQ Art. 14 leaves them out; MIIT counts every day)."""
    s = db_session()
    row = task_or_404(task_id)
    try:
        targets = lifecycle.drawn_targets(s, row)
    except UserError:
        targets = []
    form = forms.PeriodForm()
    companies = names.target_names(s, [t.credit_code for t in targets])
    form.credit_code.choices = [SelectChoice("", _("the whole task"))] + [
        SelectChoice(t.credit_code, names.labelled(t.credit_code, companies)) for t in targets]
    problem: Any = None
    if request.method == "POST":
        if not may_act_for(row):
            abort(403)
        if form.validate_on_submit():
            try:
                records_service.add_excluded_period(
                    s, tenant(), row.id, kind=form.kind.data or "",
                    starts_on=form.starts_on.data,  # type: ignore[arg-type]
                    ends_on=form.ends_on.data,  # type: ignore[arg-type]
                    credit_code=form.credit_code.data or None, note=form.note.data or "")
            except UserError as exc:
                s.rollback()
                problem = on_form(form, exc)
            else:
                s.commit()
                flash(_("The period was recorded."), "info")
                return redirect(url_for("staff.periods", task_id=row.id))
    rows = s.scalars(select(ExcludedPeriodRecord)
                     .where(ExcludedPeriodRecord.task_id == row.id)
                     .order_by(ExcludedPeriodRecord.starts_on, ExcludedPeriodRecord.id)).all()
    rule = platform().policy_for(tenant()).deadline_rule(
        row.work_ended_on or row.ends_on, deadline_service.task_facts(s, row))
    deadline, deadline_problem = task_deadline(row)
    return render_template(
        "staff/periods.html", task=row, kind_names=PERIOD_KINDS, periods=rows, form=form,
        problem=problem, rule=rule, names=companies,
        deadline=deadline, deadline_problem=deadline_problem,
        may_act=may_act_for(row) and row.status not in LOCKED_STATUSES,
    ), status_for(request.method)
