"""A tenant admin (and the central admin) disables, enables and resets accounts in the
browser: a disabled account cannot sign in, its open session ends, its API token stops
working; a reset password replaces the old one; nobody disables their own account."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from shuangsuiji.models.accounts import User
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.services import accounts
from tests.web.conftest import PASSWORD, login


def user_id(app: Flask, username: str) -> int:
    with app.extensions["shuangsuiji"].db.session() as s:
        found = s.scalar(select(User.id).where(User.username == username))
        assert found is not None
        return found


def test_disable_ends_sessions_and_tokens_enable_restores(
    app: Flask, world: object, client_for: Callable[[str | None], FlaskClient],
) -> None:
    with app.extensions["shuangsuiji"].db.session() as s:
        token = accounts.issue_token(s, accounts.get_user(s, "cq_viewer"), "test").token
        s.commit()
    viewer = client_for("cq_viewer")
    assert viewer.get("/t/chongqing/tasks").status_code == 200
    api = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/t/chongqing/targets", headers=auth).status_code == 200
    admin = client_for("cq_admin")
    uid = user_id(app, "cq_viewer")
    done = admin.post(f"/t/chongqing/users/{uid}/disable")
    assert done.status_code == 302
    assert "已停用" in admin.get("/t/chongqing/users").get_data(as_text=True)
    assert viewer.get("/t/chongqing/tasks").status_code in (302, 401)  # the session ended
    assert login(app.test_client(), "cq_viewer").status_code != 302  # no sign-in
    assert api.get("/api/v1/t/chongqing/targets", headers=auth).status_code == 401
    assert admin.post(f"/t/chongqing/users/{uid}/enable").status_code == 302
    assert login(app.test_client(), "cq_viewer").status_code == 302
    assert api.get("/api/v1/t/chongqing/targets", headers=auth).status_code == 200
    with app.extensions["shuangsuiji"].db.session() as s:
        actions = [e.action for e in s.scalars(select(AuditEvent).where(
            AuditEvent.object_id == "cq_viewer").order_by(AuditEvent.seq))]
    assert actions[-2:] == ["user.disable", "user.enable"]


def test_reset_password_and_no_self_disable(
    app: Flask, world: object, client_for: Callable[[str | None], FlaskClient],
) -> None:
    admin = client_for("cq_admin")
    uid = user_id(app, "cq_operator")
    mismatch = admin.post(f"/t/chongqing/users/{uid}/password",
                          data={"new": "a-new-secret-2026", "repeat": "something else"})
    assert mismatch.status_code == 422
    assert login(app.test_client(), "cq_operator").status_code == 302  # unchanged
    reset = admin.post(f"/t/chongqing/users/{uid}/password",
                       data={"new": "a-new-secret-2026", "repeat": "a-new-secret-2026"})
    assert reset.status_code == 302
    assert login(app.test_client(), "cq_operator").status_code != 302
    assert login(app.test_client(), "cq_operator", "a-new-secret-2026").status_code == 302
    me = user_id(app, "cq_admin")
    refused = admin.post(f"/t/chongqing/users/{me}/disable")
    assert refused.status_code == 409
    assert "不能停用自己的账号" in refused.get_data(as_text=True)
    assert login(app.test_client(), "cq_admin", PASSWORD).status_code == 302


def test_a_tenant_admin_cannot_touch_another_tenants_account(
    app: Flask, world: object, client_for: Callable[[str | None], FlaskClient],
) -> None:
    miit_viewer = user_id(app, "miit_viewer")
    admin = client_for("cq_admin")
    assert admin.post(f"/t/chongqing/users/{miit_viewer}/disable").status_code == 404
    assert login(app.test_client(), "miit_viewer").status_code == 302
