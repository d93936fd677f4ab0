"""Another tenant's joint task in the browser, as a participant tenant works on it from its
own login: its invitations, its answer, the joint task as it needs to see it, the results of
its own items and their publication (services/joint_tenants.py, services/joint_guest.py)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms.fields import SelectChoice

from shuangsuiji.access import allow, db_session, has_role
from shuangsuiji.errors import NotFound, UserError
from shuangsuiji.kernel import KernelError
from shuangsuiji.services import joint_guest, joint_tenants
from shuangsuiji.services.records import InspectorPresent
from shuangsuiji.web.context import METHOD_NAMES, RESULT_NAMES
from shuangsuiji.web.joint_forms import (
    AnswerForm,
    GuestPublishForm,
    ItemResultForm,
    JointRecordForm,
)
from shuangsuiji.web.refusals import for_browser, on_form
from shuangsuiji.web.staff.common import (
    READERS,
    actor,
    bp,
    inspector_codes,
    platform,
    split,
    status_for,
    tenant,
)


def _view(host: str, task_code: str) -> joint_guest.GuestView:
    try:
        return joint_guest.view(db_session(), tenant(), task_code, host, platform=platform())
    except NotFound:
        abort(404)  # not a joint task this tenant takes part in: nothing of the host is told


ACTING = ("tenant_admin", "operator")  # record and give results for every drawn target


def _own_targets(shown: joint_guest.GuestView) -> frozenset[str] | None:
    """The drawn targets the current user records and gives results for: all of them
    (None) for an operator or admin; an inspector's own groups' only, as in the tenant's
    own tasks (in the host's draw each of this tenant's people is ``<slug>/<code>``), and
    none while this tenant has not accepted the task."""
    if has_role(*ACTING):
        return None
    if shown.own.state != "accepted":
        return frozenset()
    mine = {joint_tenants.joint_code(tenant().slug, c) for c in inspector_codes()}
    return frozenset(c for c, people in shown.groups.items() if not mine.isdisjoint(people))


def _targets(shown: joint_guest.GuestView) -> list[tuple[str, str]]:
    allowed = _own_targets(shown)
    return [t for t in shown.targets if allowed is None or t[0] in allowed]


def _only_own(shown: joint_guest.GuestView, credit_code: str) -> None:
    """An inspector posting for a target outside their own groups: 403, nothing written
    (in no group of the task: 404, as its page)."""
    allowed = _own_targets(shown)
    if allowed is not None and credit_code.strip().upper() not in allowed:
        abort(403 if allowed else 404)


def _result_form(shown: joint_guest.GuestView,
                 form: ItemResultForm | None = None) -> ItemResultForm:
    form = form or ItemResultForm(formdata=None)
    form.credit_code.choices = [SelectChoice(c, f"{c} {n}".strip()) for c, n in _targets(shown)]
    slug = tenant().slug
    form.item_code.choices = [SelectChoice(joint_tenants.own_code(slug, i), i)
                              for i in shown.own.item_codes]
    rules = platform().policy_for(tenant()).rules(shown.task.starts_on)  # its own pack's
    form.result.choices = [SelectChoice(c, str(RESULT_NAMES.get(c, c)))
                           for c in rules.result_codes()]
    return form


VISIT = "visit"  # the prefix of the record form's fields


def _record_form(shown: joint_guest.GuestView,
                 form: JointRecordForm | None = None) -> JointRecordForm:
    """The one on-site record of a target not recorded yet, or one this tenant wrote and
    corrects (the host's methods), with a result for each of this tenant's own items
    (``item_result-<code>`` beside it). Its fields are prefixed ``visit-`` (the page's
    result form has fields of the same names)."""
    form = form or JointRecordForm(formdata=None, prefix=VISIT)
    form.credit_code.choices = [
        SelectChoice(c, f"{c} {n}".strip() + (f" ({_('Record again')})"
                                               if c in shown.correctable else ""))
        for c, n in _targets(shown) if c not in shown.recorded or c in shown.correctable]
    form.method.choices = [SelectChoice(m, str(METHOD_NAMES.get(m, m)))
                           for m in shown.task.methods]
    form.result.choices = _result_form(shown).result.choices
    return form


def _page(shown: joint_guest.GuestView, problem: Any = None, status: int | None = None,
          **forms: Any) -> ResponseReturnValue:
    return render_template(
        "staff/joint_guest.html", shown=shown, task=shown.task, host=shown.host,
        own=shown.own, problem=problem,
        answer_form=forms.get("answer_form") or AnswerForm(formdata=None),
        result_form=forms.get("result_form") or _result_form(shown),
        record_form=forms.get("record_form") or _record_form(shown),
        publish_form=forms.get("publish_form") or GuestPublishForm(formdata=None),
    ), status or status_for(request.method)


def _run(shown: joint_guest.GuestView, form: Any, name: str, run: Any,
         done: str) -> ResponseReturnValue:
    """Validate ``form``, call ``run``; refused: the page again with the message, nothing
    saved; else commit and back to the page."""
    if not form.validate_on_submit():
        errors = [str(e) for field in form for e in field.errors]
        shown_problem = for_browser(UserError(errors[0])) if errors else None
        return _page(shown, shown_problem, status=422, **{name: form})
    s = db_session()
    try:
        run()
    except (UserError, KernelError) as exc:
        s.rollback()
        return _page(_view(shown.host.slug, shown.task.code), on_form(form, exc), status=422,
                     **{name: form})
    s.commit()
    flash(done, "info")
    return redirect(url_for("staff.joint_guest_task", host=shown.host.slug,
                            task_code=shown.task.code))


@bp.route("/joint/invitations")
@allow("tenant_admin", "operator", "viewer")
def joint_invitations() -> ResponseReturnValue:
    """The joint tasks of other tenants this tenant is invited to or takes part in."""
    rows = joint_tenants.invitations(db_session(), tenant())
    return render_template("staff/joint_invitations.html", rows=rows)


@bp.route("/joint/<host>/<task_code>")
@allow("tenant_admin", "operator", "viewer", "inspector")
def joint_guest_task(host: str, task_code: str) -> ResponseReturnValue:
    """Another tenant's joint task, as this tenant takes part in it; to an inspector only
    while they are in one of its live draw's groups — the same rule as for what they post
    (:func:`_only_own`), so from the draw until the task is published, as in their tenant's
    own tasks (the dashboard lists it only while it is at work)."""
    shown = _view(host, task_code)
    if not has_role(*READERS) and not _own_targets(shown):
        abort(404)  # an inspector is not told about tasks they are not part of
    return _page(shown)


@bp.post("/joint/<host>/<task_code>/answer")
@allow("tenant_admin", "operator")
def joint_guest_answer(host: str, task_code: str) -> ResponseReturnValue:
    shown = _view(host, task_code)
    form = AnswerForm()
    return _run(shown, form, "answer_form", lambda: joint_tenants.answer(
        db_session(), tenant(), task_code, accept=form.answer.data == "accept",
        note=form.note.data or "", actor=actor(), host_slug=host),
        _("The answer was saved."))


@bp.post("/joint/<host>/<task_code>/result")
@allow("tenant_admin", "operator", "inspector")
def joint_guest_result(host: str, task_code: str) -> ResponseReturnValue:
    """The result of one of this tenant's own items at a drawn target (an inspector: of
    their own groups' targets only)."""
    shown = _view(host, task_code)
    form = _result_form(shown, ItemResultForm())
    _only_own(shown, form.credit_code.data or "")
    return _run(shown, form, "result_form", lambda: joint_guest.record_result(
        db_session(), platform(), tenant(), task_code, form.credit_code.data or "",
        form.item_code.data or "", form.result.data or "", handling=form.handling.data or "",
        decided_on=form.decided_on.data, host_slug=host), _("The item's result was saved."))


@bp.post("/joint/<host>/<task_code>/record")
@allow("tenant_admin", "operator", "inspector")
def joint_guest_record(host: str, task_code: str) -> ResponseReturnValue:
    """The one on-site record of a drawn target, entered by this tenant, with the results
    of its own items (another participant's item posted is refused by name, nothing
    written); once written, every participant adds its own items' results. An inspector
    enters those of their own groups' targets only."""
    shown = _view(host, task_code)
    form = _record_form(shown, JointRecordForm(prefix=VISIT))
    code = form.credit_code.data or ""
    _only_own(shown, code)
    results = {k.removeprefix("item_result-"): (
        v.strip(), request.form.get("item_handling-" + k.removeprefix("item_result-"), "").strip())
        for k, v in request.form.items() if k.startswith("item_result-")}


    def run() -> None:  # called once the form is valid
        visit = joint_guest.Visit(
            form.method.data or "", form.inspected_on.data,  # type: ignore[arg-type]
            [InspectorPresent(i, form.credential.data or "")
             for i in split(form.inspectors.data)],
            form.findings.data or "", form.acknowledgement.data or "",
            form.refusal_reason.data or None, bool(form.inspectors_signed.data),
            form.witness.data or None)
        joint_guest.record_visit(db_session(), platform(), tenant(), task_code, code, visit,
                                 results, host_slug=host)

    return _run(shown, form, "record_form", run, _("The record of %(code)s was saved.",
                                                     code=code))


@bp.post("/joint/<host>/<task_code>/publish")
@allow("tenant_admin", "operator")
def joint_guest_publish(host: str, task_code: str) -> ResponseReturnValue:
    shown = _view(host, task_code)
    form = GuestPublishForm()
    return _run(shown, form, "publish_form", lambda: joint_guest.publish(
        db_session(), platform(), tenant(), task_code, host_slug=host),
        _("Our results were published on the portal."))
