"""Directories (名录库) and the item list: items, item-list versions, targets, inspectors."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from shuangsuiji.api import schemas
from shuangsuiji.api.auth import VIEWERS, allow
from shuangsuiji.api.pagination import SelectPage
from shuangsuiji.api.resources.common import tenant_blueprint
from shuangsuiji.caching.responses import cached
from shuangsuiji.canonical import normalise
from shuangsuiji.errors import NotFound
from shuangsuiji.models.directories import Inspector, Item, ItemListVersion, Target

blp = tenant_blueprint("directories", "Item list and directories (名录库) of the tenant")


@blp.route("/items")
@allow(*VIEWERS)
@cached
@blp.arguments(schemas.ItemQuery, location="query")
@blp.response(200, schemas.ItemOut(many=True))
@blp.paginate(SelectPage)
def list_items(query: dict[str, Any]) -> Any:
    """The item list (随机抽查事项清单) as it stands now, by code."""
    stmt = select(Item)
    if "active" in query:
        stmt = stmt.where(Item.active.is_(query["active"]))
    if query.get("category"):
        stmt = stmt.where(Item.category == query["category"])
    return stmt.order_by(Item.code, Item.id)


@blp.route("/item-list/versions")
@allow(*VIEWERS)
@cached
@blp.response(200, schemas.ItemListVersionOut(many=True))
@blp.paginate(SelectPage)
def list_item_list_versions() -> Any:
    """Every version of the item list, newest first (each change makes one)."""
    return select(ItemListVersion).order_by(ItemListVersion.number.desc(), ItemListVersion.id)


@blp.route("/item-list/versions/<int:number>")
@allow(*VIEWERS)
@cached
@blp.response(200, schemas.ItemListVersionDetailOut)
def get_item_list_version(number: int) -> Any:
    """One version of the item list with its snapshot, as draws under it saw it."""
    from shuangsuiji.api import context

    row = context.session().scalar(select(ItemListVersion)
                                   .where(ItemListVersion.number == number))
    if row is None:
        raise NotFound(f"no item-list version {number}", where="number",
                       hint="GET .../item-list/versions lists them")
    return row


@blp.route("/targets")
@allow(*VIEWERS)
@cached
@blp.arguments(schemas.TargetQuery, location="query")
@blp.response(200, schemas.TargetOut(many=True))
@blp.paginate(SelectPage)
def list_targets(query: dict[str, Any]) -> Any:
    """Targets (检查对象), by credit code; filter by part of the name or a credit-code prefix."""
    stmt = select(Target)
    if query.get("name"):
        stmt = stmt.where(Target.name.contains(normalise(query["name"]), autoescape=True))
    if query.get("credit_code"):
        code = normalise(query["credit_code"]).upper()
        stmt = stmt.where(Target.credit_code.startswith(code, autoescape=True))
    return stmt.order_by(Target.credit_code, Target.id)


@blp.route("/inspectors")
@allow(*VIEWERS)
@cached
@blp.arguments(schemas.InspectorQuery, location="query")
@blp.response(200, schemas.InspectorOut(many=True))
@blp.paginate(SelectPage)
def list_inspectors(query: dict[str, Any]) -> Any:
    """Inspectors (执法检查人员) of the tenant, by department then name."""
    stmt = select(Inspector)
    if query.get("department"):
        stmt = stmt.where(Inspector.department == query["department"])
    return stmt.order_by(Inspector.department, Inspector.name, Inspector.id)
