"""The directories (名录库): targets, inspectors, experts — upload and browse."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import func, select

from shuangsuiji.access import allow, db_session
from shuangsuiji.errors import UserError
from shuangsuiji.models.directories import (
    DIRECTORY_KINDS,
    Expert,
    ImportBatch,
    Inspector,
    Item,
    Target,
)
from shuangsuiji.services import imports, jobs, lifecycle
from shuangsuiji.web import forms
from shuangsuiji.web.staff import jobs as jobs_view
from shuangsuiji.web.staff.common import EDITORS, READERS, actor, bp, platform, tenant

DIRECTORY_MODELS: dict[str, type[Any]] = {
    "targets": Target, "inspectors": Inspector, "experts": Expert, "items": Item,
}


def _overview(form: forms.UploadForm, failed: UserError | None,
              failed_kind: str | None) -> str:
    s = db_session()
    counts = {kind: s.scalar(select(func.count()).select_from(model)) or 0
              for kind, model in DIRECTORY_MODELS.items()}
    batches = s.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(20)).all()
    return render_template("staff/directories.html", counts=counts, batches=batches,
                           form=form, kinds=DIRECTORY_KINDS, failed=failed,
                           failed_kind=failed_kind, jobs=jobs.recent(s, 10))


@bp.get("/directories")
@allow(*READERS)
def directories() -> str:
    return _overview(forms.UploadForm(), None, None)


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
        data = upload.read()
        if len(data) >= jobs_view.upload_threshold():
            return jobs_view.start_import(kind, upload.filename, data)
        try:
            categories = methods = None
            if kind == "items":
                rules = platform().policy_for(tenant()).rules(lifecycle.today_in_china())
                categories, methods = rules.item_categories, rules.methods
            report = imports.import_file(s, tenant(), kind, data, upload.filename,
                                         actor=actor(), categories=categories, methods=methods)
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
    return _overview(form, failed, kind), 422


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
