"""Printable notices to targets (告知书) and the task report (抽查情况报告)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shuangsuiji.access import allow, db_session
from shuangsuiji.errors import UserError
from shuangsuiji.models.inspections import TaskReport
from shuangsuiji.models.plans import LOCKED_STATUSES
from shuangsuiji.services import notices as notice_service
from shuangsuiji.services import records as records_service
from shuangsuiji.web import forms
from shuangsuiji.web.refusals import for_browser
from shuangsuiji.web.staff.common import (
    bp,
    may_act_for,
    platform,
    status_for,
    task_or_404,
    tenant,
)

#: The report fields packs name (MIIT Art. 14), for people. A pack's own field name that is
#: not listed here is shown as it is.
REPORT_FIELD_NAMES = {
    "period": _l("Period of the inspection"),
    "target_count": _l("Number of targets inspected"),
    "content": _l("What was inspected"),
    "findings": _l("Problems found in the inspection"),
    "handling": _l("How they were handled"),
    "suggestions": _l("Suggestions for the work"),
}


@bp.get("/tasks/<int:task_id>/notices")
@allow("tenant_admin", "operator", "viewer", "inspector")
def notices(task_id: int) -> ResponseReturnValue:
    """One printable notice per drawn target: basis, content, inspectors, what is asked.

    ``?target=<credit code>`` prints one target's notice only.
    """
    s = db_session()
    row = task_or_404(task_id)
    try:
        found = notice_service.notices(s, platform(), tenant(), row.id)
    except UserError as exc:
        return render_template("staff/notices.html", task=row, notices=[],
                               problem=exc), 409
    only = request.args.get("target", "").strip().upper()
    if only:
        found = [n for n in found if n.credit_code == only]
        if not found:
            abort(404)
    return render_template("staff/notices.html", task=row, notices=found, problem=None)


@bp.route("/tasks/<int:task_id>/report", methods=["GET", "POST"])
@allow("tenant_admin", "operator", "viewer")
def report(task_id: int) -> ResponseReturnValue:
    """The task report: the fields the pack requires, citing its article; where the pack
    requires none (Chongqing), the page says so and cites the rule."""
    s = db_session()
    row = task_or_404(task_id)
    rules = platform().policy_for(tenant()).rules(row.work_ended_on or row.starts_on)
    rule = rules.report_rule
    saved = s.scalar(select(TaskReport).where(TaskReport.task_id == row.id))
    form = forms.ActionForm()
    values = dict(saved.fields) if saved else {}
    problem: Any = None
    if request.method == "POST":
        if not may_act_for(row):
            abort(403)
        values = {name: request.form.get(f"field_{name}", "").strip() for name in rule.fields}
        if form.validate_on_submit():
            try:
                records_service.write_report(s, platform(), tenant(), row.id, values)
            except UserError as exc:
                s.rollback()
                problem = for_browser(exc)
                missing = [str(REPORT_FIELD_NAMES.get(n, n)) for n in rule.fields
                           if not values.get(n)]
                if missing:  # named by their labels, not the pack's field names
                    problem.message = _("Fill in every part of the report; missing: "
                                        "%(fields)s", fields="、".join(missing))
                    problem.hint = _("fill in the parts marked below, then save again")
            else:
                s.commit()
                flash(_("The report was saved."), "info")
                return redirect(url_for("staff.report", task_id=row.id))
    fields = [(name, REPORT_FIELD_NAMES.get(name, name)) for name in rule.fields]
    return render_template(
        "staff/report.html", task=row, rule=rule, fields=fields, values=values, saved=saved,
        form=form, problem=problem,
        may_act=may_act_for(row) and row.status not in LOCKED_STATUSES,
    ), status_for(request.method)
