"""CSRF on every form (the hostile round's check, in the suite): with CSRF on, as it is in
production, every POST route of the web interface, sent by a signed-in tenant admin and by
the central admin without the form's token, is refused (400) and appends no audit event."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from shuangsuiji.models.audit import AuditEvent
from tests.conftest import make_app
from tests.web.conftest import PASSWORD, TenantWorld
from tests.web.test_access_matrix import web_routes
from tests.web.test_access_table import _url


def _signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    done = client.post("/login", data={"username": username, "password": PASSWORD,
                                       "csrf_token": token})
    assert done.status_code == 302
    return client


def _events(app: Flask) -> int:
    with app.extensions["shuangsuiji"].db.session() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_every_form_refuses_a_post_without_its_token(
    database_url: str, tmp_path: Any, world: dict[str, TenantWorld],
) -> None:
    app = make_app(database_url, str(tmp_path / "csrf"), WTF_CSRF_ENABLED=True)
    before = _events(app)
    posts = [r for r in web_routes(app) if r.method == "POST"]
    assert len(posts) > 30
    for username in ("cq_admin", "central"):
        client = _signed_in(app, username)
        for route in posts:
            if route.endpoint == "auth.login":
                continue  # signs in, and is checked in test_security.py
            url = _url(app, route, world["chongqing"])
            response = client.post(url, data={"reason": "a reason long enough",
                                              "tenant": "chongqing", "lang": "en"})
            assert response.status_code == 400, f"{username} POST {url}: {response.status_code}"
    assert _events(app) == before
