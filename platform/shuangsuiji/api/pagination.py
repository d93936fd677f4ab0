"""Pagination over SQLAlchemy selects, for flask-smorest's ``@blp.paginate``.

Clients pass ``page`` (from 1) and ``page_size`` (at most 100) in the query string; the
response body is the page's list and the ``X-Pagination`` header carries the totals as
JSON: ``{"total": 5012, "total_pages": 51, "first_page": 1, "last_page": 51, "page": 2,
"previous_page": 1, "next_page": 3}``. The count and the page are two queries, both filtered
to the tenant like every other query.

A page number beyond :data:`MAX_PAGE` is refused (422, naming ``page``) before any query: a
database cannot take an offset beyond 2**63 (``page=33004243381594673152`` was a 500). A
page past the last one, below that bound, is an empty list.
"""

from __future__ import annotations

from typing import Any

from flask_smorest import Page, abort
from sqlalchemy import Select, func, select

from shuangsuiji.api import context
from shuangsuiji.db import TenantOwned
from shuangsuiji.db.tenancy import require_tenant
from shuangsuiji.messages import msg

#: The largest page number served (× at most 100 rows a page: far beyond any directory).
MAX_PAGE = 10_000_000


class SelectPage(Page):
    """A page of an ORM ``select()``; the select must have a total order (end on the id)."""

    collection: Select[Any]

    @property
    def items(self) -> list[Any]:
        if self.page_params.page > MAX_PAGE:
            problem = msg("page %(page)s is beyond any page (at most %(limit)d)",
                          page=self.page_params.page, limit=MAX_PAGE)
            abort(422, message=problem, errors={"query": {"page": [str(problem)]}},
                  where="page", hint=msg("the X-Pagination header gives the last page"))
        stmt = self.collection.offset(self.page_params.first_item).limit(
            self.page_params.page_size
        )
        return list(context.session().scalars(stmt))

    @property
    def item_count(self) -> int:
        stmt = self.collection.order_by(None)
        # The tenancy hook filters ORM statements by their entities; a select wrapped as a
        # subquery of a count() is not seen as touching a tenant-owned entity, so it would
        # count every tenant's rows. Name the tenant here explicitly.
        entity = stmt.column_descriptions[0].get("entity")
        if isinstance(entity, type) and issubclass(entity, TenantOwned):
            stmt = stmt.where(entity.tenant_id == require_tenant(context.session()))
        counted = select(func.count()).select_from(stmt.subquery())
        return context.session().scalar(counted) or 0
