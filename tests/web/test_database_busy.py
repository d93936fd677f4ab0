""""database is locked" is never a 500 (#13.6). On SQLite (the demo: several workers, one
file) sign-ins write nothing in their request's transaction, so parallel sign-ins and
sign-ins while a draw holds the write lock all succeed at once; their bookkeeping
(``last_login_at``, a token's last use) is skipped when the database is busy. A write that
cannot get the lock within the busy timeout is a 503 with Retry-After and a message, and
changes nothing.

Against a real HTTP server (werkzeug's, threaded), not the test client, so the requests are
truly concurrent."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from shuangsuiji.db import session as db_session_module
from shuangsuiji.models.accounts import User
from shuangsuiji.services import accounts
from tests.web.conftest import ACCOUNTS, PASSWORD, login


@pytest.fixture
def sqlite_path(database_url: str) -> str:
    if not database_url.startswith("sqlite:///"):
        pytest.skip("the lock is SQLite's (the demo's database)")
    return database_url.removeprefix("sqlite:///")


@pytest.fixture
def server(app: Flask, users: dict[str, int], sqlite_path: str) -> Iterator[str]:
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join(5)


def _login(base: str, username: str) -> tuple[int, float]:
    started = time.monotonic()
    response = requests.post(f"{base}/login", data={"username": username,
                                                    "password": PASSWORD},
                             allow_redirects=False, timeout=30)
    return response.status_code, time.monotonic() - started


class HeldLock:
    """A writer holding SQLite's write lock as a draw does (BEGIN IMMEDIATE), writing."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)

    def __enter__(self) -> HeldLock:
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("UPDATE tenants SET name = name")
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.conn.execute("COMMIT")
        self.conn.close()


def test_parallel_sign_ins_never_fail(server: str) -> None:
    names = [n for n in ACCOUNTS] * 2
    with ThreadPoolExecutor(len(names)) as pool:
        results = list(pool.map(lambda n: _login(server, n), names))
    assert [code for code, _ in results] == [302] * len(names)


def test_sign_ins_during_a_draw_succeed_at_once(server: str, sqlite_path: str,
                                                app: Flask) -> None:
    with app.extensions["shuangsuiji"].db.session() as s:
        token = accounts.issue_token(s, accounts.get_user(s, "cq_viewer"), "busy").token
        s.commit()
    names = list(ACCOUNTS)
    with HeldLock(sqlite_path), ThreadPoolExecutor(len(names) + 1) as pool:
        api = pool.submit(requests.get, f"{server}/api/v1/t/chongqing/targets",
                          headers={"Authorization": f"Bearer {token}"}, timeout=30)
        results = list(pool.map(lambda n: _login(server, n), names))
        api_status = api.result().status_code
        held_until = time.monotonic()
    assert [code for code, _ in results] == [302] * len(names)
    assert api_status == 200
    # none waited for the lock (the busy timeout is 15 s; argon2 takes a fraction of one)
    assert max(elapsed for _, elapsed in results) < 10
    assert held_until  # the lock was released only after every request had answered
    # after the lock: sign-ins write their bookkeeping again
    code, _ = _login(server, "cq_admin")
    assert code == 302
    with app.extensions["shuangsuiji"].db.session() as s:
        user = s.scalar(select(User).where(User.username == "cq_admin"))
        assert user is not None and user.last_login_at is not None


def test_a_write_that_cannot_get_the_lock_is_a_503_and_changes_nothing(
    app: Flask, users: dict[str, int], sqlite_path: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(db_session_module, "SQLITE_BUSY_TIMEOUT_MS", 100)
    app.extensions["shuangsuiji"].db.engine.dispose()  # new connections: the short timeout
    client = app.test_client()
    assert login(client, "cq_admin").status_code == 302
    form = {"username": "newcomer", "password": "violet-harbour-lantern-77",
            "role": "viewer", "tenant": "chongqing"}
    with HeldLock(sqlite_path):
        refused = client.post("/t/chongqing/users", data=form)
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "2"
    assert "数据库正忙" in refused.get_data(as_text=True)
    with app.extensions["shuangsuiji"].db.session() as s:
        assert s.scalar(select(User).where(User.username == "newcomer")) is None
    assert client.post("/t/chongqing/users", data=form).status_code == 302  # lock gone
