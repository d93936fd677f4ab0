"""Tenants and the caller: ``/api/v1/tenants``, ``/api/v1/me``, ``/api/v1/t/<tenant>``."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from shuangsuiji import access
from shuangsuiji.api import context, schemas
from shuangsuiji.api.auth import ANY_ROLE, CENTRAL, INSPECTORS, VIEWERS, allow
from shuangsuiji.api.resources.common import tenant_blueprint
from shuangsuiji.caching.responses import cached
from shuangsuiji.services import accounts
from shuangsuiji.services import tenants as tenant_service

blp = Blueprint("api_tenants", __name__, url_prefix="/api/v1",
                description="Tenants (辖区) and the calling account")
scoped = tenant_blueprint("tenant", "The tenant named in the URL")


@blp.route("/tenants")
@allow(*CENTRAL)
@blp.response(200, schemas.TenantOut(many=True))
def list_tenants() -> Any:
    """Every tenant (central admin only): the tree from the central level down."""
    return tenant_service.all_tenants(context.session())


@blp.route("/me")
@allow(*ANY_ROLE)
@blp.response(200, schemas.MeOut)
def me() -> Any:
    """The account of the token: its roles, and the tenants it may act in."""
    caller = access.current_caller()
    assert caller is not None
    session = context.session()
    slugs = {t.id: t.slug for t in tenant_service.all_tenants(session)}
    return {
        "username": caller.username,
        "display_name": caller.display_name,
        "grants": [{"role": g.role, "tenant": slugs.get(g.tenant_id) if g.tenant_id else None,
                    "department": g.department} for g in caller.grants],
        "tenants": [t.slug for t in accounts.tenants_for(session, caller)],
    }


@scoped.route("")
@allow(*VIEWERS, *INSPECTORS)
@cached
@scoped.response(200, schemas.TenantOut)
def current_tenant() -> Any:
    """The tenant named in the URL, with the packs that govern it."""
    return context.tenant()
