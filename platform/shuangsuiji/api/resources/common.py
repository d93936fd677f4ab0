"""What every resource module shares: the tenant blueprint factory and tenant-scoped lookups."""

from __future__ import annotations

from typing import Any, TypeVar

from flask_smorest import Blueprint
from sqlalchemy import select

from shuangsuiji.api import context
from shuangsuiji.errors import NotFound
from shuangsuiji.web.security import MAX_URL_INT

#: access.py takes ``tenant_slug`` out of the URL values and checks the caller's roles in it.
TENANT_PREFIX = "/api/v1/t/<tenant_slug>"

T = TypeVar("T")

TENANT_PARAMETER: dict[str, Any] = {
    "in": "path",
    "name": "tenant_slug",
    "required": True,
    "description": "the tenant's slug, e.g. chongqing",
    "schema": {"type": "string"},
}


def tenant_blueprint(name: str, description: str, prefix: str = TENANT_PREFIX) -> Blueprint:
    """A flask-smorest blueprint whose URLs name a tenant."""
    return Blueprint(f"api_{name}", __name__, url_prefix=prefix, description=description)


def get_in_tenant(model: type[T], object_id: int, label: str) -> T:
    """The row of ``model`` with ``object_id`` in the current tenant, else 404 naming it.

    Through ``select`` rather than ``session.get``, which may answer from the identity map
    without the tenant filter.
    """
    # an id no id column can hold (INTEGER: 32-bit on PostgreSQL and MariaDB) is not there
    if not 0 < object_id <= MAX_URL_INT:
        raise NotFound(f"no {label} {object_id} in tenant {context.tenant().slug}", where=label)
    row = context.session().scalar(select(model).where(model.id == object_id))  # type: ignore[attr-defined,arg-type]
    if row is None:
        raise NotFound(f"no {label} {object_id} in tenant {context.tenant().slug}", where=label)
    return row
