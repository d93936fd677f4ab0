"""A token's caller is read in one statement on a driver connection, on every request.

A response served from the cache makes no ORM session and sends no statement through
SQLAlchemy; and since nothing about the caller is kept between requests, a change to the
account — disabled through the service, a role granted, a role withdrawn or narrowed in the
database by hand — decides the very next request, cached response or not.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, event, select, update

from shuangsuiji.caching.responses import store_of
from shuangsuiji.db import audit_guard
from shuangsuiji.models.accounts import RoleGrant, User
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.services import accounts, callers
from tests.web.conftest import DEPARTMENTS, TenantWorld

TARGETS = "/api/v1/t/chongqing/targets?page_size=5"


def _bearer(app: Flask, username: str) -> dict[str, str]:
    with app.extensions["shuangsuiji"].db.session() as s:
        token = accounts.issue_token(s, accounts.get_user(s, username), name="caller test")
        s.commit()
    return {"Authorization": f"Bearer {token.token}"}


class _Watch:
    """ORM sessions the app makes and statements SQLAlchemy sends, while watched."""

    def __init__(self) -> None:
        self.sessions = 0
        self.statements: list[str] = []


@pytest.fixture
def watch(app: Flask) -> Iterator[_Watch]:
    platform = app.extensions["shuangsuiji"]
    found, made = _Watch(), platform.db.sessionmaker

    def counting(*args: Any, **kwargs: Any) -> Any:
        found.sessions += 1
        return made(*args, **kwargs)

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        found.statements.append(statement)

    platform.db.sessionmaker = counting
    event.listen(platform.db.engine, "before_cursor_execute", note)
    try:
        yield found
    finally:
        event.remove(platform.db.engine, "before_cursor_execute", note)
        platform.db.sessionmaker = made


def _hits(app: Flask) -> int:
    return store_of(app).stats.hits


def test_a_cached_api_response_makes_no_orm_session(
        app: Flask, world: dict[str, TenantWorld], watch: _Watch) -> None:
    client, auth = app.test_client(), _bearer(app, "cq_viewer")
    watch.sessions = 0
    first = client.get(TARGETS, headers=auth)
    assert first.status_code == 200
    assert watch.sessions == 1  # rendered: the view's queries
    watch.sessions, watch.statements = 0, []
    hits = _hits(app)
    again = client.get(TARGETS, headers=auth)
    assert again.status_code == 200 and _hits(app) == hits + 1
    assert again.get_json() == first.get_json()
    # the tenant and the caller were read on driver connections, nothing else
    assert watch.sessions == 0
    assert watch.statements == []


def test_a_token_of_an_account_disabled_after_a_cached_response_is_refused(
        app: Flask, world: dict[str, TenantWorld]) -> None:
    client, auth = app.test_client(), _bearer(app, "cq_viewer")
    assert client.get(TARGETS, headers=auth).status_code == 200
    assert client.get(TARGETS, headers=auth).status_code == 200  # from the cache
    with app.extensions["shuangsuiji"].db.session() as s:
        accounts.set_active(s, accounts.get_user(s, "cq_viewer"), False)
        s.commit()
    assert client.get(TARGETS, headers=auth).status_code == 401
    with app.extensions["shuangsuiji"].db.session() as s:
        accounts.set_active(s, accounts.get_user(s, "cq_viewer"), True)
        s.commit()
    assert client.get(TARGETS, headers=auth).status_code == 200


def test_a_role_granted_is_seen_at_once(app: Flask, world: dict[str, TenantWorld]) -> None:
    client, auth = app.test_client(), _bearer(app, "cq_inspector")
    assert client.get(TARGETS, headers=auth).status_code == 403
    with app.extensions["shuangsuiji"].db.session() as s:
        accounts.grant(s, accounts.get_user(s, "cq_inspector"), role="viewer",
                       tenant="chongqing")
        s.commit()
    assert client.get(TARGETS, headers=auth).status_code == 200


def test_a_role_withdrawn_in_the_database_is_refused_at_once(
        app: Flask, world: dict[str, TenantWorld]) -> None:
    """An emergency edit by hand moves no audit chain, so the cached response stays keyed
    the same: only reading the grants on every request refuses the caller."""
    client, auth = app.test_client(), _bearer(app, "cq_viewer")
    assert client.get(TARGETS, headers=auth).status_code == 200
    assert client.get(TARGETS, headers=auth).status_code == 200  # from the cache
    with (app.extensions["shuangsuiji"].db.session() as s,
          audit_guard.unaudited(s, "test: a role withdrawn with SQL by hand")):
        uid = s.scalar(select(User.id).where(User.username == "cq_viewer"))
        s.execute(delete(RoleGrant).where(RoleGrant.user_id == uid))
        s.commit()
    assert client.get(TARGETS, headers=auth).status_code == 403


def test_a_grant_narrowed_in_the_database_changes_the_callers_key(
        app: Flask, world: dict[str, TenantWorld]) -> None:
    client, auth = app.test_client(), _bearer(app, "cq_viewer")
    first = client.get(TARGETS, headers=auth)
    assert first.status_code == 200
    with (app.extensions["shuangsuiji"].db.session() as s,
          audit_guard.unaudited(s, "test: a grant narrowed with SQL by hand")):
        uid = s.scalar(select(User.id).where(User.username == "cq_viewer"))
        s.execute(update(RoleGrant).where(RoleGrant.user_id == uid)
                  .values(department=DEPARTMENTS[0]))
        s.commit()
    again = client.get(TARGETS, headers=auth)
    assert again.status_code == 200
    assert again.headers["ETag"] != first.headers["ETag"]  # another caller's entry


def test_an_api_write_names_the_tokens_user_as_actor(
        app: Flask, world: dict[str, TenantWorld]) -> None:
    response = app.test_client().post(
        "/api/v1/t/chongqing/tasks", headers=_bearer(app, "cq_operator"),
        json={"plan_year": 2026, "code": "ACTOR-1", "title": "谁写的", "department":
              DEPARTMENTS[0], "items": ["SX-001"], "starts_on": "2026-06-01",
              "ends_on": "2026-06-30", "methods": ["on_site"], "ratio_permille": 100,
              "group_count": 1, "inspector_scope": "across_departments"})
    assert response.status_code == 201, response.get_json()
    with app.extensions["shuangsuiji"].db.session() as s:
        event_ = s.scalars(select(AuditEvent).where(AuditEvent.object_id == "ACTOR-1")).first()
        assert event_ is not None and event_.actor == "cq_operator"


def test_the_orm_user_of_a_caller_is_attached_without_a_query(
        app: Flask, world: dict[str, TenantWorld], watch: _Watch) -> None:
    engine = app.extensions["shuangsuiji"].db.engine
    token = _bearer(app, "cq_inspector")["Authorization"].split()[1]
    caller = accounts.caller_from_token(engine, token)
    assert caller is not None and caller.username == "cq_inspector"
    assert [(g.role, g.inspector_code) for g in caller.grants] == [
        ("inspector", world["chongqing"].inspector_code)]
    assert accounts.roles_in(caller, world["chongqing"].tenant_id) == {"inspector"}
    with app.extensions["shuangsuiji"].db.session() as s:
        watch.statements = []
        user = callers.attach(s, caller)
        assert [(g.role, g.tenant_id) for g in user.grants] == [
            ("inspector", world["chongqing"].tenant_id)]
        assert user.active and user.username == "cq_inspector"
        assert watch.statements == []
        assert user.password_hash.startswith("$argon2")  # not carried: read when used
        assert s.get(User, caller.id) is user and not s.dirty and not s.new
        assert callers.attach(s, caller) is user
        assert callers.of_user(user) == caller


def test_no_caller_for_an_unknown_or_malformed_token(app: Flask, users: Any) -> None:
    engine = app.extensions["shuangsuiji"].db.engine
    assert accounts.caller_from_token(engine, "ssj_not-a-token") is None
    assert accounts.caller_from_token(engine, "Bearer nonsense") is None
    client = app.test_client()
    for header in ("Bearer ssj_not-a-token", "Basic abc", "Bearer "):
        assert client.get(TARGETS, headers={"Authorization": header}).status_code == 401
