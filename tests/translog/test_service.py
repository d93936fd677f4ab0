"""The log kept by the audit service: stored nodes give the reference proofs; checkpoints."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shuangsuiji.kernel import merkle, note
from shuangsuiji.models.audit import AuditEvent, LogCheckpoint
from shuangsuiji.services import audit, translog


def _events(session: Session, tenant_id: int, n: int) -> None:
    for i in range(n):
        audit.record(session, tenant_id=tenant_id, action="test.event", object_type="t",
                     object_id=i, payload={"i": i, "名": "值"})
    session.commit()


def test_every_event_is_a_leaf_and_proofs_equal_the_reference(
        session: Session, tenant_tree: dict[str, int]) -> None:
    tid = tenant_tree["yuzhong"]
    before = translog.size(session, tid)
    _events(session, tid, 21)
    n = translog.size(session, tid)
    assert n == before + 21 == audit.count(session, tid)
    leaves, seqs = translog.recomputed_leaves(session, tid)
    assert seqs == list(range(1, n + 1))
    assert [translog.leaf_hash(session, tid, i) for i in range(n)] == leaves
    assert translog.root(session, tid) == merkle.root(leaves)
    for size in (1, 2, 7, 8, 13, n):
        assert translog.root(session, tid, size) == merkle.root(leaves[:size])
        for index in range(size):
            assert translog.inclusion(session, tid, index, size) == \
                merkle.inclusion_proof(leaves[:size], index)
        for old in range(1, size + 1):
            assert translog.consistency(session, tid, old, size) == \
                merkle.consistency_proof(leaves[:size], old)
    # stored nodes: n leaves and n - popcount(n) interior nodes, 32 bytes each
    stored = sum(len(b or b"") for b in session.scalars(
        select(AuditEvent.log_nodes).where(AuditEvent.tenant_id == tid)))
    assert stored == 32 * (2 * n - bin(n).count("1"))


def test_leaf_bytes_name_the_tenant(session: Session, tenant_tree: dict[str, int]) -> None:
    tid = tenant_tree["yuzhong"]
    event = audit.record(session, tenant_id=tid, action="test.event", object_type="t",
                         object_id="x", payload={}, actor="张三")
    data = translog.leaf_bytes(event, "yuzhong")
    assert data.startswith(b"shuangsuiji-event/1\n{\"action\":\"test.event\",\"actor\":\"\xe5")
    assert b'"tenant":"yuzhong"' in data
    assert translog.leaf_bytes(event, "chongqing") != data


def test_checkpoint_issued_once_per_size_and_verifies(
        session: Session, tenant_tree: dict[str, int], platform: Any) -> None:
    tid = tenant_tree["chongqing"]
    first = translog.checkpoint(session, tid)
    session.commit()
    assert translog.checkpoint(session, tid) == first
    verifiers = platform.log_keys.verifiers()
    cp, _ = note.open_checkpoint(first, verifiers, origin="shuangsuiji.localhost/chongqing")
    assert cp.size == translog.size(session, tid) and cp.root == translog.root(session, tid)
    _events(session, tid, 3)
    second = translog.checkpoint(session, tid)
    session.commit()
    cp2, _ = note.open_checkpoint(second, verifiers)
    assert cp2.size == cp.size + 3
    assert merkle.verify_consistency(cp.size, cp2.size, cp.root, cp2.root,
                                     translog.consistency(session, tid, cp.size, cp2.size))
    assert session.scalar(select(func.count()).select_from(LogCheckpoint)
                          .where(LogCheckpoint.tenant_id == tid)) == 2
