"""An API token's ``last_used_at`` is bookkeeping: refreshed at most every few minutes, in its
own short transaction, never by the request's (read) session. Writing it on every request
made concurrent token requests fail on SQLite with "database is locked"."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import event, select, update

from shuangsuiji.db.base import utcnow
from shuangsuiji.models.accounts import ApiToken
from shuangsuiji.services import accounts


def _issue(app: Flask) -> str:
    platform = app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        issued = accounts.issue_token(s, accounts.get_user(s, "cq_viewer"), "bookkeeping")
        s.commit()
    return issued.token


def _last_used(app: Flask) -> Any:
    with app.extensions["shuangsuiji"].db.session() as s:
        return s.scalar(select(ApiToken.last_used_at).where(ApiToken.name == "bookkeeping"))


def test_last_used_is_written_once_per_precision_window(app: Flask, users: Any) -> None:
    token = _issue(app)
    engine = app.extensions["shuangsuiji"].db.engine
    updates: list[str] = []

    def count(_conn: Any, _cur: Any, statement: str, *_args: Any) -> None:
        # The service's guarded UPDATE (not the test's own, below).
        if statement.lstrip().upper().startswith("UPDATE API_TOKENS") and "IS NULL" in statement:
            updates.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        client = app.test_client()
        auth = {"Authorization": f"Bearer {token}"}
        for _ in range(3):
            assert client.get("/t/chongqing/", headers=auth).status_code == 200
        assert len(updates) == 1
        first = _last_used(app)
        assert first is not None

        # Older than the precision: the next request refreshes it (once).
        aged = utcnow() - accounts.LAST_USED_PRECISION - timedelta(seconds=1)
        with app.extensions["shuangsuiji"].db.session() as s:
            s.execute(update(ApiToken).where(ApiToken.name == "bookkeeping")
                      .values(last_used_at=aged))
            s.commit()
        stale = _last_used(app)
        for _ in range(2):
            assert client.get("/t/chongqing/", headers=auth).status_code == 200
        assert len(updates) == 2
        assert _last_used(app) > stale
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_resolving_a_token_writes_only_its_bookkeeping(app: Flask, users: Any) -> None:
    token = _issue(app)
    platform = app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        s.scalar(select(ApiToken.id))  # a read transaction of the caller's, left open
        caller = accounts.caller_from_token(platform.db.engine, token)
        assert caller is not None and caller.username == "cq_viewer"
        assert not s.dirty and not s.new
    assert _last_used(app) is not None  # written in its own transaction
