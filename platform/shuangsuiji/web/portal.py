"""The public portal, under ``/p/``: no login, read-only, published facts only.

What the public sees of a tenant: the item list and its history, the annual plans, the
tasks, each draw with its seed, pool digest, counts and downloadable bundle (and how to
verify it), and the published results, searchable by name or credit code, as CSV or JSON.
Results appear only once published; a draw appears once committed (the draw is public under
双随机, and a voided draw stays visible with its reason).

Every page of a tenant is served from the response cache (:mod:`shuangsuiji.caching`) while
the tenant's audit chain has not moved; the list of tenants is not (it is not one tenant's).
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from shuangsuiji import standalone
from shuangsuiji.access import allow_public, current_tenant, db_session, lookup
from shuangsuiji.caching.responses import cached
from shuangsuiji.canonical import canonical_json
from shuangsuiji.errors import UserError
from shuangsuiji.models.draws import Draw, DrawAnnouncement
from shuangsuiji.models.plans import Task
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.platform import Platform
from shuangsuiji.services import (
    announcements,
    class_strata,
    joint_guest,
    joint_stats,
    public_results,
    selection_pages,
)
from shuangsuiji.services import items as item_service
from shuangsuiji.services import plans as plan_service
from shuangsuiji.services import publication as publication_service
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.web import labels
from shuangsuiji.web.staff import bundle_response

bp = Blueprint("portal", __name__, url_prefix="/p")

#: Published results per page of the public results page (the CSV and JSON have them all).
RESULTS_PAGE = 200


def tenant() -> Tenant:
    found = current_tenant()
    assert found is not None  # set by @allow_public from the URL
    return found


@bp.get("/")
@allow_public
def index() -> str:
    """Every jurisdiction publishing on this platform."""
    return render_template("portal/index.html",
                           tenants=tenant_service.all_tenants(db_session()))


@bp.get("/<tenant_slug>/")
@allow_public
@cached
def tenant_home() -> str:
    s = db_session()
    published = publication_service.published_tasks(s)[:10]  # newest first
    draws = s.execute(select(Draw, Task).join(Task, Task.id == Draw.task_id)
                      .order_by(Draw.drawn_at.desc(), Draw.id.desc()).limit(10)).all()
    return render_template("portal/tenant.html", published=published,
                           draws=draws, plans=plan_service.list_plans(s),
                           packs=_current_app_platform().policy_for(tenant()).chain)


def _current_app_platform() -> Platform:
    platform: Platform = current_app.extensions["shuangsuiji"]
    return platform


@bp.get("/<tenant_slug>/items")
@allow_public
@cached
def items() -> str:
    s = db_session()
    # only the approved, published list (MIIT 第五条, CQ 第四条): never a draft
    published = item_service.published_version(s)
    return render_template("portal/items.html", items=published.snapshot if published else [],
                           published=published)


@bp.get("/<tenant_slug>/items/<code>")
@allow_public
@cached
def item_history(code: str) -> str:
    """An item as it stood in every version of the item list."""
    s = db_session()
    history = []
    for version in item_service.list_versions(s):
        if version.status != "published":
            continue  # drafts and approvals not yet published stay inside
        entry = next((e for e in version.snapshot if e.get("code") == code), None)
        history.append((version, entry))
    # the item as last published: a draft's name or content is not shown
    item = next((entry for _v, entry in reversed(history) if entry), None)
    if item is None:
        abort(404)
    return render_template("portal/item_history.html", item=item, history=history)


@bp.get("/<tenant_slug>/plans/<int:year>")
@allow_public
@cached
def plan(year: int) -> str:
    s = db_session()
    try:
        found = plan_service.get_plan(s, year)
    except UserError:
        abort(404)
    return render_template("portal/plan.html", plan=found,
                           tasks=plan_service.list_tasks(s, year=year))


@bp.get("/<tenant_slug>/tasks")
@allow_public
@cached
def tasks() -> str:
    s = db_session()
    draws: dict[int, list[Draw]] = {}
    for d in s.scalars(select(Draw).options(selectinload(Draw.void)).order_by(Draw.attempt)):
        draws.setdefault(d.task_id, []).append(d)
    announced: dict[int, list[DrawAnnouncement]] = {}
    for a in s.scalars(select(DrawAnnouncement).order_by(DrawAnnouncement.number)):
        announced.setdefault(a.task_id, []).append(a)
    joint = {task.id: parts for task, parts in joint_stats.overview(s)}  # 联合抽查
    # the joint tasks of other tenants this tenant takes part in, once each
    here = current_tenant()
    elsewhere = joint_guest.portal_rows(s, here) if here is not None else []
    return render_template("portal/tasks.html", tasks=plan_service.list_tasks(s), draws=draws,
                           announced=announced, joint=joint, elsewhere=elsewhere)


@bp.get("/<tenant_slug>/announcements/<int:announcement_id>")
@allow_public
@cached
def announcement(announcement_id: int) -> str:
    """An announcement (抽取公告), published before any randomness existed: what it fixed,
    the seed procedure (weaker ones labelled), the commitments and reveals so far."""
    s = db_session()
    row: DrawAnnouncement = lookup(DrawAnnouncement, announcement_id)
    task = s.scalar(select(Task).where(Task.id == row.task_id))
    return render_template("portal/announcement.html", row=row, a=row.announcement, task=task,
                           round_due=announcements.round_due(row))


@bp.get("/<tenant_slug>/announcements/<int:announcement_id>.json")
@allow_public
@cached
def announcement_json(announcement_id: int) -> Response:
    """The announcement object (docs/draw-spec.md §10) with its commitments and reveals."""
    row: DrawAnnouncement = lookup(DrawAnnouncement, announcement_id)
    body = {"number": row.number, "digest": row.digest, "announcement": row.announcement,
            "superseded": row.superseded, "draw_id": row.draw_id,
            "commitments": [[c.party, c.commitment] for c in row.commitments],
            "reveals": [[c.party, c.secret] for c in row.commitments if c.secret is not None]}
    return Response(canonical_json(body), mimetype="application/json")


@bp.get("/<tenant_slug>/draws/<int:draw_id>")
@allow_public
@cached
def draw(draw_id: int) -> str:
    s = db_session()
    record: Draw = lookup(Draw, draw_id)
    task = s.scalar(select(Task).where(Task.id == record.task_id))
    announced = s.scalar(select(DrawAnnouncement).where(DrawAnnouncement.draw_id == record.id))
    selected = selection_pages.selection_page(s, record.id,
                                              page=request.args.get("page", 1, type=int),
                                              query=request.args.get("q", ""))
    return render_template("portal/draw.html", draw=record, task=task, selected=selected,
                           announced=announced, logged=_logged(s, record),
                           strata=class_strata.strata(s, record))


def _logged(s: Session, record: Draw) -> dict[str, object] | None:
    """The draw's ``draw.commit`` event in the tenant's transparency log and the checkpoint
    signed at the commit that covers it (docs/transparency-log.md §3), with the links a
    visitor follows to check the inclusion."""
    import base64

    from shuangsuiji.services import translog

    found = translog.covered_event(s, record.tenant_id, "draw.commit", "draw", record.id)
    if found is None:
        return None
    event, checkpoint = found
    slug = tenant().slug
    return {
        "seq": event.seq, "tree_size": checkpoint.tree_size,
        "root": base64.b64encode(bytes(checkpoint.root_hash)).decode(),
        "checkpoint_url": url_for("api_public_tenant_log.checkpoint_of_size", tenant_slug=slug,
                                  size=checkpoint.tree_size),
        "inclusion_url": url_for("api_public_tenant_log.inclusion_proof", tenant_slug=slug,
                                 seq=event.seq, size=checkpoint.tree_size),
        "evidence_url": url_for("api_public_tenant_log.draw_evidence", tenant_slug=slug,
                                draw_id=record.id),
    }


@bp.get("/<tenant_slug>/draws/<int:draw_id>/bundle.json")
@allow_public
@cached
def draw_bundle(draw_id: int) -> Response:
    return bundle_response(db_session(), lookup(Draw, draw_id))


@bp.get("/<tenant_slug>/draws/<int:draw_id>/bundle.txt")
@allow_public
@cached
def draw_bundle_text(draw_id: int) -> Response:
    """The same bundle as a text file (shuangsuiji-draw/3): its pool as the digest lines."""
    return bundle_response(db_session(), lookup(Draw, draw_id), text=True)


@bp.get("/<tenant_slug>/verify")
@allow_public
@cached
def verify() -> str:
    """How anyone can check a draw: the bundle, the one-file verifier, the specification."""
    return render_template("portal/verify.html", verifier_sha256=standalone.sha256(),
                           verifier_name=standalone.FILENAME,
                           spec_url=url_for("portal.draw_spec"), tenant_slug=tenant().slug)


#: The specification both verifiers are written from (the source checkout's docs folder).
SPEC = Path(__file__).resolve().parents[3] / "docs" / "draw-spec.md"


@bp.get("/draw-spec.md")
@allow_public
def draw_spec() -> Response:
    """docs/draw-spec.md as plain text: what an independent verifier is written from."""
    if not SPEC.is_file():
        abort(404)
    response = Response(SPEC.read_bytes(), content_type="text/plain; charset=utf-8")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@bp.get("/" + standalone.FILENAME)
@allow_public
def verifier() -> Response:
    """The offline verifier as one file (Python 3.11+, standard library only)."""
    data = standalone.build()
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f"attachment; filename={standalone.FILENAME}"
    response.set_etag(standalone.sha256())
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    response.make_conditional(request)  # 304 for a matching If-None-Match (in place)
    return response


@bp.get("/<tenant_slug>/results")
@allow_public
@cached
def results() -> str | tuple[str, int]:
    """Published results a page at a time, filtered by task, item, result and a name or
    credit code (newest publication first); the CSV and JSON have them all."""
    s = db_session()
    args = request.args
    wanted = public_results.ResultFilter(task=args.get("task", ""), item=args.get("item", ""),
                                         result=args.get("result", ""), q=args.get("q", ""))
    problem: UserError | None = None
    rows: list[publication_service.PublicResult] = []
    try:
        page = max(int(args.get("page", "1")), 1)
    except ValueError:
        page = 1
    total = 0
    try:
        rows, total = public_results.find(s, wanted, limit=RESULTS_PAGE,
                                          offset=(page - 1) * RESULTS_PAGE)
        if not rows and page > 1 and total:  # past the last page: show the last one
            page = (total + RESULTS_PAGE - 1) // RESULTS_PAGE
            rows, total = public_results.find(s, wanted, limit=RESULTS_PAGE,
                                              offset=(page - 1) * RESULTS_PAGE)
    except UserError as exc:
        problem = exc
    pages = max((total + RESULTS_PAGE - 1) // RESULTS_PAGE, 1)
    return render_template("portal/results.html", rows=rows, wanted=wanted, q=wanted.q,
                           problem=problem, page=min(page, pages), pages=pages, total=total,
                           choices=public_results.choices(s)), (400 if problem else 200)


@bp.get("/<tenant_slug>/results.csv")
@allow_public
@cached
def results_csv() -> Response:
    # A BOM, so Excel (the tool most readers open CSV with) reads the Chinese correctly.
    # Headings and values in the page's language (results.json keeps the field names and
    # codes, for programs).
    body = "\ufeff" + publication_service.export_csv(
        db_session(), headings=labels.result_headings(), shown=labels.result_value)
    response = Response(body.encode("utf-8"), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{tenant().slug}-results.csv"')
    return response


@bp.get("/<tenant_slug>/results.json")
@allow_public
@cached
def results_json() -> Response:
    body = json.dumps(publication_service.export_json(db_session()), ensure_ascii=False,
                      indent=1)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{tenant().slug}-results.json"')
    return response


@bp.get("/<tenant_slug>/log")
@allow_public
@cached
def log() -> str:
    """The tenant's transparency log: the latest signed checkpoint, the public keys, how to
    keep and check it (docs/transparency-log.md)."""
    from flask import current_app

    from shuangsuiji.kernel import note
    from shuangsuiji.services import translog

    s = db_session()
    text = translog.checkpoint(s, tenant().id)
    s.commit()
    checkpoint = note.parse_checkpoint(note.parse(text).text)
    keys = current_app.extensions["shuangsuiji"].log_keys.verifiers()
    return render_template("portal/log.html", note_text=text, checkpoint=checkpoint,
                           keys=keys, origin=checkpoint.origin)
