"""Background jobs: a job runs and commits with its state; progress is visible while it runs;
a killed worker leaves the job failed and nothing imported; retry; the RQ path on Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from shuangsuiji import workers
from shuangsuiji.db.tenancy import cross_tenant
from shuangsuiji.models.directories import ImportBatch, Target
from shuangsuiji.models.jobs import Job
from shuangsuiji.platform import Platform
from shuangsuiji.services import jobs
from tests.directories.samples import TARGET_HEADINGS_ZH, csv_bytes, target_rows

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("SSJ_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _submit(platform: Platform, tenant_id: int, data: bytes, name: str = "targets.csv") -> int:
    with platform.db.session(tenant_id) as s:
        job = jobs.submit(s, tenant_id, "import", {"directory": "targets", "filename": name},
                          actor="cq_operator", files={"input": (name, data)})
        s.commit()
        return job.id


def _job(platform: Platform, tenant_id: int, job_id: int) -> Job:
    with platform.db.session(tenant_id) as s:
        return jobs.get(s, job_id)


def _targets(platform: Platform) -> int:
    with platform.db.session() as s, cross_tenant(s):
        return s.scalar(select(func.count()).select_from(Target)) or 0


def test_import_job_runs_and_commits_with_its_state(platform: Platform,
                                                    tenant_tree: dict[str, int]) -> None:
    cq = tenant_tree["chongqing"]
    job_id = _submit(platform, cq, csv_bytes(TARGET_HEADINGS_ZH, target_rows(5)))
    assert _job(platform, cq, job_id).state == "queued"
    assert jobs.run(platform, job_id) == "succeeded"
    job = _job(platform, cq, job_id)
    assert (job.state, job.attempts, job.phase) == ("succeeded", 1, "succeeded")
    assert job.result is not None and job.result["inserted"] == 5
    assert "5 rows" in job.message and job.finished_at is not None
    assert _targets(platform) == 5
    with platform.db.session(cq) as s:
        assert s.get(ImportBatch, job.result["batch_id"]) is not None
    # a second runner handed the same job does nothing
    assert jobs.run(platform, job_id) is None
    # another tenant cannot see the job
    with platform.db.session(tenant_tree["miit"]) as s, pytest.raises(jobs.NotFound):
        jobs.get(s, job_id)


def test_bad_file_fails_the_job_with_every_problem_and_writes_nothing(
        platform: Platform, tenant_tree: dict[str, int]) -> None:
    cq = tenant_tree["chongqing"]
    rows = target_rows(3)
    rows[1][0] = "not-a-code"
    job_id = _submit(platform, cq, csv_bytes(TARGET_HEADINGS_ZH, rows))
    assert jobs.run(platform, job_id) == "failed"
    job = _job(platform, cq, job_id)
    assert job.state == "failed"
    assert "row 3" in job.message and "统一社会信用代码" in job.message
    assert "nothing was imported" in job.message
    assert _targets(platform) == 0
    # retry: the same input, queued again; still refused, still nothing written
    with platform.db.session(cq) as s:
        jobs.retry(s, jobs.get(s, job_id))
        s.commit()
    assert _job(platform, cq, job_id).state == "queued"
    assert jobs.run(platform, job_id) == "failed"
    assert _job(platform, cq, job_id).attempts == 2
    with platform.db.session(cq) as s, pytest.raises(jobs.Conflict):
        job = jobs.get(s, job_id)
        job.state = "succeeded"  # in memory only: retry refuses anything but a failed job
        jobs.retry(s, job)


def test_progress_is_visible_while_the_job_runs(platform: Platform, tenant_tree: dict[str, int],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    cq = tenant_tree["chongqing"]
    job_id = _submit(platform, cq, csv_bytes(TARGET_HEADINGS_ZH, target_rows(10_500)))
    reached, release = threading.Event(), threading.Event()
    original = jobs.JobContext.progress

    def paused(self: jobs.JobContext, phase: str, done: int, total: int | None) -> None:
        original(self, phase, done, total)
        if done > 0 and not reached.is_set():
            reached.set()
            assert release.wait(30)

    monkeypatch.setattr(jobs.JobContext, "progress", paused)
    monkeypatch.setattr(jobs, "PROGRESS_SECONDS", 0.0)  # every report written, not one in 0.5 s
    outcome: list[str | None] = []
    runner = threading.Thread(target=lambda: outcome.append(jobs.run(platform, job_id)))
    runner.start()
    try:
        assert reached.wait(60), "the job never reported progress"
        seen = _job(platform, cq, job_id)  # another session, as another node would read it
        assert seen.state == "running"
        assert seen.phase == "reading" and seen.done == 10_000
        assert seen.heartbeat_at is not None and seen.worker
        assert _targets(platform) == 0  # nothing committed mid-way
    finally:
        release.set()
        runner.join(60)
    assert outcome == ["succeeded"]
    assert _targets(platform) == 10_500


KILL_SCRIPT = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, {root!r})
    from shuangsuiji import create_app
    from sqlalchemy import func, select
    from shuangsuiji.models.directories import Target
    from shuangsuiji.services import jobs, target_staging
    from tests.conftest import builtin_packs

    app = create_app({{"SSJ_DATABASE_URL": {url!r}, "SSJ_PACKS": builtin_packs(),
                       "SECRET_KEY": "test", "SSJ_AUDIT_GUARD": True}})
    # targets are written from their staging table (services/target_staging.py)
    original = target_staging.apply_import

    def stall(session, *args, **kwargs):
        original(session, *args, **kwargs)
        # the rows are written, in the job's open transaction
        assert session.scalar(select(func.count()).select_from(Target)) == 50
        open({marker!r}, "w").write(str(os.getpid()))
        time.sleep(600)  # ... and here the worker is killed

    target_staging.apply_import = stall
    jobs.run(app.extensions["shuangsuiji"], {job_id})
""")


def test_killed_worker_leaves_the_job_failed_and_nothing_imported(
        platform: Platform, tenant_tree: dict[str, int], database_url: str,
        tmp_path: Path) -> None:
    cq = tenant_tree["chongqing"]
    job_id = _submit(platform, cq, csv_bytes(TARGET_HEADINGS_ZH, target_rows(50)))
    marker = tmp_path / "written"
    script = tmp_path / "worker.py"
    script.write_text(KILL_SCRIPT.format(root=str(ROOT), url=database_url, marker=str(marker),
                                         job_id=job_id))
    proc = subprocess.Popen([sys.executable, str(script)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, "the worker ended before writing"
            assert time.monotonic() < deadline, "the worker never reached the write"
            time.sleep(0.1)
        running = _job(platform, cq, job_id)
        assert running.state == "running" and str(proc.pid) in running.worker
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    job = _job(platform, cq, job_id)  # looking at it notices the dead worker
    assert job.state == "failed"
    assert "stopped before it finished" in job.message and "nothing was changed" in job.message
    assert _targets(platform) == 0
    with platform.db.session(cq) as s:
        assert s.scalar(select(func.count()).select_from(ImportBatch)) == 0
    # retry runs it from the beginning, here, to the end
    with platform.db.session(cq) as s:
        jobs.retry(s, jobs.get(s, job_id))
        s.commit()
    assert jobs.run(platform, job_id) == "succeeded"
    assert _targets(platform) == 50


def test_stale_heartbeat_of_another_host_fails_the_job(platform: Platform,
                                                       tenant_tree: dict[str, int]) -> None:
    from datetime import timedelta

    from shuangsuiji.db.base import utcnow

    cq = tenant_tree["chongqing"]
    job_id = _submit(platform, cq, csv_bytes(TARGET_HEADINGS_ZH, target_rows(2)))
    with platform.db.session(cq) as s:
        job = s.get(Job, job_id)
        assert job is not None
        old = utcnow() - timedelta(seconds=600)
        job.state, job.worker, job.started_at, job.heartbeat_at = (
            "running", "another-host:4242:abcd", old, old)
        s.commit()
    with platform.db.session(cq) as s:
        assert jobs.get(s, job_id, stale_after=3600).state == "running"
    assert _job(platform, cq, job_id).state == "failed"


def _redis_or_skip() -> Any:
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    return client


def test_rq_worker_runs_queued_jobs(platform: Platform, tenant_tree: dict[str, int]) -> None:
    _redis_or_skip()
    cq = tenant_tree["chongqing"]
    config = {"SSJ_JOB_RUNNER": "rq", "SSJ_REDIS_URL": REDIS_URL,
              "SSJ_JOB_QUEUE": f"ssj-test-{uuid.uuid4().hex[:8]}"}
    first = _submit(platform, cq, csv_bytes(TARGET_HEADINGS_ZH, target_rows(4)))
    rows = target_rows(2)
    rows[0][0] = "bad"
    second = _submit(platform, cq, csv_bytes(TARGET_HEADINGS_ZH, rows), "bad.csv")
    workers.dispatch(platform, config, first)
    workers.dispatch(platform, config, second)
    assert _job(platform, cq, first).state == "queued"  # nobody has taken it yet
    workers.serve(platform, REDIS_URL, queue=config["SSJ_JOB_QUEUE"], burst=True)
    assert _job(platform, cq, first).state == "succeeded"
    failed = _job(platform, cq, second)
    assert failed.state == "failed" and "bad.csv" in failed.message
    assert _targets(platform) == 4


def test_rq_runner_needs_redis_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSJ_REDIS_URL", raising=False)
    monkeypatch.delenv("SSJ_JOB_RUNNER", raising=False)
    with pytest.raises(RuntimeError, match="SSJ_REDIS_URL"):
        workers.runner_of({"SSJ_JOB_RUNNER": "rq"})
    with pytest.raises(RuntimeError, match="thread, rq"):
        workers.runner_of({"SSJ_JOB_RUNNER": "celery"})
