"""Links a person may follow (issue #16 item 4): a page shows a link only when its view's
access declaration (:mod:`shuangsuiji.access`) admits the signed-in person.

Templates ask ``may('staff.records')`` (the endpoint's declaration against the caller's roles
in the URL's tenant). What a declaration cannot know — an operator of another department, an
inspector outside the task's groups — the view passes as a flag of its own (``may_act``,
``may_record``).
"""

from __future__ import annotations

from flask import Flask, current_app

from shuangsuiji import access
from shuangsuiji.services import accounts


def may(endpoint: str) -> bool:
    """Whether the current caller passes the access declaration of ``endpoint``."""
    view = current_app.view_functions.get(endpoint)
    declared = None if view is None else access.declaration_of(view)
    if declared is None:
        return False  # unknown or undeclared: refused by default, so never linked
    if declared == access.PUBLIC:
        return True
    caller = access.current_caller()
    if caller is None:
        return False
    tenant_id = access.url_tenant_id()
    needs_tenant = current_app.url_map.is_endpoint_expecting(endpoint, access.TENANT_ARG)
    if declared == access.SIGNED_IN:
        return not (needs_tenant and tenant_id is not None
                    and not accounts.roles_in(caller, tenant_id))
    if not isinstance(declared, frozenset):
        return True  # per-method declarations (API classes): each method checks itself
    if needs_tenant and tenant_id is not None:
        return bool(accounts.roles_in(caller, tenant_id) & declared)
    held = {g.role for g in caller.grants}
    if accounts.is_central_admin(caller):
        held |= {"tenant_admin"}
    return bool(held & declared)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["may"] = may
