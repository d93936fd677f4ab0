"""The API's view of the request: the caller, the tenant, the database session.

All three come from :mod:`shuangsuiji.access`, which the portal uses too: it reads the
caller from ``Authorization: Bearer <token>``, takes ``tenant_slug`` out of the URL
(``/api/v1/t/<tenant_slug>/...``), checks the view's declared roles in that tenant, and only
then sets the tenant on the request's session, so every ORM query of a view is filtered to
it: an id that belongs to another tenant is simply not found (404).
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session

from shuangsuiji import access
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.platform import Platform


def platform() -> Platform:
    return current_app.extensions["shuangsuiji"]


def session() -> Session:
    """The request's session, with the caller recorded as the actor of audit events
    (:func:`shuangsuiji.access.db_session` does that)."""
    return access.db_session()


def tenant() -> Tenant:
    """The tenant named in the URL, after access to it was checked."""
    found = access.current_tenant()
    if found is None:  # a view outside /t/<tenant_slug>/ asked for one: a bug, not bad input
        raise RuntimeError("no tenant in this API request")
    return found
