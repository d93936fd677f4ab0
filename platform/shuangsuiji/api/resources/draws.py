"""Draws (抽取): the pool and its digest before the draw, the draw, void, recusal, bundle.

The ceremony over the API: ``GET .../tasks/<id>/pool`` freezes the pool and shows its
digest (publish it); ``POST .../tasks/<id>/draw`` with the seed from the ceremony (or none,
for a CSPRNG seed) and ``expected_pool_digest`` commits the draw only if the pool is still
the one shown. A committed draw is never changed: ``POST .../draws/<id>/void`` appends a
void with its reason, ``POST .../draws/<id>/recusals`` a recusal step.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from sqlalchemy import select

from shuangsuiji.api import context, schemas
from shuangsuiji.api.auth import ADMINS, INSPECTORS, OPERATORS, VIEWERS, allow, allow_public
from shuangsuiji.api.pagination import SelectPage
from shuangsuiji.api.resources.common import get_in_tenant, tenant_blueprint
from shuangsuiji.caching.responses import cached
from shuangsuiji.errors import NotFound
from shuangsuiji.models.draws import Draw, DrawSelection
from shuangsuiji.models.plans import Task
from shuangsuiji.services import announcements
from shuangsuiji.services import draws as draw_service

blp = tenant_blueprint("draws", "Draws (抽取): pool digest, draw, void, recusal, bundle")
public = tenant_blueprint("public_draws", "Public: draw records and bundles",
                          prefix="/api/v1/public/t/<tenant_slug>")


@blp.route("/tasks/<int:task_id>/pool")
@allow(*OPERATORS)
@blp.response(200, schemas.PoolPreviewOut)
def preview_pool(task_id: int) -> Any:
    """Freeze the task's pool now and show its digest and strata, before any seed is known."""
    task = get_in_tenant(Task, task_id, "task")
    prepared = draw_service.prepare(context.session(), context.platform(), context.tenant(),
                                    task.id)
    pool = prepared.pool
    pack, version = prepared.rules.governing
    return {
        "task_id": task.id, "task": task.code, "pool_digest": pool.digest,
        "pool_size": pool.size, "excluded_count": len(pool.excluded),
        "strata": [{"name": s.name, "ratio_permille": s.ratio_permille,
                    "pool_size": len(s.members), "size": s.size} for s in pool.strata],
        "excluded": [{"credit_code": e.credit_code, "name": e.name, "rule_code": e.rule_code,
                      "citation": str(e.citation), "trigger_task_id": e.trigger_task_id}
                     for e in pool.excluded],
        "rules_pack": pack, "rules_version": version,
    }


@blp.route("/tasks/<int:task_id>/draw", methods=["POST"])
@allow(*OPERATORS)
@blp.arguments(schemas.DrawIn)
@blp.response(201, schemas.DrawOut)
def draw(data: dict[str, Any], task_id: int) -> Any:
    """Draw the task: targets, batch order, inspector groups and leaders, experts.

    409 when the task already has a live draw or the pool no longer matches
    ``expected_pool_digest``. With several workers drawing the same task at once, exactly
    one commits (the database's unique constraint decides).
    """
    session = context.session()
    task = get_in_tenant(Task, task_id, "task")
    record = draw_service.draw(session, context.platform(), context.tenant(), task.id,
                               seed=data["seed"], witnesses=tuple(data["witnesses"]),
                               expected_pool_digest=data["expected_pool_digest"],
                               beacon_signature=data["beacon_signature"])
    session.commit()
    return record


@blp.route("/tasks/<int:task_id>/announcement", methods=["POST"])
@allow(*OPERATORS)
@blp.arguments(schemas.AnnounceIn)
@blp.response(201, schemas.AnnouncementOut)
def announce(data: dict[str, Any], task_id: int) -> Any:
    """Announce the draw before any randomness exists (docs/draw-spec.md §10): freezes the
    pool once, fixes the directories, parameters, rules, conflicts and seed procedure."""
    session = context.session()
    task = get_in_tenant(Task, task_id, "task")
    row = announcements.announce(
        session, context.platform(), context.tenant(), task.id, procedure=data["procedure"],
        parties=data["parties"], beacon_round=data["beacon_round"],
        beacon_after_minutes=data["beacon_after_minutes"],
        conflicts=[(p, c) for p, c in data["conflicts"]])
    session.commit()
    return row


@blp.route("/tasks/<int:task_id>/announcement")
@allow(*VIEWERS)
@blp.response(200, schemas.AnnouncementOut)
def get_announcement(task_id: int) -> Any:
    """The task's open announcement (404 when none)."""
    task = get_in_tenant(Task, task_id, "task")
    row = announcements.open_announcement(context.session(), task)
    if row is None:
        raise NotFound(f"task {task.code} has no open announcement")
    return row


@blp.route("/tasks/<int:task_id>/announcement/commitments", methods=["POST"])
@allow(*OPERATORS)
@blp.arguments(schemas.CommitIn)
@blp.response(201, schemas.SeedPartyOut)
def commit_seed(data: dict[str, Any], task_id: int) -> Any:
    """A party registers SHA-256 of its secret (commit–reveal)."""
    session = context.session()
    task = get_in_tenant(Task, task_id, "task")
    entry = announcements.commit(session, context.tenant(), task.id, data["party"],
                                 data["commitment"])
    session.commit()
    return {"party": entry.party, "commitment": entry.commitment, "revealed": False}


@blp.route("/tasks/<int:task_id>/announcement/reveals", methods=["POST"])
@allow(*OPERATORS)
@blp.arguments(schemas.RevealIn)
@blp.response(201, schemas.SeedPartyOut)
def reveal_seed(data: dict[str, Any], task_id: int) -> Any:
    """A party reveals its secret; refused (nothing written) unless it matches."""
    session = context.session()
    task = get_in_tenant(Task, task_id, "task")
    entry = announcements.reveal(session, context.tenant(), task.id, data["party"],
                                 data["secret"])
    session.commit()
    return {"party": entry.party, "commitment": entry.commitment, "revealed": True}


@blp.route("/draws")
@allow(*VIEWERS, *INSPECTORS)
@cached
@blp.arguments(schemas.DrawQuery, location="query")
@blp.response(200, schemas.DrawOut(many=True))
@blp.paginate(SelectPage)
def list_draws(query: dict[str, Any]) -> Any:
    """The tenant's draws, voided ones included, newest first."""
    return _draws(query)


def _draws(query: dict[str, Any]) -> Any:
    stmt = select(Draw)
    if query.get("task"):
        stmt = stmt.where(Draw.task_id == query["task"])
    return stmt.order_by(Draw.drawn_at.desc(), Draw.id.desc())


@blp.route("/draws/<int:draw_id>")
@allow(*VIEWERS, *INSPECTORS)
@cached
@blp.response(200, schemas.DrawOut)
def get_draw(draw_id: int) -> Any:
    """One draw: seed, witnesses, digests, void and recusal steps."""
    return get_in_tenant(Draw, draw_id, "draw")


@blp.route("/draws/<int:draw_id>/selections")
@allow(*VIEWERS, *INSPECTORS)
@cached
@blp.response(200, schemas.SelectionOut(many=True))
@blp.paginate(SelectPage)
def list_selections(draw_id: int) -> Any:
    """The targets the draw selected, in draw order (before recusal steps)."""
    record = get_in_tenant(Draw, draw_id, "draw")
    return (select(DrawSelection).where(DrawSelection.draw_id == record.id)
            .order_by(DrawSelection.position, DrawSelection.id))


@blp.route("/draws/<int:draw_id>/void", methods=["POST"])
@allow(*ADMINS)
@blp.arguments(schemas.VoidIn)
@blp.response(201, schemas.DrawOut)
def void_draw(data: dict[str, Any], draw_id: int) -> Any:
    """Void a draw with a reason (tenant admin): the draw stays, the void is appended and
    published with it, and the task may be drawn again."""
    session = context.session()
    record = get_in_tenant(Draw, draw_id, "draw")
    draw_service.void(session, context.tenant(), record.id, data["reason"])
    session.commit()
    session.refresh(record)
    return record


@blp.route("/draws/<int:draw_id>/recusals", methods=["POST"])
@allow(*OPERATORS)
@blp.arguments(schemas.RecusalIn)
@blp.response(201, schemas.RecusalOut)
def recuse(data: dict[str, Any], draw_id: int) -> Any:
    """Record a recusal (回避) and apply the mode the pack allows (swap or withdraw) as a
    seeded step; a mode the pack does not allow is refused, citing the article."""
    session = context.session()
    record = get_in_tenant(Draw, draw_id, "draw")
    entry = draw_service.recuse(session, context.tenant(), record.id,
                                person=data["person_id"], credit_code=data["credit_code"],
                                mode=data["mode"], reason=data["reason"],
                                platform=context.platform())
    session.commit()
    return entry


def _bundle_response(record: Draw, *, text: bool = False) -> Response:
    """The portal's download: canonical JSON (or, ``text``, the ``shuangsuiji-draw/3`` text
    file) streamed from the stored pieces (gzip when the client takes it), never the bundle
    built in memory."""
    from shuangsuiji.web.staff import bundle_response

    return bundle_response(context.session(), record, text=text)


_TEXT_FILE = ("the same bundle as a text file, shuangsuiji-draw/3: the bundle's JSON without "
              "its pool on line 2, then the pool's lines whose SHA-256 is the pool digest "
              "(docs/draw-spec.md §16)")


@blp.route("/draws/<int:draw_id>/bundle")
@allow(*VIEWERS, *INSPECTORS)
@cached
@blp.response(200, {"type": "object"}, description="the bundle: everything a third party "
              "needs to recompute the draw (docs/draw-algorithm.md)")
def bundle(draw_id: int) -> Any:
    """Download the draw's bundle, recusal steps included."""
    return _bundle_response(get_in_tenant(Draw, draw_id, "draw"))


@blp.route("/draws/<int:draw_id>/bundle.txt")
@allow(*VIEWERS, *INSPECTORS)
@cached
@blp.response(200, description=_TEXT_FILE, content_type="text/plain")
def bundle_text(draw_id: int) -> Any:
    """Download the draw's bundle as a text file (its pool as the digest's lines)."""
    return _bundle_response(get_in_tenant(Draw, draw_id, "draw"), text=True)


@public.route("/draws")
@allow_public
@cached
@public.arguments(schemas.DrawQuery, location="query")
@public.response(200, schemas.DrawOut(many=True))
@public.paginate(SelectPage)
def public_draws(query: dict[str, Any]) -> Any:
    """Every committed draw of the tenant: the record of each draw is public."""
    return _draws(query)


@public.route("/draws/<int:draw_id>/bundle")
@allow_public
@cached
@public.response(200, {"type": "object"}, description="the draw's bundle")
def public_bundle(draw_id: int) -> Any:
    """Download a draw's bundle to verify it independently."""
    return _bundle_response(get_in_tenant(Draw, draw_id, "draw"))


@public.route("/draws/<int:draw_id>/bundle.txt")
@allow_public
@cached
@public.response(200, description=_TEXT_FILE, content_type="text/plain")
def public_bundle_text(draw_id: int) -> Any:
    """Download a draw's bundle as a text file, to verify it independently."""
    return _bundle_response(get_in_tenant(Draw, draw_id, "draw"), text=True)
