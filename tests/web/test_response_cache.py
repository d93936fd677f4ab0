"""The response cache: served again while the tenant's audit chain has not moved, never stale.

A cached page must change after a write made anywhere — through the web, the API, the
command line, or another worker (a second app on the same database, with its own cache) —
and the access check must run before the cache on every request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from flask import Blueprint, Flask
from flask.testing import FlaskClient

from shuangsuiji.access import allow_public
from shuangsuiji.caching import responses
from shuangsuiji.caching.responses import CacheMisuse, cached, store_of
from shuangsuiji.services import accounts
from tests.conftest import make_app
from tests.web.conftest import DEPARTMENTS, TenantWorld

TASKS = "/p/chongqing/tasks"
TARGETS = "/api/v1/t/chongqing/targets?page_size=5"


def _task_form(code: str) -> dict[str, str]:
    return {"plan_year": "2026", "code": code, "title": "网页新建的任务",
            "department": DEPARTMENTS[0], "item_codes": "SX-001", "methods": "on_site",
            "ratio_permille": "100", "group_count": "1", "starts_on": "2026-06-01",
            "ends_on": "2026-06-30"}


def _token(app: Flask, username: str) -> str:
    with app.extensions["shuangsuiji"].db.session() as s:
        token = accounts.issue_token(s, accounts.get_user(s, username), name="cache test")
        s.commit()
        return token.token


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- hits, validators, headers -------------------------------------------------------


def test_a_public_page_is_served_from_the_cache_with_validators(
        app: Flask, world: dict[str, TenantWorld]) -> None:
    client = app.test_client()
    store = store_of(app)
    first = client.get(TASKS)
    assert first.status_code == 200
    before = store.stats.hits
    second = client.get(TASKS)
    assert store.stats.hits == before + 1
    assert second.get_data() == first.get_data()
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["ETag"].startswith('W/"')
    assert second.headers["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert "Cookie" in second.headers["Vary"]
    # the security headers are added to a cached response too
    assert second.headers["X-Frame-Options"] == "DENY"
    assert world["chongqing"].slug.upper() + "-2026-001" in second.get_data(as_text=True)


def test_if_none_match_is_answered_with_304(app: Flask, world: dict[str, TenantWorld]) -> None:
    client = app.test_client()
    etag = client.get(TASKS).headers["ETag"]
    again = client.get(TASKS, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag
    assert client.get(TASKS, headers={"If-None-Match": 'W/"other"'}).status_code == 200
    missing = client.get("/p/chongqing/draws/99999", headers={"If-None-Match": "*"})
    assert missing.status_code == 404


def test_each_language_and_each_day_has_its_own_entry(
        app: Flask, world: dict[str, TenantWorld], monkeypatch: pytest.MonkeyPatch) -> None:
    client = app.test_client()
    chinese = client.get(TASKS)
    client.post("/language", data={"lang": "en", "next": TASKS})
    english = client.get(TASKS)
    assert 'lang="zh-CN"' in chinese.get_data(as_text=True)
    assert 'lang="en"' in english.get_data(as_text=True)
    assert english.headers["ETag"] != chinese.headers["ETag"]
    monkeypatch.setattr(responses, "today_in_china", lambda: date(2031, 1, 1))
    tomorrow = client.get(TASKS)
    assert tomorrow.headers["ETag"] != english.headers["ETag"]


def test_a_signed_in_browser_is_not_served_from_the_cache(
        app: Flask, world: dict[str, TenantWorld],
        client_for: Callable[[str | None], FlaskClient]) -> None:
    app.test_client().get(TASKS)  # the public page is now cached
    viewer = client_for("cq_viewer")
    page = viewer.get(TASKS)
    assert page.status_code == 200
    assert "ETag" not in page.headers
    assert page.headers["Cache-Control"] == "private, no-cache"
    assert "cq_viewer" in page.get_data(as_text=True)  # their own header, not the public's


def test_a_visitor_with_a_message_waiting_gets_it(
        app: Flask, world: dict[str, TenantWorld],
        client_for: Callable[[str | None], FlaskClient]) -> None:
    app.test_client().get("/p/chongqing/")  # cached for the public
    client = client_for("cq_viewer")
    client.post("/logout")  # flashes "You have signed out."
    page = client.get("/p/chongqing/").get_data(as_text=True)
    assert "退出" in page or "signed out" in page
    assert 'class="flash' in page


# --- the access check runs first ----------------------------------------------------


def test_api_lists_are_cached_per_caller_after_the_access_check(
        app: Flask, world: dict[str, TenantWorld]) -> None:
    client = app.test_client()
    viewer, operator = _token(app, "cq_viewer"), _token(app, "cq_operator")
    first = client.get(TARGETS, headers=_bearer(viewer))
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "private, max-age=0, must-revalidate"
    assert "Authorization" in first.headers["Vary"]
    hits = store_of(app).stats.hits
    again = client.get(TARGETS, headers=_bearer(viewer))
    assert store_of(app).stats.hits == hits + 1
    assert again.get_json() == first.get_json()
    assert again.headers["X-Pagination"] == first.headers["X-Pagination"]
    # another caller: the same body, under a key (and an ETag) of their own
    other = client.get(TARGETS, headers=_bearer(operator))
    assert other.get_json() == first.get_json()
    assert other.headers["ETag"] != first.headers["ETag"]
    # no token, a role without access, another tenant's viewer: refused although cached
    assert client.get(TARGETS).status_code == 401
    assert client.get(TARGETS, headers=_bearer(_token(app, "cq_inspector"))).status_code == 403
    assert client.get(TARGETS, headers=_bearer(_token(app, "miit_viewer"))).status_code == 403
    # nor does a validator from another caller open the door
    refused = client.get(TARGETS, headers={"If-None-Match": first.headers["ETag"]})
    assert refused.status_code == 401


def test_a_revoked_token_is_refused_at_once(app: Flask, world: dict[str, TenantWorld]) -> None:
    client = app.test_client()
    token = _token(app, "cq_viewer")
    assert client.get(TARGETS, headers=_bearer(token)).status_code == 200
    assert client.get(TARGETS, headers=_bearer(token)).status_code == 200  # from the cache
    with app.extensions["shuangsuiji"].db.session() as s:
        accounts.revoke_token(s, accounts.get_user(s, "cq_viewer"), token[:10])
        s.commit()
    assert client.get(TARGETS, headers=_bearer(token)).status_code == 401


def test_cached_above_the_access_declaration_refuses_to_serve(
        database_url: str, tmp_path: Any) -> None:
    misplaced = Blueprint("misplaced", __name__)

    @misplaced.get("/misplaced/<tenant_slug>")
    @cached
    @allow_public
    def view() -> str:
        return "never"

    app = make_app(database_url, str(tmp_path / "i"))
    app.register_blueprint(misplaced)
    try:
        from shuangsuiji.services import tenants

        platform = app.extensions["shuangsuiji"]
        with platform.db.session() as s:
            tenants.create(s, platform, slug="miit", name="工业和信息化部", pack="miit",
                           level="central")
            s.commit()
        with app.test_request_context("/misplaced/miit"), pytest.raises(CacheMisuse):
            app.full_dispatch_request()
    finally:
        app.extensions["shuangsuiji"].db.dispose()


# --- never stale --------------------------------------------------------------------


def test_a_write_through_the_web_shows_at_once(
        app: Flask, world: dict[str, TenantWorld],
        client_for: Callable[[str | None], FlaskClient]) -> None:
    public = app.test_client()
    before = public.get(TASKS)
    assert "WEB-NEW-1" not in before.get_data(as_text=True)
    created = client_for("cq_operator").post("/t/chongqing/tasks", data=_task_form("WEB-NEW-1"))
    assert created.status_code == 302, created.get_data(as_text=True)[:300]
    after = public.get(TASKS, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert "WEB-NEW-1" in after.get_data(as_text=True)


def test_a_write_through_the_api_shows_at_once(
        app: Flask, world: dict[str, TenantWorld]) -> None:
    client = app.test_client()
    viewer = _bearer(_token(app, "cq_viewer"))
    url = "/api/v1/t/chongqing/tasks"
    before = client.get(url, headers=viewer).get_json()
    client.get(url, headers=viewer)  # cached
    made = client.post(url, headers=_bearer(_token(app, "cq_operator")), json={
        "plan_year": 2026, "code": "API-NEW-1", "title": "接口新建的任务",
        "department": DEPARTMENTS[0], "items": ["SX-001"], "starts_on": "2026-06-01",
        "ends_on": "2026-06-30", "methods": ["on_site"], "ratio_permille": 100,
        "group_count": 1, "inspector_scope": "across_departments"})
    assert made.status_code == 201, made.get_json()
    after = client.get(url, headers=viewer).get_json()
    assert len(after) == len(before) + 1
    assert "API-NEW-1" in {t["code"] for t in after}


def test_a_write_through_the_command_line_shows_at_once(
        app: Flask, world: dict[str, TenantWorld]) -> None:
    client = app.test_client()
    assert "CLI-NEW-1" not in client.get(TASKS).get_data(as_text=True)
    result = app.test_cli_runner().invoke(args=[
        "tasks", "create", "--tenant", "chongqing", "--plan-year", "2026", "--code",
        "CLI-NEW-1", "--title", "命令行新建的任务", "--department", DEPARTMENTS[0],
        "--item", "SX-001", "--starts-on", "2026-06-01", "--ends-on", "2026-06-30",
        "--method", "on_site", "--ratio", "100", "--scope", "across_departments"])
    assert result.exit_code == 0, result.output
    assert "CLI-NEW-1" in client.get(TASKS).get_data(as_text=True)


@pytest.fixture
def second_worker(app: Flask, database_url: str, tmp_path: Any) -> Iterator[Flask]:
    """Another app on the same database: what a second gunicorn worker is."""
    other = make_app(database_url, str(tmp_path / "worker-b"))
    yield other
    other.extensions["shuangsuiji"].db.dispose()


def test_a_write_through_another_worker_shows_at_once(
        app: Flask, second_worker: Flask, world: dict[str, TenantWorld]) -> None:
    reader = second_worker.test_client()
    viewer = _bearer(_token(app, "cq_viewer"))
    page = reader.get(TASKS)
    api = reader.get("/api/v1/t/chongqing/tasks", headers=viewer).get_json()
    reader.get(TASKS)
    assert store_of(second_worker).stats.hits >= 1
    writer = app.test_client()
    login = writer.post("/login", data={"username": "cq_operator",
                                        "password": "correct horse battery"})
    assert login.status_code == 302
    assert writer.post("/t/chongqing/tasks", data=_task_form("WORKER-A-1")).status_code == 302
    assert store_of(second_worker).stats.stored >= 1  # nothing told worker B
    fresh = reader.get(TASKS, headers={"If-None-Match": page.headers["ETag"]})
    assert fresh.status_code == 200
    assert "WORKER-A-1" in fresh.get_data(as_text=True)
    now = reader.get("/api/v1/t/chongqing/tasks", headers=viewer).get_json()
    assert "WORKER-A-1" in {t["code"] for t in now} - {t["code"] for t in api}


def test_a_write_in_another_tenant_leaves_the_page_cached(
        app: Flask, world: dict[str, TenantWorld],
        client_for: Callable[[str | None], FlaskClient]) -> None:
    client = app.test_client()
    etag = client.get(TASKS).headers["ETag"]
    miit = client_for("miit_operator")
    form = _task_form("MIIT-NEW-1")
    assert miit.post("/t/miit/tasks", data=form).status_code == 302
    assert client.get(TASKS, headers={"If-None-Match": etag}).status_code == 304
    assert "MIIT-NEW-1" in client.get("/p/miit/tasks").get_data(as_text=True)
