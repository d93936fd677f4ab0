"""Sessions (#13.4): the cookie is ``ssj_session``; a session ends after 30 minutes idle and
8 hours after sign-in however busy (both configurable); HSTS is sent when cookies are
secure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shuangsuiji import access
from tests.conftest import make_app
from tests.web.conftest import login

PAGE = "/t/chongqing/tasks"


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = 1_800_000_000.0
        monkeypatch.setattr(access, "_now", lambda: self.now)

    def advance(self, minutes: float) -> None:
        self.now += minutes * 60


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def _signed_in(client: FlaskClient) -> bool:
    return client.get(PAGE).status_code == 200


def test_the_cookie_is_ssj_session_and_expires_with_the_working_day(
    app: Flask, users: dict[str, int],
) -> None:
    client = app.test_client()
    response = login(client, "cq_viewer")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("ssj_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.permanent_session_lifetime.total_seconds() == 8 * 3600
    assert client.get_cookie("ssj_session") is not None


def test_an_idle_session_ends(app: Flask, users: dict[str, int], clock: Clock) -> None:
    client = app.test_client()
    login(client, "cq_viewer")
    assert _signed_in(client)
    clock.advance(29)
    assert _signed_in(client)  # used: the idle time starts again
    clock.advance(29)
    assert _signed_in(client)
    clock.advance(31)
    assert not _signed_in(client)
    assert not _signed_in(client)  # and stays ended


def test_a_busy_session_ends_after_its_absolute_lifetime(app: Flask, users: dict[str, int],
                                                         clock: Clock) -> None:
    client = app.test_client()
    login(client, "cq_viewer")
    for _ in range(8 * 60 // 20 + 1):  # a page every 20 minutes, for 8 hours and more
        clock.advance(20)
        if not _signed_in(client):
            break
    else:
        pytest.fail("still signed in after 8 hours")
    assert clock.now - 1_800_000_000.0 >= 8 * 3600 - 20 * 60


def test_the_lifetimes_are_configurable(database_url: str, tmp_path: Any,
                                        users: dict[str, int], clock: Clock) -> None:
    app = make_app(database_url, str(tmp_path / "short"), SSJ_SESSION_IDLE_MINUTES=5,
                   SSJ_SESSION_MAX_HOURS=1)
    assert app.permanent_session_lifetime.total_seconds() == 3600
    client = app.test_client()
    login(client, "cq_viewer")
    clock.advance(6)
    assert not _signed_in(client)


@pytest.mark.parametrize("secure", [True, False])
def test_hsts_when_cookies_are_secure(database_url: str, tmp_path: Any, secure: bool,
                                      tenant_tree: dict[str, int]) -> None:
    app = make_app(database_url, str(tmp_path / "tls"), SESSION_COOKIE_SECURE=secure)
    response = app.test_client().get("/login")
    hsts = response.headers.get("Strict-Transport-Security")
    assert (hsts == "max-age=31536000") if secure else hsts is None


def test_signing_in_again_starts_a_new_lifetime(
    app: Flask, users: dict[str, int], clock: Clock,
    client_for: Callable[[str | None], FlaskClient],
) -> None:
    client = app.test_client()
    login(client, "cq_viewer")
    clock.advance(40)
    assert not _signed_in(client)
    assert login(client, "cq_viewer").status_code == 302
    assert _signed_in(client)
