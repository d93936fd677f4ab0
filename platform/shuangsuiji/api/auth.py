"""Who may call each API endpoint, declared on the view and written into the OpenAPI document.

Authentication is :mod:`shuangsuiji.access`'s: ``Authorization: Bearer <token>`` (tokens are
issued per user with ``ssj users token``; only their SHA-256 is stored). When that header is
present the portal's session cookie is ignored, so the JSON endpoints cannot be driven by a
cross-site form riding on a browser's cookie.

:func:`allow` and :func:`allow_public` wrap access.py's decorators of the same names (so the
start-up check and the per-request enforcement are the portal's) and add to the view's
OpenAPI entry its ``security`` requirement, the 401/403 responses and ``x-roles``. The role
groups below spell out that a wider role may do what a narrower one may: access.py matches
roles exactly, and a central admin holds ``tenant_admin`` in every tenant.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from typing import Any, TypeVar

from shuangsuiji import access

F = TypeVar("F", bound=Callable[..., Any])

#: Role groups, from the narrowest duty up.
VIEWERS = ("viewer", "operator", "tenant_admin")
OPERATORS = ("operator", "tenant_admin")
ADMINS = ("tenant_admin",)
INSPECTORS = ("inspector",)
CENTRAL = ("central_admin",)
ANY_ROLE = ("central_admin", "tenant_admin", "operator", "viewer", "inspector")

BEARER_SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def allow(*roles: str) -> Callable[[F], F]:
    """Admit callers holding one of ``roles`` in the URL's tenant (401 without a token)."""
    declare = access.allow(*roles)

    def decorate(view: F) -> F:
        guarded = declare(view)
        _document(guarded, roles)
        return guarded

    return decorate


def allow_public(view: F) -> F:
    """Admit anyone, with or without a token."""
    public = access.allow_public(view)
    _document(public, None)
    return public


def _document(view: Any, roles: tuple[str, ...] | None) -> None:
    """Put the access rule into flask-smorest's ``_apidoc`` of the view (its OpenAPI entry)."""
    doc = deepcopy(getattr(view, "_apidoc", {}))
    manual = doc.setdefault("manual_doc", {})
    if roles is None:
        manual["security"] = []
        manual["x-roles"] = ["public"]
    else:
        manual["security"] = BEARER_SECURITY
        manual["x-roles"] = list(roles)
        responses = manual.setdefault("responses", {})
        responses["401"] = {"description": "No token, or an unknown or revoked one",
                            "content": {"application/json": {"schema": "Error"}}}
        responses["403"] = {"description": "Needs the role " + " or ".join(roles),
                            "content": {"application/json": {"schema": "Error"}}}
    view._apidoc = doc
