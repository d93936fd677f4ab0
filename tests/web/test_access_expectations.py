"""Who may administer accounts, written out by hand.

tests/web/test_access_matrix.py derives what it expects from the views' own declarations, so
a wrong declaration (an operator allowed to grant roles) is expected as well as enforced.
Here the expectation is typed by a person, from docs/security.md's roles: only a tenant
admin administers its tenant's accounts, only the central admin every account. A change to
any of these declarations must change this table too, on purpose.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from shuangsuiji import access
from shuangsuiji.models.accounts import User

TENANT_ADMIN = frozenset({"tenant_admin"})
CENTRAL = frozenset({"central_admin"})

#: endpoint → the roles that may call it, by hand.
ACCOUNT_ADMINISTRATION: dict[str, frozenset[str]] = {
    "staff.users": TENANT_ADMIN,
    "staff.user_grant": TENANT_ADMIN,
    "staff.user_token": TENANT_ADMIN,
    "staff.user_token_revoke": TENANT_ADMIN,
    "staff.user_disable": TENANT_ADMIN,
    "staff.user_enable": TENANT_ADMIN,
    "staff.user_password": TENANT_ADMIN,
    "central.users": CENTRAL,
    "central.user_grant": CENTRAL,
    "central.user_token": CENTRAL,
    "central.user_token_revoke": CENTRAL,
    "central.user_disable": CENTRAL,
    "central.user_enable": CENTRAL,
    "central.user_password": CENTRAL,
}


def _declared(app: Flask) -> dict[str, object]:
    return {endpoint: access.declaration_of(view)
            for endpoint, view in app.view_functions.items()}


@pytest.mark.parametrize("endpoint", sorted(ACCOUNT_ADMINISTRATION))
def test_account_administration_is_declared_as_written_here(app: Flask, endpoint: str) -> None:
    assert _declared(app)[endpoint] == ACCOUNT_ADMINISTRATION[endpoint]


def test_every_account_administration_route_is_in_the_table(app: Flask) -> None:
    """A new route under /users (web) must be added to the table by hand."""
    found = {rule.endpoint for rule in app.url_map.iter_rules()
             if "/users" in rule.rule and not rule.rule.startswith("/api")}
    assert found == set(ACCOUNT_ADMINISTRATION)


def _grants(app: Flask, username: str) -> set[tuple[str, int | None]]:
    with app.extensions["shuangsuiji"].db.session() as s:
        user = s.scalar(select(User).where(User.username == username))
        assert user is not None
        return {(g.role, g.tenant_id) for g in user.grants}


def _user_id(app: Flask, username: str) -> int:
    with app.extensions["shuangsuiji"].db.session() as s:
        found = s.scalar(select(User.id).where(User.username == username))
        assert found is not None
        return found


@pytest.mark.parametrize("caller", ["cq_operator", "cq_viewer", "cq_inspector", "miit_admin"])
def test_only_the_tenant_admin_grants_a_role(
    app: Flask, users: dict[str, int], client_for: Callable[[str | None], FlaskClient],
    caller: str,
) -> None:
    """An operator (or anyone but the tenant's admin) asking to make a viewer tenant admin is
    refused, and the viewer's roles are unchanged; the tenant admin's same request works."""
    target = _user_id(app, "cq_viewer")
    url = f"/t/chongqing/users/{target}/grant"
    form = {"role": "tenant_admin"}
    before = _grants(app, "cq_viewer")
    response = client_for(caller).post(url, data=form)
    assert response.status_code == 403
    assert _grants(app, "cq_viewer") == before
    done = client_for("cq_admin").post(url, data=form)
    assert done.status_code in (200, 302), done.get_data(as_text=True)[:300]
    assert len(_grants(app, "cq_viewer")) == len(before) + 1


@pytest.mark.parametrize("roles", [(), ("operatr",), ("operator", "superuser")])
def test_a_declaration_naming_no_or_an_unknown_role_is_refused(roles: tuple[str, ...]) -> None:
    """A typo in ``@allow`` must stop the app at import, not silently admit nobody."""
    with pytest.raises(ValueError, match="unknown or no roles"):
        access.allow(*roles)
