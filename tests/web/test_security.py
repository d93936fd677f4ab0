"""Start-up check, login throttling (in process and in Redis), CSRF, cookies, headers,
sessions ended by a password change, API tokens, and the central admin's tenant switch."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from flask import Blueprint, Flask
from flask.testing import FlaskClient
from limits.storage import MemoryStorage, RedisStorage
from sqlalchemy import select

from shuangsuiji import access
from shuangsuiji.db import audit_guard
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.services import accounts
from shuangsuiji.web import throttle
from tests.conftest import make_app
from tests.needs import missing
from tests.web.conftest import PASSWORD, login

REDIS_URL = "redis://127.0.0.1:6379/0"


# --- every view declares who may call it ----------------------------------------------


def test_every_endpoint_declares_access(app: Flask) -> None:
    access.check_declared(app)  # raises on the first undeclared endpoint
    undeclared = [e for e, v in app.view_functions.items()
                  if e != "static" and not e.endswith(".static")
                  and access.declaration_of(v) is None]
    assert undeclared == []


def test_start_up_refuses_an_undeclared_route(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Any) -> None:
    """A blueprint with one view that declares nothing: create_app raises, naming it."""
    from shuangsuiji.web import central

    rogue = Blueprint("central", __name__, url_prefix="/central")

    @rogue.get("/forgotten")
    def forgotten() -> str:
        return "open to all"

    monkeypatch.setattr(central, "bp", rogue)
    with pytest.raises(access.UndeclaredEndpoint, match=r"central\.forgotten"):
        make_app(f"sqlite:///{tmp_path / 'x.sqlite'}", str(tmp_path / "instance"))


def test_a_route_added_after_start_up_is_refused(app: Flask) -> None:
    app.add_url_rule("/late", "late", lambda: "should not be served")
    with pytest.raises(access.UndeclaredEndpoint, match="late"):
        access.check_declared(app)
    assert app.test_client().get("/late").status_code == 403


def test_allow_rejects_unknown_roles() -> None:
    with pytest.raises(ValueError, match="unknown"):
        access.allow("superuser")


# --- login throttling -----------------------------------------------------------------


def _fail_logins(client: FlaskClient, username: str, times: int) -> list[int]:
    return [login(client, username, "wrong password!").status_code for _ in range(times)]


def test_login_is_throttled_in_process(app: Flask, users: dict[str, int],
                                       caplog: pytest.LogCaptureFixture) -> None:
    client = app.test_client()
    assert _fail_logins(client, "cq_admin", 5) == [200] * 5
    blocked = login(client, "cq_admin")  # even the right password, while blocked
    assert blocked.status_code == 429
    assert "登录失败次数过多" in blocked.get_data(as_text=True)
    assert login(client, "miit_admin").status_code == 302  # other accounts are not blocked


def test_the_in_process_fallback_warns_at_start_up(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="shuangsuiji.web.throttle"):
        found = throttle.from_config({"SSJ_REDIS_URL": None})
    assert isinstance(found.storage, MemoryStorage)
    assert "per worker" in caplog.text


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of its own, deleted afterwards; skips when no Redis is listening."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        missing("Redis", f"no server answers at {REDIS_URL}",
                "apt-get install redis-server, then start it (scripts/test starts it)")
    prefix = f"ssj-test-{uuid.uuid4().hex[:12]}:"
    yield prefix
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)


def test_login_is_throttled_across_workers_with_redis(
    database_url: str, tmp_path: Any, redis_prefix: str, users: dict[str, int],
) -> None:
    """Two apps (two gunicorn workers) sharing Redis: failures in one block the other."""
    config = {"SSJ_REDIS_URL": REDIS_URL, "SSJ_REDIS_PREFIX": redis_prefix}
    worker_a = make_app(database_url, str(tmp_path / "a"), **config)
    worker_b = make_app(database_url, str(tmp_path / "b"), **config)
    assert isinstance(worker_a.extensions["ssj_login_throttle"].storage, RedisStorage)
    client_a, client_b = worker_a.test_client(), worker_b.test_client()
    _fail_logins(client_a, "cq_operator", 3)
    _fail_logins(client_b, "cq_operator", 2)
    assert login(client_a, "cq_operator").status_code == 429
    assert login(client_b, "cq_operator").status_code == 429
    keys = list(redis.Redis.from_url(REDIS_URL).scan_iter(match=redis_prefix + "*"))
    assert keys, "the counters live in Redis under the test's prefix"
    assert all(b"cq_operator" not in k for k in keys)  # user names are hashed in keys


def test_redis_window_expires(redis_prefix: str) -> None:
    t = throttle.LoginThrottle(throttle.storage_for(REDIS_URL, redis_prefix),
                               max_per_account=2, window_seconds=60)
    t.failed("k", "1.2.3.4")
    t.failed("k", "1.2.3.4")
    assert t.blocked("k", "1.2.3.4")
    client = redis.Redis.from_url(REDIS_URL)
    (key,) = [k for k in client.scan_iter(match=redis_prefix + "*acct*")]
    ttl = client.ttl(key)
    assert 0 < ttl <= 60  # the window is not extended by later hits
    t.succeeded("k", "1.2.3.4")
    assert not t.blocked("k", "1.2.3.4")


def test_a_successful_login_clears_the_account_counter() -> None:
    t = throttle.LoginThrottle(throttle.storage_for(None), max_per_account=3)
    t.failed("a", "1.2.3.4")
    t.failed("a", "1.2.3.4")
    t.succeeded("a", "1.2.3.4")
    t.failed("a", "1.2.3.4")
    t.failed("a", "1.2.3.4")
    assert not t.blocked("a", "1.2.3.4")
    t.failed("a", "1.2.3.4")
    assert t.blocked("a", "1.2.3.4")


# --- CSRF, cookies, headers -----------------------------------------------------------


@pytest.fixture
def csrf_app(database_url: str, tmp_path: Any) -> Iterator[Flask]:
    application = make_app(database_url, str(tmp_path / "instance"), WTF_CSRF_ENABLED=True)
    yield application
    application.extensions["shuangsuiji"].db.dispose()


def test_a_post_without_csrf_token_is_refused(csrf_app: Flask) -> None:
    platform = csrf_app.extensions["shuangsuiji"]
    # No tenant exists yet, so the central admin's creation has no audit chain to go to.
    with platform.db.session() as s, audit_guard.unaudited(s, "no tenant, so no chain yet"):
        accounts.create_user(s, username="admin", password=PASSWORD, role="central_admin")
        s.commit()
    client = csrf_app.test_client()
    refused = client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert refused.status_code == 400
    assert "表单已过期" in refused.get_data(as_text=True)
    # The same login with the token from the form goes through.
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    ok = client.post("/login", data={"username": "admin", "password": PASSWORD,
                                     "csrf_token": token})
    assert ok.status_code == 302


def test_security_headers_on_every_response(app: Flask) -> None:
    client = app.test_client()
    for url in ("/login", "/p/", "/nowhere", "/static/ssj.css"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, url
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_flags(database_url: str, tmp_path: Any, users: Any) -> None:
    app = make_app(database_url, str(tmp_path / "i"), SSJ_SECURE_COOKIES="1",
                   SESSION_COOKIE_SECURE=True)
    response = login(app.test_client(), "cq_admin")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_error_pages_are_chinese_and_have_no_traceback(app: Flask) -> None:
    page = app.test_client().get("/t/nowhere/")
    assert page.status_code == 404
    text = page.get_data(as_text=True)
    assert "页面不存在" in text and "Traceback" not in text


def test_next_cannot_send_users_to_another_site(app: Flask, users: Any) -> None:
    client = app.test_client()
    response = client.post("/login?next=https://evil.example/", data={
        "username": "cq_admin", "password": PASSWORD})
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


# --- sessions, tokens, the tenant switch ----------------------------------------------


def test_changing_the_password_ends_other_sessions(
    app: Flask, client_for: Callable[[str | None], FlaskClient],
) -> None:
    other = client_for("cq_viewer")
    mine = client_for("cq_viewer")
    assert other.get("/t/chongqing/").status_code == 200
    new = "another long password"
    response = mine.post("/account", data={"current": PASSWORD, "new": new, "repeat": new})
    assert response.status_code == 302
    assert mine.get("/t/chongqing/").status_code == 200  # this session continues
    assert other.get("/t/chongqing/").status_code == 302  # the other one was signed out


def test_bearer_token_acts_as_its_user(app: Flask, users: Any) -> None:
    platform = app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        issued = accounts.issue_token(s, accounts.get_user(s, "cq_viewer"), "test")
        s.commit()
    client = app.test_client()
    auth = {"Authorization": f"Bearer {issued.token}"}
    assert client.get("/t/chongqing/", headers=auth).status_code == 200
    assert client.get("/t/miit/", headers=auth).status_code == 403
    bad = client.get("/t/chongqing/", headers={"Authorization": "Bearer ssj_nope"})
    assert bad.status_code in (302, 401)
    with platform.db.session() as s:
        stored = s.scalars(select(accounts.ApiToken)).all()
        assert [t.token_hash for t in stored] != [issued.token]
        assert all(issued.token not in (t.token_hash, t.prefix) for t in stored)


def test_central_admin_switch_is_logged_in_the_target_tenant(
    app: Flask, client_for: Callable[[str | None], FlaskClient], tenant_tree: dict[str, int],
) -> None:
    client = client_for("central")

    def switches(slug: str) -> list[AuditEvent]:
        platform = app.extensions["shuangsuiji"]
        with platform.db.session() as s:
            return list(s.scalars(select(AuditEvent).where(
                AuditEvent.tenant_id == tenant_tree[slug],
                AuditEvent.action == "tenant.switch")))

    response = client.post("/tenants/switch", data={"tenant": "chongqing"})
    assert response.headers["Location"].endswith("/t/chongqing/")
    assert client.get("/t/chongqing/").status_code == 200
    client.get("/t/chongqing/audit")  # staying in the tenant is not another switch
    assert [e.actor for e in switches("chongqing")] == ["central"]
    client.get("/t/miit/")  # typing another tenant's URL is a switch too
    assert len(switches("miit")) == 1
    assert switches("miit")[0].payload == {"from": "chongqing"}


def test_switch_to_a_tenant_without_a_role_is_refused(
    client_for: Callable[[str | None], FlaskClient],
) -> None:
    client = client_for("cq_admin")
    assert client.post("/tenants/switch", data={"tenant": "miit"}).status_code == 403
