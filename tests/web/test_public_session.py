"""Public pages create no session: no cookie, no CSRF token; the language switch still works
for visitors (a cookie, no token) and for signed-in users (their session, with the token).

These run with CSRF protection on, as in production.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shuangsuiji.web.i18n import LANG_COOKIE
from tests.conftest import make_app
from tests.web.conftest import ACCOUNTS, PASSWORD, TenantWorld, build_world

SESSION_COOKIE = "ssj_session"


@pytest.fixture
def csrf_app(database_url: str, tmp_path: Any, tenant_tree: dict[str, int]) -> Iterator[Flask]:
    """An app with CSRF protection on, over the tree (and accounts) the fixtures built."""
    application = make_app(database_url, str(tmp_path / "csrf"), WTF_CSRF_ENABLED=True)
    yield application
    application.extensions["shuangsuiji"].db.dispose()


@pytest.fixture
def chongqing(platform: Any, tenant_tree: dict[str, int], users: dict[str, int]) -> TenantWorld:
    return build_world(platform, "chongqing", 21)


def _token_of(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found, "no CSRF token in the page"
    return found.group(1)


def _sign_in(client: FlaskClient, username: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": _token_of(page)})
    assert response.status_code == 302


PUBLIC_PAGES = ("/p/", "/p/chongqing/", "/p/chongqing/items", "/p/chongqing/tasks",
                "/p/chongqing/plans/2026", "/p/chongqing/results", "/p/chongqing/verify",
                "/p/chongqing/results?q=%E5%85%AC%E5%8F%B8")


def test_an_anonymous_portal_visit_sets_no_cookie(csrf_app: Flask,
                                                  chongqing: TenantWorld) -> None:
    client = csrf_app.test_client()
    for url in PUBLIC_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers.getlist("Set-Cookie") == [], url
        assert "csrf_token" not in response.get_data(as_text=True), url
    assert client.get_cookie(SESSION_COOKIE) is None


def test_a_visitor_switches_language_without_a_token_or_a_session(
        csrf_app: Flask, chongqing: TenantWorld) -> None:
    client = csrf_app.test_client()
    switched = client.post("/language", data={"lang": "en", "next": "/p/chongqing/tasks"})
    assert switched.status_code == 302
    assert switched.headers["Location"].endswith("/p/chongqing/tasks")
    cookie = client.get_cookie(LANG_COOKIE)
    assert cookie is not None and cookie.value == "en"
    assert client.get_cookie(SESSION_COOKIE) is None
    page = client.get("/p/chongqing/tasks")
    assert 'lang="en"' in page.get_data(as_text=True)
    assert page.headers.getlist("Set-Cookie") == []
    client.post("/language", data={"lang": "zh_CN", "next": "/p/chongqing/tasks"})
    assert 'lang="zh-CN"' in client.get("/p/chongqing/tasks").get_data(as_text=True)


def test_a_visitor_cannot_set_an_unknown_language(csrf_app: Flask,
                                                  chongqing: TenantWorld) -> None:
    client = csrf_app.test_client()
    assert client.post("/language", data={"lang": "xx"}).status_code == 400
    client.set_cookie(LANG_COOKIE, "xx")  # a cookie with anything else in it is ignored
    assert 'lang="zh-CN"' in client.get("/p/chongqing/").get_data(as_text=True)


def test_a_signed_in_user_switches_language_with_the_token(
        csrf_app: Flask, chongqing: TenantWorld) -> None:
    assert ACCOUNTS["cq_viewer"][1] == "chongqing"
    client = csrf_app.test_client()
    _sign_in(client, "cq_viewer")
    page = client.get("/t/chongqing/tasks").get_data(as_text=True)
    token = _token_of(page.split('class="inline lang-switch"', 1)[1])
    # without the session's token the switch is refused, as every form of theirs
    refused = client.post("/language", data={"lang": "en", "next": "/t/chongqing/tasks"})
    assert refused.status_code == 400
    switched = client.post("/language", data={"lang": "en", "next": "/t/chongqing/tasks",
                                              "csrf_token": token})
    assert switched.status_code == 302
    assert "Sign out" in client.get("/t/chongqing/tasks").get_data(as_text=True)
    # kept in the session: another cookie value does not override the user's choice
    client.set_cookie(LANG_COOKIE, "zh_CN")
    assert "Sign out" in client.get("/t/chongqing/").get_data(as_text=True)
    # and it outlives signing out: the session's choice becomes the visitor's cookie
    page = client.get("/t/chongqing/").get_data(as_text=True)
    out = client.post("/logout", data={"csrf_token": _token_of(page)})
    assert out.status_code == 302
    cookie = client.get_cookie(LANG_COOKIE)
    assert cookie is not None and cookie.value == "en"
    assert 'lang="en"' in client.get("/p/chongqing/").get_data(as_text=True)
