"""What the public reads without a token: published tasks and results, draw bundles.

Only published material is reachable here: results from :class:`PublishedResult` snapshots
and bundles of draws whose task is published or whose draw was made public at draw time
(every committed draw: the draw record is public once it exists, MIIT Art. 8 / CQ Art. 8
"the draw process must be recorded").
"""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint, Page

from shuangsuiji.api import context, schemas
from shuangsuiji.api.auth import allow_public
from shuangsuiji.api.resources.common import tenant_blueprint
from shuangsuiji.caching.responses import cached
from shuangsuiji.services import publication as publication_service
from shuangsuiji.services import tenants as tenant_service

blp = Blueprint("api_public", __name__, url_prefix="/api/v1/public",
                description="Public: published results and draw records, no token needed")
scoped = tenant_blueprint("public_tenant", "Public: one tenant's published material",
                          prefix="/api/v1/public/t/<tenant_slug>")


@blp.route("/tenants")
@allow_public
@blp.response(200, schemas.TenantOut(many=True))
def public_tenants() -> Any:
    """The tenants that publish on this platform."""
    return tenant_service.all_tenants(context.session())


@scoped.route("/tasks")
@allow_public
@cached
@scoped.arguments(schemas.PublishedTaskQuery, location="query")
@scoped.response(200, schemas.PublishedTaskOut(many=True))
@scoped.paginate(Page)
def published_tasks(query: dict[str, Any]) -> Any:
    """The tenant's published tasks, newest first."""
    return publication_service.published_tasks(context.session(), year=query.get("year"))


@scoped.route("/results")
@allow_public
@cached
@scoped.arguments(schemas.PublicResultQuery, location="query")
@scoped.response(200, schemas.PublishedResultOut(many=True))
@scoped.paginate(Page)
def published_results(query: dict[str, Any]) -> Any:
    """Published per-target results; ``q`` searches a target's name or credit code."""
    session = context.session()
    if query.get("q"):
        rows = publication_service.search_results(session, query["q"])
        if query.get("task"):
            from shuangsuiji.services.lifecycle import get_task

            code = get_task(session, query["task"]).code
            rows = [r for r in rows if r.task_code == code]
        return rows
    return publication_service.published_results(session, query.get("task"))
