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
from shuangsuiji.models.plans import AnnualPlan

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


# --- the checks of access._check, each through a route that depends on it ------------------


@pytest.fixture
def probes(app: Flask) -> Flask:
    """Four routes added to the app, one per kind of declaration the checks tell apart."""

    @access.allow_public
    def probe_public_here() -> str:
        # a tenant-owned table: read only if the check scoped the session to the URL's tenant
        return str(len(access.db_session().scalars(select(AnnualPlan)).all()))

    @access.allow_signed_in
    def probe_signed_in() -> str:  # reads the URL's tenant too: the check must have entered it
        return f"signed in, {len(access.db_session().scalars(select(AnnualPlan)).all())} plans"

    @access.allow("tenant_admin")
    def probe_admin_anywhere() -> str:
        return "admin somewhere"

    @access.allow("viewer")
    def probe_viewer_here() -> str:
        return "viewer here"

    app.add_url_rule("/t/<tenant_slug>/probe-signed-in", "probe_signed_in", probe_signed_in)
    app.add_url_rule("/probe-admin-anywhere", "probe_admin_anywhere", probe_admin_anywhere)
    app.add_url_rule("/t/<tenant_slug>/probe-viewer", "probe_viewer_here", probe_viewer_here)
    app.add_url_rule("/t/<tenant_slug>/probe-public", "probe_public_here", probe_public_here)
    return app


@pytest.mark.parametrize(("caller", "url", "status"), [
    (None, "/t/chongqing/probe-public", 200),  # public, with the session in the URL's tenant
    (None, "/t/chongqing/probe-signed-in", 302),  # 401: to the sign-in page
    ("cq_viewer", "/t/chongqing/probe-signed-in", 200),
    ("cq_viewer", "/t/miit/probe-signed-in", 403),  # signed in, but holds nothing in miit
    ("central", "/t/miit/probe-signed-in", 200),
    (None, "/probe-admin-anywhere", 302),
    ("cq_admin", "/probe-admin-anywhere", 200),
    ("cq_viewer", "/probe-admin-anywhere", 403),
    ("central", "/probe-admin-anywhere", 200),  # the central admin acts as tenant admin
    (None, "/t/chongqing/probe-viewer", 302),
    ("cq_viewer", "/t/chongqing/probe-viewer", 200),
    ("miit_viewer", "/t/chongqing/probe-viewer", 403),
    ("cq_operator", "/t/chongqing/probe-viewer", 403),
])
def test_each_kind_of_declaration_admits_exactly_its_callers(
    probes: Flask, users: dict[str, int], client_for: Callable[[str | None], FlaskClient],
    caller: str | None, url: str, status: int,
) -> None:
    response = client_for(caller).get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    if status == 302:
        assert "/login" in response.headers["Location"]
