"""What the selections' keys refuse, on every database: a selection naming a missing draw or
target, a draw of another task, deleting or re-keying a target or draw that a selection names.
On PostgreSQL these are the statement-level checks of db/selection_checks.py instead of two
foreign keys; there they also refuse another tenant's target, TRUNCATE, and a concurrent
delete of a target while a draw's selections are being written."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, insert, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from shuangsuiji.db import selection_checks
from shuangsuiji.db.session import make_engine
from shuangsuiji.models.draws import Draw
from shuangsuiji.platform import Platform
from shuangsuiji.services import draws
from tests.conftest import TEST_URL
from tests.draws.test_announcements import tenant_session

POSTGRES_ONLY = pytest.mark.skipif(
    not TEST_URL.startswith("postgresql"),
    reason="the statement-level checks are PostgreSQL's; elsewhere the keys are built in")
_INSERT = ("INSERT INTO draw_selections (tenant_id, draw_id, task_id, target_id, credit_code,"
           " stratum, position) VALUES (:tenant, :draw, :task, :target, :code, 'general', 999)")


_FREE = ("NOT EXISTS (SELECT 1 FROM target_flags f WHERE f.target_id = t.id) AND NOT EXISTS "
         "(SELECT 1 FROM target_credit_classes c WHERE c.target_id = t.id)")


@pytest.fixture
def drawn(platform: Platform, make_task: Callable[..., str]) -> dict[str, Any]:
    """A committed draw of MIIT, a target of Chongqing, and targets with nothing else naming
    them (no flag, no class: only the selections' key can stand in the way of a delete)."""
    code = make_task("miit")
    with tenant_session(platform, "miit") as (s, t):
        record = draws.draw(s, platform, t, code, seed="keys")
        facts = {"tenant": t.id, "draw": record.id, "task": record.task_id}
    make_task("chongqing")
    with platform.db.engine.connect() as conn:
        facts["selected"] = conn.execute(text(
            f"SELECT t.id FROM targets t WHERE {_FREE} AND EXISTS (SELECT 1 FROM "
            "draw_selections s WHERE s.target_id = t.id AND s.draw_id = :d) ORDER BY t.id "
            "LIMIT 1"), {"d": facts["draw"]}).scalar_one()
        facts["unselected"], facts["code"] = conn.execute(text(
            f"SELECT id, credit_code FROM targets t WHERE tenant_id = :t AND {_FREE} AND NOT "
            "EXISTS (SELECT 1 FROM draw_selections s WHERE s.target_id = t.id) ORDER BY id "
            "LIMIT 1"), {"t": facts["tenant"]}).one()
        facts["foreign"] = conn.execute(text(
            "SELECT t.id FROM targets t JOIN tenants n ON n.id = t.tenant_id "
            "WHERE n.slug = 'chongqing' ORDER BY t.id LIMIT 1")).scalar_one()
        facts["max_target"] = conn.execute(text("SELECT max(id) FROM targets")).scalar_one()
    return facts


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine of its own (no audit guard: every change here is rolled back, but for the
    concurrency test's, which it undoes)."""
    made = make_engine(database_url)
    yield made
    made.dispose()


def _refused(conn: Connection, sql: str, params: dict[str, Any], key: str) -> None:
    with pytest.raises(IntegrityError) as caught, conn.begin_nested():
        conn.execute(text(sql), params)
    if conn.dialect.name == "postgresql":  # the old constraint's name, as the built-in key said
        assert key in str(caught.value)


def _row(facts: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {"tenant": facts["tenant"], "draw": facts["draw"], "task": facts["task"],
            "target": facts["unselected"], "code": facts["code"], **changes}


def _bare_draw(conn: Connection, facts: dict[str, Any]) -> int:
    """A draw row nothing but a selection names (a real draw has its pool, bundle files …)."""
    return int(conn.execute(insert(Draw).values(
        tenant_id=facts["tenant"], task_id=facts["task"], attempt=99, seed="bare",
        seed_source="generated", witnesses=[], inspection_date=date(2026, 4, 1),
        pool_digest="0" * 64, bundle_digest="0" * 64, pool_size=0, excluded_count=0,
        selected_count=1, rules_pack="miit", rules_version="2018", bundle={}, actor="test",
        drawn_at=datetime.now(UTC)).returning(Draw.id)).scalar_one())


def test_each_violation_is_refused(drawn: dict[str, Any], engine: Engine) -> None:
    draw_key, target_key = selection_checks.DRAW_KEY, selection_checks.TARGET_KEY
    with engine.connect() as conn:
        conn.begin()
        bare = _bare_draw(conn, drawn)
        # the well-formed row is accepted: each refusal below is for its one change only
        with conn.begin_nested():
            conn.execute(text(_INSERT), _row(drawn, draw=bare))
        _refused(conn, _INSERT, _row(drawn, draw=bare + 1000, code="X"), draw_key)
        _refused(conn, _INSERT, _row(drawn, task=drawn["task"] + 1000, code="X"), draw_key)
        _refused(conn, _INSERT, _row(drawn, target=drawn["max_target"] + 1000, code="X"),
                 target_key)
        _refused(conn, "UPDATE draw_selections SET target_id = :t WHERE draw_id = :d",
                 {"t": drawn["max_target"] + 1000, "d": bare}, target_key)
        _refused(conn, "UPDATE draw_selections SET task_id = :t WHERE draw_id = :d",
                 {"t": drawn["task"] + 1000, "d": bare}, draw_key)
        # what the selections name cannot go away or change its key
        _refused(conn, "DELETE FROM targets WHERE id = :t", {"t": drawn["selected"]}, target_key)
        _refused(conn, "DELETE FROM targets WHERE id = :t", {"t": drawn["unselected"]},
                 target_key)
        _refused(conn, "UPDATE targets SET id = :new WHERE id = :t",
                 {"new": drawn["max_target"] + 1000, "t": drawn["selected"]}, target_key)
        _refused(conn, "DELETE FROM draws WHERE id = :d", {"d": bare}, draw_key)
        _refused(conn, "UPDATE draws SET id = :new WHERE id = :d", {"new": bare + 1000, "d": bare},
                 draw_key)
        # once nothing names them, they may
        conn.execute(text("DELETE FROM draw_selections WHERE draw_id = :d"), {"d": bare})
        with conn.begin_nested():
            assert conn.execute(text("DELETE FROM targets WHERE id = :t"),
                                {"t": drawn["unselected"]}).rowcount == 1
            assert conn.execute(text("DELETE FROM draws WHERE id = :d"), {"d": bare}).rowcount == 1
        conn.rollback()


@pytest.mark.postgres
@POSTGRES_ONLY
def test_postgresql_refuses_another_tenants_target_and_truncate(
        drawn: dict[str, Any], engine: Engine) -> None:
    with engine.connect() as conn:
        assert selection_checks.installed(conn) == set(selection_checks.TRIGGERS)
        fks = {n for (n,) in conn.execute(text(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'draw_selections'::regclass "
            "AND contype = 'f'"))}
        assert not fks & {selection_checks.DRAW_KEY, selection_checks.TARGET_KEY}
        _refused(conn, _INSERT, _row(drawn, target=drawn["foreign"]), selection_checks.TARGET_KEY)
        for table in ("targets", "draws"):
            with pytest.raises(DBAPIError, match="cannot truncate"), conn.begin_nested():
                conn.exec_driver_sql(f"TRUNCATE {table} CASCADE")
        conn.rollback()


@pytest.mark.postgres
@POSTGRES_ONLY
def test_postgresql_refuses_deletes_under_repeatable_read(
        drawn: dict[str, Any], engine: Engine) -> None:
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        with pytest.raises(DBAPIError, match="REPEATABLE READ"):
            conn.execute(text("DELETE FROM targets WHERE id = :t"), {"t": drawn["selected"]})
        conn.rollback()


@pytest.mark.postgres
@POSTGRES_ONLY
def test_postgresql_a_delete_waits_for_the_draws_selections(
        drawn: dict[str, Any], engine: Engine) -> None:
    """The targets are not locked row by row: the tenant's advisory lock makes a concurrent
    delete of a target wait until the selections naming it commit, and then refuses it
    (without the lock the delete would not see the uncommitted rows and both would commit)."""
    with engine.connect() as writer:
        writer.begin()
        writer.execute(text(_INSERT), _row(drawn))  # names the unselected target, uncommitted
        outcome: dict[str, Any] = {}

        def delete() -> None:
            with engine.connect() as other:
                other.exec_driver_sql("SET lock_timeout = '20s'")
                try:
                    other.execute(text("DELETE FROM targets WHERE id = :t"),
                                  {"t": drawn["unselected"]})
                    other.commit()
                    outcome["deleted"] = True
                except DBAPIError as exc:
                    outcome["error"] = exc
                    other.rollback()
                outcome["at"] = time.monotonic()

        thread = threading.Thread(target=delete)
        thread.start()
        time.sleep(1.0)
        assert "at" not in outcome, "the delete did not wait for the selections' transaction"
        committed = time.monotonic()
        writer.commit()
        thread.join(30)
        assert not thread.is_alive()
        assert "deleted" not in outcome
        assert isinstance(outcome["error"], IntegrityError)
        assert selection_checks.TARGET_KEY in str(outcome["error"])
        assert outcome["at"] >= committed
        writer.execute(text("DELETE FROM draw_selections WHERE position = 999"))
        writer.commit()
