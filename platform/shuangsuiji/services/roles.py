"""Roles in a tenant: asked of a request's caller (a
:class:`~shuangsuiji.services.callers.Caller`, no ORM needed) or of any ORM account.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from shuangsuiji.models.accounts import RoleGrant
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.services.callers import Grant, Grantee


def is_central_admin(user: Grantee) -> bool:
    return any(g.role == "central_admin" for g in user.grants)


def grants_in(user: Grantee, tenant_id: int) -> list[RoleGrant | Grant]:
    """The user's own grants in this tenant (not counting a central admin's)."""
    return [g for g in user.grants if g.tenant_id == tenant_id]


def roles_in(user: Grantee, tenant_id: int) -> frozenset[str]:
    """The roles ``user`` holds in the tenant. A central admin acts as tenant admin in every
    tenant: switching to a tenant is how the central level does a province's work."""
    roles = {g.role for g in grants_in(user, tenant_id)}
    if is_central_admin(user):
        roles |= {"central_admin", "tenant_admin"}
    return frozenset(roles)


def departments_in(user: Grantee, tenant_id: int, role: str) -> frozenset[str] | None:
    """The departments a role is limited to in the tenant; None means all of them."""
    if is_central_admin(user):
        return None
    depts = {g.department for g in grants_in(user, tenant_id) if g.role == role}
    if not depts or "" in depts:
        return None
    return frozenset(depts)


def inspector_codes_in(user: Grantee, tenant_id: int) -> frozenset[str]:
    """The inspector directory codes this account speaks for in the tenant."""
    return frozenset(g.inspector_code for g in grants_in(user, tenant_id)
                     if g.role == "inspector" and g.inspector_code)


def tenants_for(session: Session, user: Grantee) -> list[Tenant]:
    """The tenants the user may act in (all of them for a central admin)."""
    everyone = tenant_service.all_tenants(session)
    if is_central_admin(user):
        return everyone
    mine = {g.tenant_id for g in user.grants}
    return [t for t in everyone if t.id in mine]
