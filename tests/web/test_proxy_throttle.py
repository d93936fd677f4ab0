"""Behind a reverse proxy (#13.5): with ``SSJ_TRUSTED_PROXIES`` the client's address comes
from X-Forwarded-For (werkzeug's ProxyFix), so the login throttle counts per account and
real client: an attacker's failures lock out the attacker, not everyone behind the proxy,
nor the account's holder. Without trusted proxies the header is ignored and cannot be
forged to escape the throttle."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import make_app
from tests.web.conftest import PASSWORD

ATTACKER, HOLDER = "203.0.113.66", "198.51.100.7"


def _login(client: FlaskClient, username: str, password: str, client_ip: str) -> int:
    # the proxy's own address is what the app sees as the peer
    response = client.post("/login", data={"username": username, "password": password},
                           headers={"X-Forwarded-For": client_ip},
                           environ_base={"REMOTE_ADDR": "10.0.0.1"})
    return response.status_code


@pytest.fixture
def proxied(database_url: str, tmp_path: Any, users: dict[str, int]) -> Flask:
    return make_app(database_url, str(tmp_path / "proxied"), SSJ_TRUSTED_PROXIES=1)


def test_failures_with_any_names_lock_out_only_the_attacker(proxied: Flask) -> None:
    client = proxied.test_client()
    for n in range(30):
        assert _login(client, f"nobody{n}", "wrong password!", ATTACKER) == 200
    assert _login(client, "cq_admin", PASSWORD, ATTACKER) == 429
    assert _login(client, "cq_admin", PASSWORD, HOLDER) == 302  # everyone else signs in


def test_wrong_passwords_for_an_account_do_not_lock_out_its_holder(proxied: Flask) -> None:
    client = proxied.test_client()
    for _ in range(5):
        assert _login(client, "cq_admin", "wrong password!", ATTACKER) == 200
    assert _login(client, "cq_admin", PASSWORD, ATTACKER) == 429
    assert _login(client, "cq_admin", PASSWORD, HOLDER) == 302


def test_without_trusted_proxies_the_header_is_ignored(app: Flask,
                                                       users: dict[str, int]) -> None:
    """A client that rotates X-Forwarded-For does not escape the throttle."""
    assert app.config["SSJ_TRUSTED_PROXIES"] == 0
    client = app.test_client()
    for n in range(5):
        assert _login(client, "cq_admin", "wrong password!", f"192.0.2.{n}") == 200
    assert _login(client, "cq_admin", PASSWORD, "192.0.2.99") == 429


def test_the_scheme_and_host_come_from_the_proxy(proxied: Flask) -> None:
    client = proxied.test_client()
    response = client.get("/", headers={"X-Forwarded-For": HOLDER,
                                        "X-Forwarded-Proto": "https",
                                        "X-Forwarded-Host": "ssj.example.gov.cn"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith(("/", "https://ssj.example.gov.cn/"))


def test_a_negative_number_of_proxies_is_refused(database_url: str, tmp_path: Any) -> None:
    with pytest.raises(ValueError, match="SSJ_TRUSTED_PROXIES"):
        make_app(database_url, str(tmp_path / "bad"), SSJ_TRUSTED_PROXIES=-1)
