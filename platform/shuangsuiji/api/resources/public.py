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
from shuangsuiji.services import public_results
from shuangsuiji.services import publication as publication_service
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.services.lifecycle import get_task
from shuangsuiji.services.public_results import ResultFilter

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


class ResultsPage(Page):
    """A page of the published results a :class:`ResultFilter` selects, paged in the
    database (the count and the page: the same two queries as the portal's results page)."""

    collection: ResultFilter

    @property
    def items(self) -> list[Any]:
        return public_results.page(context.session(), self.collection,
                                   limit=self.page_params.page_size,
                                   offset=self.page_params.first_item)

    @property
    def item_count(self) -> int:
        return public_results.count(context.session(), self.collection)


@scoped.route("/results")
@allow_public
@cached
@scoped.arguments(schemas.PublicResultQuery, location="query")
@scoped.response(200, schemas.PublishedResultOut(many=True))
@scoped.paginate(ResultsPage)
def published_results(query: dict[str, Any]) -> Any:
    """Published per-target results, newest publication first, filtered as the portal's
    results page filters them: by task, item, result, and ``q`` (part of a target's name or
    the beginning of its credit code)."""
    task = query.get("task")
    code = get_task(context.session(), task).code if task is not None else ""
    return ResultFilter(task=code, item=query.get("item", ""),
                        result=query.get("result", ""), q=query.get("q", ""))
