"""Staff pages of one tenant, under ``/t/<tenant_slug>/``.

Thin callers of the services: a view reads the form, calls a service, commits, and shows
the result; a :class:`~shuangsuiji.errors.UserError` from the service is shown on the same
page (message, where, hint) with nothing saved. Every view declares its roles with
:func:`shuangsuiji.access.allow`.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import func, select
from wtforms.fields import SelectChoice

from shuangsuiji.access import (
    allow,
    current_tenant,
    current_user,
    db_session,
    has_role,
    lookup,
)
from shuangsuiji.canonical import canonical_json
from shuangsuiji.errors import Conflict, UserError
from shuangsuiji.kernel import KernelError
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.models.directories import (
    DIRECTORY_KINDS,
    DirectoryChange,
    Expert,
    ImportBatch,
    Inspector,
    Item,
    ItemListVersion,
    Target,
)
from shuangsuiji.models.draws import Draw, DrawSelection
from shuangsuiji.models.inspections import InspectionRecord, InspectionResult, Publication
from shuangsuiji.models.plans import Task
from shuangsuiji.platform import Platform
from shuangsuiji.services import accounts, audit, imports, lifecycle
from shuangsuiji.services import deadlines as deadline_service
from shuangsuiji.services import draws as draw_service
from shuangsuiji.services import items as item_service
from shuangsuiji.services import plans as plan_service
from shuangsuiji.services import publication as publication_service
from shuangsuiji.services import records as records_service
from shuangsuiji.web import forms
from shuangsuiji.web.context import METHOD_NAMES, RESULT_NAMES
from shuangsuiji.web.errors import render_error

bp = Blueprint("staff", __name__, url_prefix="/t/<tenant_slug>")

#: Who may read a tenant's working pages (inspectors see only their own assignments).
READERS = ("tenant_admin", "operator", "viewer")
#: Who may change directories, the item list and plans.
EDITORS = ("tenant_admin", "operator")


def platform() -> Platform:
    return current_app.extensions["shuangsuiji"]


def tenant() -> Any:
    found = current_tenant()
    assert found is not None  # set by @allow for every view of this blueprint
    return found


@bp.get("/")
@allow("tenant_admin", "operator", "viewer", "inspector")
def dashboard() -> str:
    """Deadlines due soon and overdue, recent draws, and the audit chain's status."""
    s = db_session()
    alerts = deadline_service.alerts(s, platform(), tenant(),
                                     due_soon_days=int(current_app.config["SSJ_DUE_SOON_DAYS"]))
    recent = s.execute(
        select(Draw, Task).join(Task, Task.id == Draw.task_id)
        .order_by(Draw.drawn_at.desc(), Draw.id.desc()).limit(8)
    ).all()
    chain = audit.verify(s, tenant().id)
    return render_template("staff/dashboard.html", alerts=alerts, recent=recent, chain=chain)


@bp.get("/audit")
@allow(*READERS)
def audit_log() -> str:
    """The tenant's audit chain, newest first, with the result of verifying it."""
    s = db_session()
    events = s.scalars(
        select(AuditEvent).where(AuditEvent.tenant_id == tenant().id)
        .order_by(AuditEvent.seq.desc()).limit(200)
    ).all()
    return render_template("staff/audit.html", events=events,
                           chain=audit.verify(s, tenant().id))


# --- helpers --------------------------------------------------------------------------


def _split(text: str | None) -> list[str]:
    """Comma- (or 、/，-) separated values, trimmed, empty ones dropped."""
    if not text:
        return []
    for sep in ("，", "、", "\n"):
        text = text.replace(sep, ",")
    return [part.strip() for part in text.split(",") if part.strip()]


def _may_act_for(task: Task, role: str = "operator") -> bool:
    """Whether the current user may act on ``task``: admins always; an operator only for the
    tasks of its own department(s) (joint tasks: any of their departments)."""
    user = current_user()
    if user is None:
        return False
    if has_role("tenant_admin"):
        return True
    if not has_role(role):
        return False
    depts = accounts.departments_in(user, tenant().id, role)
    if depts is None:
        return True
    return bool(depts & ({task.department} | set(task.departments or ())))


def _require_act(task: Task) -> None:
    if not _may_act_for(task):
        abort(403)


def _inspector_codes() -> frozenset[str]:
    user = current_user()
    assert user is not None
    return accounts.inspector_codes_in(user, tenant().id)


def _assigned(task: Task) -> bool:
    """Whether the current inspector account is in a group of the task's live draw."""
    codes = _inspector_codes()
    if not codes:
        return False
    try:
        targets = lifecycle.drawn_targets(db_session(), task)
    except UserError:
        return False
    return any(codes & set(t.inspectors) for t in targets)


def _may_see(task: Task) -> bool:
    if has_role("tenant_admin", "operator", "viewer"):
        return True
    return _assigned(task)


def _task_or_404(task_id: int) -> Task:
    task: Task = lookup(Task, task_id)
    if not _may_see(task):
        abort(404)  # an inspector is not told about tasks they are not part of
    return task


# --- directories ----------------------------------------------------------------------


DIRECTORY_MODELS: dict[str, type[Any]] = {
    "targets": Target, "inspectors": Inspector, "experts": Expert, "items": Item,
}


@bp.get("/directories")
@allow(*READERS)
def directories() -> str:
    s = db_session()
    counts = {kind: s.scalar(select(func.count()).select_from(model)) or 0
              for kind, model in DIRECTORY_MODELS.items()}
    batches = s.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(20)).all()
    return render_template("staff/directories.html", counts=counts, batches=batches,
                           form=forms.UploadForm(), kinds=DIRECTORY_KINDS, failed=None,
                           failed_kind=None)


@bp.post("/directories/<kind>/upload")
@allow(*EDITORS)
def directory_upload(kind: str) -> ResponseReturnValue:
    """Upload a CSV/XLSX file: every bad row is listed with its row and column, and nothing
    is saved unless the whole file is good."""
    if kind not in DIRECTORY_KINDS:
        abort(404)
    form = forms.UploadForm()
    s = db_session()
    failed: UserError | None = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            categories = None
            if kind == "items":
                categories = platform().policy_for(tenant()).rules(
                    lifecycle.today_in_china()).item_categories
            report = imports.import_file(s, tenant(), kind, upload.read(), upload.filename,
                                         actor=current_user().username,  # type: ignore[union-attr]
                                         categories=categories)
        except UserError as exc:
            s.rollback()
            failed = exc
        else:
            s.commit()
            flash(_("Imported %(rows)d rows: %(inserted)d new, %(updated)d changed, "
                    "%(unchanged)d unchanged.", rows=report.rows, inserted=report.inserted,
                    updated=report.updated, unchanged=report.unchanged), "info")
            if kind == "items":
                return redirect(url_for("staff.items"))
            return redirect(url_for("staff.directory", kind=kind))
    counts = {k: s.scalar(select(func.count()).select_from(m)) or 0
              for k, m in DIRECTORY_MODELS.items()}
    batches = s.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(20)).all()
    return render_template("staff/directories.html", counts=counts, batches=batches, form=form,
                           kinds=DIRECTORY_KINDS, failed=failed, failed_kind=kind), 422


@bp.get("/directories/<kind>")
@allow(*READERS)
def directory(kind: str) -> str:
    """The rows of one directory (first 500, filtered by ``q``)."""
    model = DIRECTORY_MODELS.get(kind)
    if model is None or kind == "items":
        abort(404)
    q = request.args.get("q", "").strip()
    query = select(model).order_by(model.id).limit(500)
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(model.name.like(f"%{escaped}%", escape="\\"))
    rows = db_session().scalars(query).all()
    return render_template("staff/directory.html", kind=kind, rows=rows, q=q)


# --- the item list --------------------------------------------------------------------


@bp.get("/items")
@allow(*READERS)
def items() -> str:
    s = db_session()
    rows = s.scalars(select(Item).order_by(Item.code)).all()
    versions = s.scalars(select(ItemListVersion).order_by(ItemListVersion.number.desc())).all()
    return render_template("staff/items.html", items=rows, versions=versions,
                           form=forms.UploadForm())


@bp.get("/items/<int:item_id>")
@allow(*READERS)
def item(item_id: int) -> str:
    """One item and its history: every field change, and the list versions it appears in."""
    s = db_session()
    row: Item = lookup(Item, item_id)
    changes = s.scalars(select(DirectoryChange).where(
        DirectoryChange.kind == "items", DirectoryChange.key == row.code
    ).order_by(DirectoryChange.at.desc(), DirectoryChange.id.desc())).all()
    return render_template("staff/item.html", item=row, changes=changes)


@bp.route("/items/new", methods=["GET", "POST"], defaults={"item_id": None})
@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@allow(*EDITORS)
def item_edit(item_id: int | None) -> ResponseReturnValue:
    """Create or change an item; every save makes a new version of the item list."""
    s = db_session()
    row: Item | None = lookup(Item, item_id) if item_id is not None else None
    form = forms.ItemForm(obj=row) if request.method == "GET" else forms.ItemForm()
    if request.method == "GET" and row is not None:
        form.methods.data = ", ".join(row.methods or ())
        form.departments.data = ", ".join(row.departments or ())
        form.note.data = ""
    problem: UserError | None = None
    if form.validate_on_submit():
        values = {
            "code": (form.code.data or "").strip(), "name": (form.name.data or "").strip(),
            "category": (form.category.data or "general").strip(),
            "subject": form.subject.data or "", "content": form.content.data or "",
            "legal_basis": form.legal_basis.data or "", "methods": _split(form.methods.data),
            "frequency": form.frequency.data or "", "cap_permille": form.cap_permille.data,
            "publication_mode": form.publication_mode.data or "public",
            "departments": _split(form.departments.data),
        }
        if row is not None and values["code"] != row.code:
            problem = UserError(_("An item's code cannot change."), where="code",
                                hint=_("Create a new item and retire this one."))
        else:
            try:
                version = item_service.save_item(
                    s, values, actor=current_user().username,  # type: ignore[union-attr]
                    note=form.note.data or "")
            except UserError as exc:
                s.rollback()
                problem = exc
            else:
                s.commit()
                if version is None:
                    flash(_("Nothing changed."), "info")
                else:
                    flash(_("Saved as version %(n)d of the item list.", n=version.number),
                          "info")
                saved = item_service.get_item(s, values["code"])
                return redirect(url_for("staff.item", item_id=saved.id))
    status = 422 if request.method == "POST" else 200
    return render_template("staff/item_edit.html", form=form, item=row,
                           problem=problem), status


# --- plans and tasks ------------------------------------------------------------------


@bp.route("/plans", methods=["GET", "POST"])
@allow(*READERS)
def plans() -> ResponseReturnValue:
    s = db_session()
    form = forms.PlanForm()
    problem: UserError | None = None
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
                problem = exc
            else:
                s.commit()
                for warning in outcome.warnings:
                    flash(warning, "warning")
                flash(_("The annual plan for %(year)d was created.", year=outcome.plan.year),
                      "info")
                return redirect(url_for("staff.plan", year=outcome.plan.year))
    status = 422 if request.method == "POST" else 200
    return render_template("staff/plans.html", plans=plan_service.list_plans(s), form=form,
                           problem=problem), status


@bp.get("/plans/<int:year>")
@allow(*READERS)
def plan(year: int) -> str:
    s = db_session()
    try:
        found = plan_service.get_plan(s, year)
    except UserError:
        abort(404)
    return render_template("staff/plan.html", plan=found,
                           tasks=plan_service.list_tasks(s, year=year))


@bp.route("/tasks", methods=["GET", "POST"])
@allow("tenant_admin", "operator", "viewer", "inspector")
def tasks() -> ResponseReturnValue:
    s = db_session()
    form = forms.TaskForm()
    problem: UserError | None = None
    if request.method == "POST":
        if not has_role(*EDITORS):
            abort(403)
        user = current_user()
        assert user is not None
        depts = accounts.departments_in(user, tenant().id, "operator")
        if (not has_role("tenant_admin") and depts is not None
                and form.department.data not in depts):
            abort(403)  # an operator creates tasks for its own department only
        if form.validate_on_submit():
            try:
                task = plan_service.create_task(
                    s, platform(), tenant(),
                    plan_year=form.plan_year.data or 0, code=form.code.data or "",
                    title=form.title.data or "", department=form.department.data or "",
                    departments=_split(form.departments.data), division=form.division.data or "",
                    item_codes=_split(form.item_codes.data), methods=_split(form.methods.data),
                    ratio_permille=form.ratio_permille.data or 0,
                    min_count=form.min_count.data or 0, group_count=form.group_count.data or 1,
                    experts_count=form.experts_count.data or 0,
                    starts_on=form.starts_on.data, ends_on=form.ends_on.data,  # type: ignore[arg-type]
                    special=bool(form.special.data),
                    special_trigger=form.special_trigger.data or None)
            except UserError as exc:
                s.rollback()
                problem = exc
            else:
                s.commit()
                flash(_("Task %(code)s was created.", code=task.code), "info")
                return redirect(url_for("staff.task", task_id=task.id))
    rows = [t for t in plan_service.list_tasks(s) if _may_see(t)]
    if not form.plan_year.data and request.method == "GET":
        form.plan_year.data = lifecycle.today_in_china().year
    status = 422 if request.method == "POST" else 200
    return render_template("staff/tasks.html", tasks=rows, form=form, problem=problem,
                           may_create=has_role(*EDITORS)), status


@bp.get("/tasks/<int:task_id>")
@allow("tenant_admin", "operator", "viewer", "inspector")
def task(task_id: int) -> str:
    s = db_session()
    row = _task_or_404(task_id)
    draws = draw_service.draws_of(s, row)
    live = next((d for d in reversed(draws) if d.void is None), None)
    targets = lifecycle.drawn_targets(s, row) if live is not None else []
    records = {r.credit_code: r for r in s.scalars(
        select(InspectionRecord).where(InspectionRecord.task_id == row.id))}
    results = {r.credit_code: r for r in s.scalars(
        select(InspectionResult).where(InspectionResult.task_id == row.id))}
    publication = s.scalar(select(Publication).where(Publication.task_id == row.id))
    deadline = None
    deadline_problem = None
    if row.work_ended_on is not None:
        try:
            deadline = deadline_service.task_deadline(s, platform(), tenant(), row.id)
        except UserError as exc:
            deadline_problem = exc
    return render_template(
        "staff/task.html", task=row, items=plan_service.task_items(s, row), draws=draws,
        live=live, targets=targets, records=records, results=results,
        publication=publication, deadline=deadline, deadline_problem=deadline_problem,
        may_act=_may_act_for(row), end_form=forms.EndWorkForm(),
        publish_form=forms.PublicationForm())


# --- the draw ceremony ----------------------------------------------------------------


@bp.route("/tasks/<int:task_id>/draw", methods=["GET", "POST"])
@allow("tenant_admin", "operator")
def draw(task_id: int) -> ResponseReturnValue:
    """GET: freeze the pool and show its digest *before* anything is drawn. POST: draw with
    the typed or generated seed; refused if the pool changed since its digest was shown."""
    s = db_session()
    row: Task = lookup(Task, task_id)
    _require_act(row)
    form = forms.DrawForm()
    problem: Any = None
    if form.validate_on_submit():
        seed = (form.seed.data or "").strip() if form.seed_source.data == "ceremony" else None
        if form.seed_source.data == "ceremony" and not seed:
            form.seed.errors.append(_("Type the seed announced at the ceremony, or choose a "
                                      "generated seed."))
        else:
            try:
                record = draw_service.draw(
                    s, platform(), tenant(), row.id, seed=seed,
                    witnesses=tuple(_split(form.witnesses.data)),
                    expected_pool_digest=form.pool_digest.data or None)
            except (UserError, KernelError) as exc:
                s.rollback()
                problem = exc
            else:
                s.commit()
                flash(_("The draw was committed. Its bundle can now be downloaded and "
                        "verified."), "info")
                return redirect(url_for("staff.draw_result", draw_id=record.id))
    prepared = None
    try:
        prepared = draw_service.prepare(s, platform(), tenant(), row.id)
    except (UserError, KernelError) as exc:
        s.rollback()
        problem = problem or exc
    if prepared is not None and not form.pool_digest.data:
        form.pool_digest.data = prepared.pool.digest
    status = 422 if request.method == "POST" else 200
    return render_template("staff/draw.html", task=row, prepared=prepared, form=form,
                           problem=problem), status


def _draw_or_404(draw_id: int) -> tuple[Draw, Task]:
    record: Draw = lookup(Draw, draw_id)
    task = _task_or_404(record.task_id)
    return record, task


@bp.get("/draws/<int:draw_id>")
@allow("tenant_admin", "operator", "viewer", "inspector")
def draw_result(draw_id: int) -> str:
    """The result: strata, batches, groups with their leaders and targets, recusals."""
    record, row = _draw_or_404(draw_id)
    result = draw_service.current_result(record)
    names = _target_names(record)
    return render_template(
        "staff/draw_result.html", draw=record, task=row, result=result, names=names,
        people=_people_names(), recusal_form=forms.RecusalForm(), void_form=forms.VoidForm(),
        may_act=_may_act_for(row), may_recuse=_may_act_for(row) or _assigned(row),
        recusal_modes=platform().policy_for(tenant()).rules(
            record.inspection_date).recusal_rule.modes)


def _target_names(record: Draw) -> dict[str, str]:
    rows = db_session().execute(
        select(DrawSelection.credit_code, Target.name)
        .join(Target, Target.id == DrawSelection.target_id)
        .where(DrawSelection.draw_id == record.id)).all()
    return {code: name for code, name in rows}


def _people_names() -> dict[str, str]:
    s = db_session()
    names = {draw_service.person_id(p): p.name for p in s.scalars(select(Inspector))}
    for e in s.scalars(select(Expert)):
        if e.expert_code:
            names.setdefault(e.expert_code, e.name)
    return names


@bp.post("/draws/<int:draw_id>/recusals")
@allow("tenant_admin", "operator", "inspector")
def recuse(draw_id: int) -> ResponseReturnValue:
    """Declare a conflict of interest; the pack's mode is applied as a seeded step."""
    record, row = _draw_or_404(draw_id)
    form = forms.RecusalForm()
    codes = _inspector_codes() if has_role("inspector") else frozenset()
    if not _may_act_for(row) and form.person_id.data not in codes:
        abort(403)  # an inspector declares their own conflicts only
    if not form.validate_on_submit():
        return _form_problem(form), 422
    s = db_session()
    try:
        draw_service.recuse(s, tenant(), record.id, person=form.person_id.data or "",
                            credit_code=(form.credit_code.data or "").strip().upper(),
                            mode=form.mode.data or "", reason=form.reason.data or "",
                            platform=platform())
    except (UserError, KernelError) as exc:
        s.rollback()
        return _problem_page(exc)
    s.commit()
    flash(_("The recusal was recorded and applied."), "info")
    return redirect(url_for("staff.draw_result", draw_id=record.id))


@bp.post("/draws/<int:draw_id>/void")
@allow("tenant_admin", "operator")
def void(draw_id: int) -> ResponseReturnValue:
    record, row = _draw_or_404(draw_id)
    _require_act(row)
    form = forms.VoidForm()
    if not form.validate_on_submit():
        return _form_problem(form), 422
    s = db_session()
    try:
        draw_service.void(s, tenant(), record.id, form.reason.data or "")
    except UserError as exc:
        s.rollback()
        return _problem_page(exc)
    s.commit()
    flash(_("The draw was voided. It stays visible, with the reason."), "info")
    return redirect(url_for("staff.task", task_id=row.id))


@bp.get("/draws/<int:draw_id>/bundle.json")
@allow("tenant_admin", "operator", "viewer", "inspector")
def draw_bundle(draw_id: int) -> Response:
    record, _row = _draw_or_404(draw_id)
    return bundle_response(db_session(), record)


def bundle_response(s: Any, record: Draw) -> Response:
    """The bundle as a download, in canonical JSON (the bytes the digest is computed over)."""
    body = canonical_json(draw_service.export_bundle(s, record))
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="draw-{record.id}-bundle.json"')
    return response


# --- on-site records, end of work, publication ----------------------------------------


@bp.route("/tasks/<int:task_id>/records", methods=["GET", "POST"])
@allow("tenant_admin", "operator", "inspector")
def records(task_id: int) -> ResponseReturnValue:
    """Enter the on-site record of a drawn target, and its result."""
    s = db_session()
    row = _task_or_404(task_id)
    if not (_may_act_for(row) or _assigned(row)):
        abort(403)
    try:
        targets = lifecycle.drawn_targets(s, row)
    except UserError as exc:
        return _problem_page(exc)
    rules = platform().policy_for(tenant()).rules(row.starts_on)
    form = forms.RecordForm()
    form.credit_code.choices = [SelectChoice(t.credit_code, t.credit_code) for t in targets]
    form.method.choices = [SelectChoice(m, str(METHOD_NAMES.get(m, m)))
                           for m in (row.methods or rules.methods.methods)]
    form.result.choices = [SelectChoice(c, str(RESULT_NAMES.get(c, c)))
                           for c in rules.result_codes()]
    problem: UserError | None = None
    if form.validate_on_submit():
        code = form.credit_code.data or ""
        if not _may_act_for(row):
            mine = _inspector_codes()
            if not any(t.credit_code == code and mine & set(t.inspectors) for t in targets):
                abort(403)  # an inspector records only the targets of their own group
        try:
            records_service.record_on_site(
                s, platform(), tenant(), row.id, code, method=form.method.data or "",
                inspected_on=form.inspected_on.data,  # type: ignore[arg-type]
                inspectors=[records_service.InspectorPresent(i, form.credential.data or "")
                            for i in _split(form.inspectors.data)],
                findings=form.findings.data or "", acknowledgement=form.acknowledgement.data or "",
                refusal_reason=form.refusal_reason.data or None,
                inspectors_signed=bool(form.inspectors_signed.data),
                witness=form.witness.data or None)
            records_service.record_result(s, platform(), tenant(), row.id, code,
                                          form.result.data or "",
                                          handling=form.handling.data or "",
                                          decided_on=form.inspected_on.data)
        except (UserError, KernelError) as exc:
            s.rollback()
            problem = exc  # type: ignore[assignment]
        else:
            s.commit()
            flash(_("The record of %(code)s was saved.", code=code), "info")
            return redirect(url_for("staff.records", task_id=row.id))
    saved = {r.credit_code: r for r in s.scalars(
        select(InspectionRecord).where(InspectionRecord.task_id == row.id))}
    results = {r.credit_code: r for r in s.scalars(
        select(InspectionResult).where(InspectionResult.task_id == row.id))}
    status = 422 if request.method == "POST" else 200
    return render_template("staff/records.html", task=row, targets=targets, form=form,
                           saved=saved, results=results, problem=problem), status


@bp.post("/tasks/<int:task_id>/end-work")
@allow("tenant_admin", "operator")
def end_work(task_id: int) -> ResponseReturnValue:
    row: Task = lookup(Task, task_id)
    _require_act(row)
    form = forms.EndWorkForm()
    if not form.validate_on_submit():
        return _form_problem(form), 422
    s = db_session()
    try:
        plan_service.end_work(s, tenant(), row.id, form.ended_on.data)  # type: ignore[arg-type]
    except UserError as exc:
        s.rollback()
        return _problem_page(exc)
    s.commit()
    flash(_("The end of the work was recorded; the publication deadline counts from it."),
          "info")
    return redirect(url_for("staff.task", task_id=row.id))


@bp.post("/tasks/<int:task_id>/publish")
@allow("tenant_admin", "operator")
def publish(task_id: int) -> ResponseReturnValue:
    row: Task = lookup(Task, task_id)
    _require_act(row)
    form = forms.PublicationForm()
    if not form.validate_on_submit():
        return _form_problem(form), 422
    s = db_session()
    try:
        publication_service.publish(s, platform(), tenant(), row.id,
                                    directed_to=tuple(_split(form.directed_to.data)))
    except UserError as exc:
        s.rollback()
        return _problem_page(exc)
    s.commit()
    flash(_("The results were published on the portal."), "info")
    return redirect(url_for("staff.task", task_id=row.id))


# --- problems -------------------------------------------------------------------------


def _problem_page(exc: Exception) -> tuple[str, int]:
    """A refused action, shown with what was wrong, where and what to do."""
    if isinstance(exc, UserError):
        return render_error(409 if isinstance(exc, Conflict) else 400, exc.message,
                            where=exc.where, hint=exc.hint)
    return render_error(400, str(exc))


def _form_problem(form: Any) -> str:
    messages = [f"{getattr(form, name).label.text}: {'; '.join(errs)}"
                for name, errs in form.errors.items() if name != "csrf_token"]
    return render_error(400, "; ".join(messages) or _("The form is incomplete."))[0]
