"""Cross-tenant account takeover (#13.1): the admin of tenant A manages only what an account
holds in A. An account holding a role in A and tenant_admin in B cannot have its password
reset, be disabled, or get a token that reaches B by A's admin; tokens are scoped to the
tenant they were made for, in the browser, the CLI and on every API request."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from shuangsuiji.errors import Forbidden
from shuangsuiji.models.accounts import ApiToken, User
from shuangsuiji.services import accounts
from tests.web.conftest import PASSWORD, login

NEW_PASSWORD = "violet-harbour-lantern-77"


@pytest.fixture
def dual(app: Flask, users: dict[str, int]) -> int:
    """``dual``: a viewer in chongqing (A) and the tenant admin of miit (B)."""
    with app.extensions["shuangsuiji"].db.session() as s:
        user = accounts.create_user(s, username="dual", password=PASSWORD, role="viewer",
                                    tenant="chongqing")
        accounts.grant(s, user, role="tenant_admin", tenant="miit")
        s.commit()
        return user.id


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_tenant_admin_cannot_reset_the_password_of_an_account_with_roles_elsewhere(
    app: Flask, dual: int, client_for: Callable[[str | None], FlaskClient],
) -> None:
    admin = client_for("cq_admin")
    refused = admin.post(f"/t/chongqing/users/{dual}/password",
                         data={"new": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert refused.status_code == 403
    assert "只有中央管理员或账号本人" in refused.get_data(as_text=True)
    assert login(app.test_client(), "dual", NEW_PASSWORD).status_code != 302
    assert login(app.test_client(), "dual").status_code == 302  # unchanged


def test_a_tenant_admin_cannot_disable_an_account_with_roles_elsewhere(
    app: Flask, dual: int, client_for: Callable[[str | None], FlaskClient],
) -> None:
    admin = client_for("cq_admin")
    assert admin.post(f"/t/chongqing/users/{dual}/disable").status_code == 403
    assert login(app.test_client(), "dual").status_code == 302  # still enabled
    page = admin.get("/t/chongqing/users").get_data(as_text=True)
    assert f'/t/chongqing/users/{dual}/password' not in page  # no form offered either


def test_a_token_issued_by_a_tenant_admin_reaches_only_their_tenant(
    app: Flask, dual: int, client_for: Callable[[str | None], FlaskClient],
) -> None:
    admin = client_for("cq_admin")
    issued = admin.post(f"/t/chongqing/users/{dual}/tokens", data={"name": "takeover"})
    assert issued.status_code == 200
    page = issued.get_data(as_text=True)
    token = page.split('id="new-token">', 1)[1].split("<", 1)[0]
    assert token.startswith("ssj_")
    api = app.test_client()
    # dual is tenant admin of miit, but this token was made by chongqing's admin
    assert api.get("/api/v1/t/miit/audit/events", headers=_bearer(token)).status_code == 403
    assert api.get("/api/v1/t/miit/targets", headers=_bearer(token)).status_code == 403
    assert api.get("/api/v1/t/chongqing/targets", headers=_bearer(token)).status_code == 200
    me = api.get("/api/v1/me", headers=_bearer(token)).get_json()
    assert "miit" not in str(me)
    with app.extensions["shuangsuiji"].db.session() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.user_id == dual))
        assert row is not None and row.tenant_id is not None


def test_a_tenant_admin_sees_and_revokes_only_tokens_made_for_their_tenant(
    app: Flask, dual: int, client_for: Callable[[str | None], FlaskClient],
) -> None:
    with app.extensions["shuangsuiji"].db.session() as s:
        central_made = accounts.issue_token(s, s.get(User, dual), "central")
        prefix = central_made.row.prefix
        s.commit()
    admin = client_for("cq_admin")
    assert prefix not in admin.get("/t/chongqing/users").get_data(as_text=True)
    refused = admin.post(f"/t/chongqing/users/{dual}/tokens/revoke", data={"prefix": prefix})
    assert refused.status_code == 403
    api = app.test_client()
    assert api.get("/api/v1/t/miit/audit/events",
                   headers=_bearer(central_made.token)).status_code == 200  # still live


def test_the_central_admin_and_the_holder_still_manage_the_account(
    app: Flask, dual: int, client_for: Callable[[str | None], FlaskClient],
) -> None:
    central = client_for("central")
    done = central.post(f"/central/users/{dual}/password",
                        data={"new": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert done.status_code == 302
    holder = client_for(None)
    assert login(holder, "dual", NEW_PASSWORD).status_code == 302
    # an account whose every role is in the tenant stays the tenant admin's to manage
    cq_viewer = client_for("cq_admin")
    with app.extensions["shuangsuiji"].db.session() as s:
        uid = accounts.get_user(s, "cq_viewer").id
    assert cq_viewer.post(f"/t/chongqing/users/{uid}/disable").status_code == 302


def test_the_service_refuses_whoever_calls_it(app: Flask, dual: int) -> None:
    """The rule is the accounts service's, not only the web view's."""
    with app.extensions["shuangsuiji"].db.session() as s:
        user = s.get(User, dual)
        assert user is not None
        chongqing = accounts.tenants_for(s, accounts.get_user(s, "cq_admin"))[0]
        with pytest.raises(Forbidden):
            accounts.set_password(s, user, NEW_PASSWORD, admin_of=chongqing)
        with pytest.raises(Forbidden):
            accounts.set_active(s, user, False, admin_of=chongqing)
        issued = accounts.issue_token(s, user, "scoped", admin_of=chongqing)
        assert issued.row.tenant_id == chongqing.id
        s.commit()
    caller = accounts.caller_from_token(app.extensions["shuangsuiji"].db.engine, issued.token)
    assert caller is not None and caller.grants
    assert all(g.tenant_id == chongqing.id for g in caller.grants)


def test_the_cli_scopes_a_token_to_a_tenant(app: Flask, dual: int) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "token", "dual", "--tenant", "chongqing"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[0]
    api = app.test_client()
    assert api.get("/api/v1/t/miit/audit/events", headers=_bearer(token)).status_code == 403
    assert api.get("/api/v1/t/chongqing/targets", headers=_bearer(token)).status_code == 200
    nowhere = runner.invoke(args=["users", "token", "cq_viewer", "--tenant", "miit"])
    assert nowhere.exit_code != 0 and "holds no role in miit" in nowhere.output
    assert "Traceback" not in nowhere.output
    central = runner.invoke(args=["users", "token", "central", "--tenant", "miit"])
    assert central.exit_code != 0 and "central admin" in central.output
