"""The credit-risk classes (信用风险分类) of the tenant's targets: what each class holds
today, how many the year's draws took from each under each version of the class definitions
(services.class_coverage: a renamed or re-ratioed class is never summed with its old self),
and the upload of a class file (a background job
when large, like the directories' uploads)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from shuangsuiji.access import allow, db_session
from shuangsuiji.errors import UserError
from shuangsuiji.services import class_coverage, credit_classes, lifecycle
from shuangsuiji.services.credit_class_import import import_classes
from shuangsuiji.web import forms
from shuangsuiji.web.context import tenant_name
from shuangsuiji.web.i18n import current_language
from shuangsuiji.web.staff import jobs as jobs_view
from shuangsuiji.web.staff.common import EDITORS, READERS, actor, bp, platform, tenant


def _page(form: forms.UploadForm, failed: UserError | None) -> str:
    s = db_session()
    today = lifecycle.today_in_china()
    declared = credit_classes.declared_for(platform(), tenant())(today)
    rows = credit_classes.coverage(declared, credit_classes.class_counts(s, today), {})
    coverage = class_coverage.tenant_coverage(s, platform().policy_for(tenant()), tenant(),
                                              today.year, today)
    return render_template("staff/credit_classes.html", rows=rows, today=today, form=form,
                           failed=failed, declared=declared, coverage=coverage,
                           names={tenant().slug: tenant_name(tenant())},
                           zh=current_language() == "zh_CN")


@bp.get("/credit-classes")
@allow(*READERS)
def credit_classes_page() -> str:
    return _page(forms.UploadForm(), None)


@bp.post("/credit-classes/upload")
@allow(*EDITORS)
def credit_classes_upload() -> ResponseReturnValue:
    """A class file: every bad row is listed with its row and column, nothing saved unless
    the whole file is good."""
    form = forms.UploadForm()
    s = db_session()
    failed: UserError | None = None
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read()
        if len(data) >= jobs_view.upload_threshold():
            return jobs_view.start_job("credit_classes", upload.filename, data)
        try:
            report = import_classes(s, tenant().id, data, upload.filename,
                                    credit_classes.declared_for(platform(), tenant()),
                                    actor=actor())
        except UserError as exc:
            s.rollback()
            failed = exc
        else:
            s.commit()
            flash(_("Imported %(rows)d credit-risk class rows for %(targets)d targets.",
                    rows=report.rows, targets=report.targets), "info")
            return redirect(url_for("staff.credit_classes_page"), 303)
    return _page(form, failed), 422
