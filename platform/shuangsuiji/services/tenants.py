"""Create, list and look up tenants; check that every tenant's packs are installed."""

from __future__ import annotations

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from shuangsuiji.errors import Conflict, NotFound, UserError
from shuangsuiji.messages import msg
from shuangsuiji.models.tenants import LEVELS, Tenant
from shuangsuiji.packs.errors import PackError
from shuangsuiji.platform import Platform


def get(session: Session, slug: str) -> Tenant:
    tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        known = tuple(session.scalars(select(Tenant.slug).order_by(Tenant.slug)))
        raise NotFound(msg("no tenant %(slug)r", slug=slug),
                       hint=msg("known tenants: %(known)s", known=known) if known
                       else msg("no tenant exists yet"))
    return tenant


def all_tenants(session: Session) -> list[Tenant]:
    return list(session.scalars(select(Tenant).order_by(Tenant.id)))


def create(
    session: Session,
    platform: Platform,
    *,
    slug: str,
    name: str,
    pack: str | None,
    parent: str | None = None,
    level: str = "province",
    name_en: str | None = None,
) -> Tenant:
    """Create a tenant under ``parent`` governed by ``pack`` (None: its parent's rules)."""
    if level not in LEVELS:
        raise UserError(msg("unknown level %(level)r", level=level),
                        hint=msg("use one of: %(choices)s", choices=LEVELS))
    if session.scalar(select(Tenant).where(Tenant.slug == slug)) is not None:
        raise Conflict(msg("tenant %(slug)r already exists", slug=slug))
    parent_tenant = get(session, parent) if parent else None
    if pack is not None and pack not in platform.packs:
        raise PackError(pack, msg("is not installed; `ssj packs list` shows the installed "
                                  "packs"))
    if pack is None and parent_tenant is None:
        raise UserError(msg("a tenant without a parent needs a pack"),
                        hint=msg("pass --pack miit"))
    tenant = Tenant(slug=slug, name=name, name_en=name_en, level=level, pack=pack,
                    parent=parent_tenant)
    session.add(tenant)
    session.flush()
    platform.policy_for(tenant)  # fails now, not at the first draw, if the chain is broken
    from shuangsuiji.services import audit  # not at import: `ssj tenants list` needs none

    audit.record(session, tenant_id=tenant.id, action="tenant.create", object_type="tenant",
                 object_id=tenant.slug,
                 payload={"name": name, "pack": pack, "parent": parent, "level": level})
    return tenant


def check_installed(session: Session, platform: Platform) -> None:
    """Refuse to start when a tenant's pack (or an ancestor's) is not installed."""
    if not inspect(session.get_bind()).has_table(Tenant.__tablename__):
        return
    for tenant in all_tenants(session):
        for name in tenant.pack_chain():
            if name not in platform.packs:
                raise PackError(
                    name,
                    msg("is used by tenant %(slug)r but is not installed; install it "
                        "(pip install ...) or change the tenant's pack", slug=tenant.slug),
                )
