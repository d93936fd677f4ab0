"""Background jobs in the browser: the job page, its JSON (polled), retry, the output file,
and starting an export.

A large upload (``SSJ_JOB_UPLOAD_BYTES``, default 256 KiB; 0: every upload) is imported by a
job instead of inside the request (see :func:`start_import`); the page then shows the job,
which keeps its state in the database, so reloading it, or asking another node, shows the
same progress.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from shuangsuiji import workers
from shuangsuiji.access import allow, db_session
from shuangsuiji.errors import NotFound, UserError
from shuangsuiji.models.directories import DIRECTORY_KINDS, Target
from shuangsuiji.models.jobs import Job
from shuangsuiji.services import exports, jobs
from shuangsuiji.web.i18n import current_language
from shuangsuiji.web.labels import label
from shuangsuiji.web.localise import localise
from shuangsuiji.web.refusals import Shown, browser_hint, for_browser
from shuangsuiji.web.staff.common import (
    EDITORS,
    READERS,
    actor,
    bp,
    platform,
    refusal_status,
    tenant,
)

#: Uploads at least this large are imported by a background job.
DEFAULT_UPLOAD_BYTES = 256 * 1024
#: Targets in the directory from which a draw runs as a background job.
DEFAULT_DRAW_TARGETS = 50_000
#: Seconds between two reloads of an unfinished job's page without JavaScript.
REFRESH_SECONDS = 3


def upload_threshold() -> int:
    return int(current_app.config.get("SSJ_JOB_UPLOAD_BYTES", DEFAULT_UPLOAD_BYTES))


def _stale_after() -> float:
    return float(current_app.config.get("SSJ_JOB_STALE_SECONDS", jobs.STALE_SECONDS))


def _start(kind: str, params: dict[str, Any],
           files: dict[str, tuple[str, bytes]] | None = None) -> ResponseReturnValue:
    s = db_session()
    job = jobs.submit(s, tenant().id, kind, params, actor=actor(), files=files)
    s.commit()
    workers.dispatch(platform(), current_app.config, job.id)
    return redirect(url_for("staff.job", job_id=job.id), 303)


def draw_threshold() -> int:
    """``SSJ_JOB_DRAW_TARGETS``: a tenant with at least this many targets in its directory
    draws as a background job (freezing and drawing a large pool outlasts a request)."""
    return int(current_app.config.get("SSJ_JOB_DRAW_TARGETS", DEFAULT_DRAW_TARGETS))


def draw_as_job() -> bool:
    return (db_session().scalar(select(func.count()).select_from(Target)) or 0) \
        >= draw_threshold()


def start_draw(task_id: int, *, seed: str | None, witnesses: list[str],
               expected_pool_digest: str | None,
               beacon_signature: str | None) -> ResponseReturnValue:
    """Queue the draw of a task and go to its job page (which links the result)."""
    return _start("draw", {"task_id": task_id, "seed": seed, "witnesses": witnesses,
                           "expected_pool_digest": expected_pool_digest,
                           "beacon_signature": beacon_signature})


def last_failed_draw(task_id: int) -> Job | None:
    """The task's latest draw job when it was refused (or failed): the draw form shows why,
    with what was typed; None when the latest draw job of the task did not fail."""
    for found in db_session().scalars(select(Job).where(Job.kind == "draw")
                                      .order_by(Job.id.desc()).limit(50)):
        if (found.params or {}).get("task_id") == task_id:
            return found if found.state == "failed" else None
    return None


def failed_draw_shown(found: Job) -> Shown:
    """A failed draw job's reason as the draw form shows it: its first line, the job named
    as where, and its hint for the browser (a command-line hint replaced)."""
    parts = jobs.lines(found)
    return Shown(parts[0] if parts else _l("The draw job failed."),
                 _l("Draw job #%(n)d", n=found.id),
                 browser_hint(parts[-1]) if len(parts) > 1 else None)


def start_import(directory: str, filename: str, data: bytes) -> ResponseReturnValue:
    """Queue the import of an uploaded file and go to its job page."""
    return _start("import", {"directory": directory, "filename": filename},
                  {"input": (filename, data)})


def start_job(kind: str, filename: str, data: bytes) -> ResponseReturnValue:
    """Queue a job of ``kind`` reading an uploaded file (``input``); go to its page."""
    return _start(kind, {"filename": filename}, {"input": (filename, data)})


def _job_or_404(job_id: int) -> Job:
    try:
        return jobs.get(db_session(), job_id, stale_after=_stale_after())
    except NotFound:
        abort(404)


def _status(job: Job) -> dict[str, Any]:
    data = jobs.as_json(job)
    data["lines"] = [str(localise(line)) for line in jobs.lines(job)]
    data["phase_label"] = label(job.phase, "job_phase")
    return data


@bp.get("/jobs/<int:job_id>")
@allow(*READERS)
def job(job_id: int) -> ResponseReturnValue:
    return _page(_job_or_404(job_id))


def _page(found: Job, *, problem: Any = None, status: int = 200) -> ResponseReturnValue:
    s = db_session()
    return render_template("staff/job.html", job=found, status=_status(found),
                           refresh_seconds=REFRESH_SECONDS, problem=problem,
                           has_output=found.state == "succeeded" and found.kind == "export",
                           recent=jobs.recent(s, 10) if found.state != "running" else []
                           ), status


@bp.get("/jobs/<int:job_id>.json")
@allow(*READERS)
def job_json(job_id: int) -> Response:
    response = jsonify(_status(_job_or_404(job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/jobs/<int:job_id>/retry")
@allow(*EDITORS)
def job_retry(job_id: int) -> ResponseReturnValue:
    found = _job_or_404(job_id)
    s = db_session()
    try:
        jobs.retry(s, found)
    except UserError as exc:  # not failed (any more): the job page, saying why
        s.rollback()
        return _page(found, problem=for_browser(exc), status=refusal_status(exc))
    s.commit()
    workers.dispatch(platform(), current_app.config, found.id)
    return redirect(url_for("staff.job", job_id=found.id), 303)


@bp.get("/jobs/<int:job_id>/output")
@allow(*READERS)
def job_output(job_id: int) -> Response:
    found = _job_or_404(job_id)
    try:
        file = jobs.output(db_session(), found)
    except NotFound:
        abort(404)
    response = Response(bytes(file.data), mimetype=file.content_type.split(";")[0])
    response.headers["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response


@bp.post("/directories/<kind>/export")
@allow(*READERS)
def directory_export(kind: str) -> ResponseReturnValue:
    """Export a directory as a background job (a large one takes a while to write)."""
    if kind not in DIRECTORY_KINDS or kind not in exports.EXPORT_KINDS:
        abort(404)
    fmt = request.form.get("format", "xlsx")
    if fmt not in ("csv", "xlsx"):
        abort(400)
    asked = request.form.get("lang") or ("zh" if current_language() == "zh_CN" else "en")
    lang = "en" if asked == "en" else "zh"  # the page's language unless another is asked
    return _start("export", {"directory": kind, "format": fmt, "lang": lang})
