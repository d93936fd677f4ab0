"""The audit guard (on for every test): a transaction that changes a tenant's data without
appending to that tenant's audit chain does not commit. The response cache rests on it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select, update

from shuangsuiji.db import audit_guard, set_tenant
from shuangsuiji.db.audit_guard import UnauditedWrite, Write, classify, unaudited_writes
from shuangsuiji.models.accounts import ApiToken
from shuangsuiji.models.directories import Item
from shuangsuiji.platform import Platform
from shuangsuiji.services import accounts, audit


def _item(code: str) -> Item:
    return Item(code=code, name=f"事项{code}", category="general")


def _items(platform: Platform, tenant_id: int) -> int:
    with platform.db.session(tenant_id) as s:
        return s.scalar(select(func.count(Item.id))) or 0


def test_a_write_without_an_audit_event_does_not_commit(
        platform: Platform, tenant_tree: dict[str, int]) -> None:
    cq = tenant_tree["chongqing"]
    with platform.db.session(cq) as s:
        s.add(_item("G-1"))
        with pytest.raises(UnauditedWrite, match="INSERT items of tenant"):
            s.commit()
    assert _items(platform, cq) == 0


def test_a_write_with_its_tenants_audit_event_commits(
        platform: Platform, tenant_tree: dict[str, int]) -> None:
    cq = tenant_tree["chongqing"]
    with platform.db.session(cq) as s:
        s.add(_item("G-1"))
        s.flush()
        audit.record(s, tenant_id=cq, action="item.create", object_type="item",
                     object_id="G-1")
        s.commit()
    assert _items(platform, cq) == 1


def test_an_event_in_another_tenants_chain_does_not_cover_the_write(
        platform: Platform, tenant_tree: dict[str, int]) -> None:
    cq, miit = tenant_tree["chongqing"], tenant_tree["miit"]
    with platform.db.session(cq) as s:
        s.add(_item("G-1"))
        s.flush()
        audit.record(s, tenant_id=miit, action="item.create", object_type="item",
                     object_id="G-1")
        with pytest.raises(UnauditedWrite):
            s.commit()
    with platform.db.session(cq) as s:  # an UPDATE: its tenant is the session's
        audit.record(s, tenant_id=cq, action="item.create", object_type="item",
                     object_id="G-2")
        s.add(_item("G-2"))
        s.commit()
        s.execute(update(Item).values(name="改"))
        audit.record(s, tenant_id=miit, action="item.rename", object_type="item",
                     object_id="G-2")
        with pytest.raises(UnauditedWrite, match="UPDATE items SET name"):
            s.commit()


def test_core_statements_are_seen_too(platform: Platform, tenant_tree: dict[str, int]) -> None:
    cq = tenant_tree["chongqing"]
    with platform.db.engine.connect() as conn:
        conn.execute(insert(Item.__table__).values(tenant_id=cq, code="C-1", name="x",
                                                   category="general"))
        with pytest.raises(UnauditedWrite):
            conn.commit()
    assert _items(platform, cq) == 0


def test_an_event_in_a_rolled_back_savepoint_does_not_count(
        platform: Platform, tenant_tree: dict[str, int]) -> None:
    cq = tenant_tree["chongqing"]
    with platform.db.session(cq) as s:
        s.add(_item("S-1"))
        s.flush()
        nested = s.begin_nested()
        audit.record(s, tenant_id=cq, action="item.create", object_type="item",
                     object_id="S-1")
        nested.rollback()
        with pytest.raises(UnauditedWrite):
            s.commit()


def test_token_bookkeeping_needs_no_event_but_revoking_does(
        platform: Platform, tenant_tree: dict[str, int]) -> None:
    with platform.db.session() as s:
        user = accounts.create_user(s, username="v", password="correct horse battery",
                                    role="viewer", tenant="chongqing")
        accounts.issue_token(s, user)
        s.commit()
    with platform.db.engine.connect() as conn:
        conn.execute(update(ApiToken).values(last_used_at=func.current_timestamp()))
        conn.commit()  # bookkeeping: allowed
        conn.execute(update(ApiToken).values(revoked_at=func.current_timestamp()))
        with pytest.raises(UnauditedWrite, match="UPDATE api_tokens SET revoked_at"):
            conn.commit()


def test_a_fixture_may_say_it_writes_by_hand(platform: Platform,
                                             tenant_tree: dict[str, int]) -> None:
    cq = tenant_tree["chongqing"]
    with platform.db.session() as s, audit_guard.unaudited(s, "test fixture"):
        set_tenant(s, cq)
        s.add(_item("F-1"))
        s.commit()
    assert _items(platform, cq) == 1


@pytest.mark.parametrize(("sql", "expected"), [
    ("INSERT INTO targets (tenant_id, name) VALUES (?, ?)", ("INSERT", "targets", frozenset())),
    ('INSERT INTO "targets" (name) VALUES (%(name)s) RETURNING targets.id',
     ("INSERT", "targets", frozenset())),
    ("INSERT OR REPLACE INTO items (code) VALUES (?)", ("INSERT", "items", frozenset())),
    ("UPDATE api_tokens SET last_used_at=%(last_used_at)s WHERE api_tokens.id = %(id_1)s",
     ("UPDATE", "api_tokens", frozenset({"last_used_at"}))),
    ("UPDATE `users` SET `last_login_at`=%s, `password_hash`=%s WHERE `users`.`id` = %s",
     ("UPDATE", "users", frozenset({"last_login_at", "password_hash"}))),
    ("DELETE FROM target_flags WHERE target_flags.id = ?", ("DELETE", "target_flags",
                                                            frozenset())),
    ("SELECT * FROM targets", None),
    ("BEGIN IMMEDIATE", None),
])
def test_statements_are_classified_on_every_database(
        sql: str, expected: tuple[str, str, frozenset[str]] | None) -> None:
    assert classify(sql) == expected


def test_what_may_change_without_an_event() -> None:
    bookkeeping = Write("api_tokens", "UPDATE", None, frozenset({"last_used_at"}))
    sign_in = Write("users", "UPDATE", None, frozenset({"last_login_at", "password_hash"}))
    nonce = Write("users", "UPDATE", None, frozenset({"password_hash", "session_nonce"}))
    new_user = Write("users", "INSERT", None)
    assert unaudited_writes([bookkeeping, sign_in], [], None) == []
    assert unaudited_writes([nonce, new_user], [], None) == [nonce, new_user]
    assert unaudited_writes([nonce, new_user], [7], None) == []
