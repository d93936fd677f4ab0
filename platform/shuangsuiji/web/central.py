"""Central-admin pages that look across tenants: comparing policy packs, every account."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from shuangsuiji.access import allow, db_session
from shuangsuiji.errors import UserError
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.services.lifecycle import today_in_china
from shuangsuiji.web.staff import users as user_admin

bp = Blueprint("central", __name__, url_prefix="/central")


@bp.get("/packs/diff")
@allow("central_admin")
def pack_diff() -> str:
    """Compare the rules in force for two tenants on a date (``packkit.diff.diff_rules``)."""
    s = db_session()
    platform = current_app.extensions["shuangsuiji"]
    tenants = tenant_service.all_tenants(s)
    left_slug = request.args.get("left", "")
    right_slug = request.args.get("right", "")
    on_text = request.args.get("on", "")
    diff: Any = None
    problem: UserError | None = None
    unavailable = False
    if left_slug and right_slug:
        try:
            on = date.fromisoformat(on_text) if on_text else today_in_china()
        except ValueError:
            problem = UserError(_("“%(text)s” is not a date", text=on_text),
                                where=_("Rules in force on"), hint=_("write it as 2026-11-25"))
            on = today_in_china()
        try:
            from shuangsuiji.packkit.diff import diff_rules
        except ModuleNotFoundError:
            unavailable = True
        else:
            if problem is None:
                try:
                    left = platform.policy_for(tenant_service.get(s, left_slug)).rules(on)
                    right = platform.policy_for(tenant_service.get(s, right_slug)).rules(on)
                    diff = diff_rules(left, right)
                except UserError as exc:
                    problem = exc
    by_slug = {t.slug: t for t in tenants}
    return render_template("central/pack_diff.html", tenants=tenants, left=left_slug,
                           tenant_by_slug=by_slug.get,
                           right=right_slug, on=on_text, diff=diff, problem=problem,
                           unavailable=unavailable)


# --- every account, across tenants (the views are the tenant admin's, with no tenant) ---


@bp.route("/users", methods=["GET", "POST"])
@allow("central_admin")
def users() -> ResponseReturnValue:
    """Every account and its roles in every tenant; create one (also a central admin)."""
    return user_admin.users_page(None)


@bp.post("/users/<int:user_id>/grant")
@allow("central_admin")
def user_grant(user_id: int) -> ResponseReturnValue:
    return user_admin.grant_role(None, user_id)


@bp.post("/users/<int:user_id>/tokens")
@allow("central_admin")
def user_token(user_id: int) -> ResponseReturnValue:
    return user_admin.issue_token(None, user_id)


@bp.post("/users/<int:user_id>/tokens/revoke")
@allow("central_admin")
def user_token_revoke(user_id: int) -> ResponseReturnValue:
    return user_admin.revoke_token(None, user_id)


@bp.post("/users/<int:user_id>/disable")
@allow("central_admin")
def user_disable(user_id: int) -> ResponseReturnValue:
    return user_admin.set_active(None, user_id, False)


@bp.post("/users/<int:user_id>/enable")
@allow("central_admin")
def user_enable(user_id: int) -> ResponseReturnValue:
    return user_admin.set_active(None, user_id, True)


@bp.post("/users/<int:user_id>/password")
@allow("central_admin")
def user_password(user_id: int) -> ResponseReturnValue:
    return user_admin.reset_password(None, user_id)


# --- the central witness of every tenant's transparency log ---------------------------


@bp.route("/log-witness", methods=["GET", "POST"])
@allow("central_admin")
def log_witness() -> ResponseReturnValue:
    """Each tenant's log as the central witness last saw it; POST witnesses them all now
    (what ``ssj log witness --all-tenants`` does), reporting a split view loudly."""
    from shuangsuiji.services import translog
    from shuangsuiji.services import witness as witness_service

    s = db_session()
    tenants = tenant_service.all_tenants(s)
    done: list[Any] = []
    split: list[str] = []
    if request.method == "POST":
        for t in tenants:
            try:
                done.append(witness_service.witness_local(s, t.id))
            except witness_service.SplitView as exc:
                split.append(str(exc))
        s.commit()
    seen = {w.origin: w for w in witness_service.all_witnessed(s)}
    rows = []
    for t in tenants:
        origin = translog.origin(s, t.id)
        rows.append({"tenant": t, "origin": origin, "size": translog.size(s, t.id),
                     "seen": seen.get(origin)})
    return render_template("central/log_witness.html", rows=rows, done=done, split=split,
                           witness_key=current_app.extensions["shuangsuiji"].log_keys
                           .witness_signer().verifier.vkey)
