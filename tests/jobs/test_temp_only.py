"""db/temp_only.py: which transactions a job may write its progress beside on SQLite.

These fail if a transaction that may have read the database is ever taken for one that has
touched only temporary tables (the job's own write would then fail with
SQLITE_BUSY_SNAPSHOT), or if SQLite's behaviour the module relies on is not what it says.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import OperationalError

from shuangsuiji.db import temp_only
from shuangsuiji.db.audit_guard import unaudited
from shuangsuiji.models.jobs import Job
from shuangsuiji.platform import Platform
from shuangsuiji.services import jobs


def _job(platform: Platform, tenant_id: int) -> int:
    with platform.db.session(tenant_id) as s:
        job = jobs.submit(s, tenant_id, "import", {"directory": "targets", "filename": "t.csv"},
                          actor="cq_operator", files={"input": ("t.csv", b"x")})
        s.commit()
        return job.id


def test_only_a_transaction_begun_for_temporary_work_is_marked(
        platform: Platform, tenant_tree: dict[str, int]) -> None:
    cq = tenant_tree["chongqing"]
    with platform.db.session(cq) as s:
        assert not temp_only.may_hold_snapshot(s)  # no transaction at all
        temp_only.connection(s)
        assert not temp_only.may_hold_snapshot(s)
        temp_only.end(s)
        assert temp_only.may_hold_snapshot(s)
        s.rollback()
        # a transaction already open (it has read the database) is not marked
        s.scalar(select(Job.id).limit(1))
        temp_only.connection(s)
        assert temp_only.may_hold_snapshot(s)
        s.rollback()
        # a mark never outlives its transaction
        temp_only.connection(s)
        s.rollback()
        s.scalar(select(Job.id).limit(1))
        assert temp_only.may_hold_snapshot(s)


def test_sqlite_temp_only_transaction_writes_after_another_commit(
        platform: Platform, tenant_tree: dict[str, int]) -> None:
    """What the module relies on, on the project's own engine (WAL, explicit BEGIN): a
    transaction that has only written a temporary table writes the database after another
    connection committed; one that had read the database cannot."""
    if platform.db.dialect != "sqlite":
        pytest.skip("SQLite's snapshots only")
    cq = tenant_tree["chongqing"]
    job_id = _job(platform, cq)

    def beside(phase: str) -> None:
        with platform.db.engine.begin() as conn:
            conn.execute(update(Job).where(Job.id == job_id).values(phase=phase))

    with platform.db.session(cq) as s, unaudited(s, "a temporary table of the test's own"):
        conn = temp_only.connection(s)
        conn.exec_driver_sql("CREATE TEMPORARY TABLE ssj_test_stage (n INTEGER)")
        conn.exec_driver_sql("INSERT INTO ssj_test_stage VALUES (1), (2)")
        beside("reading")
        temp_only.end(s)
        conn.execute(update(Job).where(Job.id == job_id).values(done=2))
        s.commit()
    with platform.db.session(cq) as s:
        assert s.execute(select(Job.phase, Job.done).where(Job.id == job_id)).one() == (
            "reading", 2)
        s.scalar(select(Job.id).limit(1))  # a read: this transaction has a snapshot now
        assert temp_only.may_hold_snapshot(s)
        beside("writing")
        with pytest.raises(OperationalError):
            s.execute(update(Job).where(Job.id == job_id).values(done=3))
        s.rollback()
        assert s.scalar(text("SELECT done FROM jobs WHERE id = :i"), {"i": job_id}) == 2
