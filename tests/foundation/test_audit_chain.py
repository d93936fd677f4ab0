"""The audit chain catches tampering: each check of `audit.verify` has a test that changes the
stored chain the way only that check can see (a field, the payload, a deleted event, a
re-hashed event), on the real database, with plain SQL as someone with database access would.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from shuangsuiji.db import audit_guard
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.platform import Platform
from shuangsuiji.services import audit

EVENTS = 5
TAMPERED = 3  # the event changed: a middle one, so later events still link to its old hash


@pytest.fixture
def chain(platform: Platform, tenant_tree: dict[str, int]) -> int:
    """Chongqing's chain with at least :data:`EVENTS` events, intact; returns the tenant id."""
    tenant_id = tenant_tree["chongqing"]
    with platform.db.session() as s:
        for i in range(EVENTS):
            audit.record(s, tenant_id=tenant_id, action="test.note", object_type="note",
                         object_id=i, payload={"n": i, "text": "抽查"}, actor="tester")
        s.commit()
        report = audit.verify(s, tenant_id)
        assert report.ok and report.count >= EVENTS
    return tenant_id


def _tamper(platform: Platform, sql: str, **params: object) -> None:
    with platform.db.session() as s, audit_guard.unaudited(s, "test: tampers with the chain"):
        s.execute(text(sql), params)
        s.commit()


def _verify(platform: Platform, tenant_id: int) -> audit.ChainReport:
    with platform.db.session() as s:
        return audit.verify(s, tenant_id)


def test_an_intact_chain_verifies(platform: Platform, chain: int) -> None:
    report = _verify(platform, chain)
    assert report.ok and report.first_bad_seq is None and report.problem is None


@pytest.mark.parametrize("column, value", [("actor", "someone else"),
                                           ("action", "draw.void"),
                                           ("object_id", "999")])
def test_a_changed_field_is_named_by_its_event(platform: Platform, chain: int, column: str,
                                               value: str) -> None:
    """Only the event-hash check sees this: the payload is untouched, and the next event
    still links to the stored (now stale) hash."""
    _tamper(platform, f"UPDATE audit_events SET {column} = :v WHERE tenant_id = :t AND seq = :q",
            v=value, t=chain, q=TAMPERED)
    report = _verify(platform, chain)
    assert not report.ok
    assert report.first_bad_seq == TAMPERED
    assert report.problem is not None and "fields changed" in report.problem


def test_a_changed_time_is_caught(platform: Platform, chain: int) -> None:
    _tamper(platform, "UPDATE audit_events SET at = :v WHERE tenant_id = :t AND seq = :q",
            v="2020-01-01 00:00:00", t=chain, q=TAMPERED)
    report = _verify(platform, chain)
    assert (report.ok, report.first_bad_seq) == (False, TAMPERED)


def test_a_changed_payload_is_caught(platform: Platform, chain: int) -> None:
    with platform.db.session() as s, audit_guard.unaudited(s, "test: tampers with the chain"):
        event = s.query(AuditEvent).filter_by(tenant_id=chain, seq=TAMPERED).one()
        event.payload = {**event.payload, "n": -1}
        s.commit()
    report = _verify(platform, chain)
    assert (report.ok, report.first_bad_seq) == (False, TAMPERED)
    assert report.problem is not None and "payload" in report.problem


def test_a_deleted_event_is_caught_at_the_gap(platform: Platform, chain: int) -> None:
    _tamper(platform, "DELETE FROM audit_events WHERE tenant_id = :t AND seq = :q",
            t=chain, q=TAMPERED)
    report = _verify(platform, chain)
    assert (report.ok, report.first_bad_seq) == (False, TAMPERED + 1)
    assert report.problem is not None and "deleted" in report.problem


def test_a_rehashed_event_breaks_the_next_link(platform: Platform, chain: int) -> None:
    """Someone who changes an event and recomputes its hash is caught by the next event's
    previous-hash link."""
    with platform.db.session() as s, audit_guard.unaudited(s, "test: tampers with the chain"):
        event = s.query(AuditEvent).filter_by(tenant_id=chain, seq=TAMPERED).one()
        event.actor = "someone else"
        event.hash = audit.event_hash(event)
        s.commit()
    report = _verify(platform, chain)
    assert (report.ok, report.first_bad_seq) == (False, TAMPERED + 1)
    assert report.problem is not None and "link" in report.problem


def test_a_forged_first_link_is_caught(platform: Platform, chain: int) -> None:
    _tamper(platform, "UPDATE audit_events SET prev_hash = :v WHERE tenant_id = :t AND seq = 1",
            v="f" * 64, t=chain)
    report = _verify(platform, chain)
    assert (report.ok, report.first_bad_seq) == (False, 1)


def test_tampering_in_one_tenant_leaves_the_others_chain_intact(
    platform: Platform, chain: int, tenant_tree: dict[str, int],
) -> None:
    _tamper(platform, "UPDATE audit_events SET actor = 'x' WHERE tenant_id = :t AND seq = 1",
            t=chain)
    assert not _verify(platform, chain).ok
    assert _verify(platform, tenant_tree["miit"]).ok


def test_the_actor_is_the_one_given_else_the_sessions_else_system(
    platform: Platform, tenant_tree: dict[str, int],
) -> None:
    tenant_id = tenant_tree["chongqing"]
    with platform.db.session() as s:
        s.info.pop(audit.ACTOR_KEY, None)
        assert audit.record(s, tenant_id=tenant_id, action="test.note", object_type="note",
                            object_id=1).actor == "system"
        audit.set_actor(s, "cq_operator")
        assert audit.record(s, tenant_id=tenant_id, action="test.note", object_type="note",
                            object_id=2).actor == "cq_operator"
        assert audit.record(s, tenant_id=tenant_id, action="test.note", object_type="note",
                            object_id=3, actor="cli:root").actor == "cli:root"
        s.commit()
        assert audit.verify(s, tenant_id).ok


def test_a_naive_time_is_hashed_as_utc_whatever_the_servers_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SQLite hands back naive datetimes (stored in UTC); a server in Asia/Shanghai must hash
    them as UTC too, or every event would fail verification there."""
    import time
    from datetime import UTC, datetime

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        naive = datetime(2026, 3, 1, 8, 30, 0, 123456)
        assert audit._instant(naive) == "2026-03-01T08:30:00.123456Z"
        assert audit._instant(naive.replace(tzinfo=UTC)) == "2026-03-01T08:30:00.123456Z"
    finally:
        monkeypatch.undo()
        time.tzset()
