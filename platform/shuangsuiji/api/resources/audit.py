"""The audit chain of the tenant: is it intact, and its latest events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from shuangsuiji.api import context, schemas
from shuangsuiji.api.auth import ADMINS, allow
from shuangsuiji.api.pagination import SelectPage
from shuangsuiji.api.resources.common import tenant_blueprint
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.services import audit as audit_service

blp = tenant_blueprint("audit", "The tenant's hash-chained audit log")


@blp.route("/audit/status")
@allow(*ADMINS)
@blp.response(200, schemas.AuditStatusOut)
def chain_status() -> Any:
    """Walk the tenant's whole chain and say whether it is intact, or where it breaks."""
    session = context.session()
    tenant = context.tenant()
    report = audit_service.verify(session, tenant.id)
    head = session.scalar(select(AuditEvent.hash).where(AuditEvent.tenant_id == tenant.id)
                          .order_by(AuditEvent.seq.desc()).limit(1))
    return {"tenant": tenant.slug, "ok": report.ok, "count": report.count,
            "first_bad_seq": report.first_bad_seq, "problem": report.problem,
            "head_hash": head}


@blp.route("/audit/events")
@allow(*ADMINS)
@blp.response(200, schemas.AuditEventOut(many=True))
@blp.paginate(SelectPage)
def list_events() -> Any:
    """The tenant's audit events, newest first (payloads are in the export, not here)."""
    # AuditEvent is not TenantOwned (the chain is read across tenants by `ssj audit
    # verify`), so this query names the tenant itself.
    return (select(AuditEvent).where(AuditEvent.tenant_id == context.tenant().id)
            .order_by(AuditEvent.seq.desc()))
