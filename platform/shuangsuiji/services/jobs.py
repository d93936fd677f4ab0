"""Background jobs: submit, run, report progress, notice dead workers, retry.

The rules every runner (the in-process thread, an RQ worker) follows, so that a job is safe
to retry and a killed worker changes nothing:

* **claim**: ``queued → running`` is one conditional ``UPDATE`` that names the worker
  (``host:pid:nonce``); a second runner handed the same job finds it no longer queued and
  leaves it alone;
* **work in one transaction**: the job's effect (an import's rows, batch and audit event) and
  its ``succeeded`` state are committed together, by a conditional ``UPDATE`` that still
  names this worker. If the job was declared dead meanwhile, that update matches nothing
  and the work is rolled back: ``succeeded`` if and only if the data were written;
* **progress and heartbeat** are written on their own short connections, outside the job's
  transaction, so other nodes see them while the job runs. On SQLite a writing import holds
  the database's one write lock, so these writes are skipped (not waited for) while it
  writes; the job page shows the last phase reached;
* **dead workers**: a running job is failed, with a message saying nothing was changed, when
  its worker process on this host is gone, or, for a worker on another host, when its
  heartbeat is older than ``SSJ_JOB_STALE_SECONDS`` (default 120). Whoever looks at a job (the job
  page, its JSON, ``ssj jobs``, a worker starting) runs this check;
* **retry**: a failed job goes back to ``queued`` with its input unchanged; since a failed
  job wrote nothing, running it again is the same as running it the first time.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from shuangsuiji.db import temp_only
from shuangsuiji.db.base import utcnow
from shuangsuiji.db.tenancy import cross_tenant
from shuangsuiji.errors import Conflict, NotFound, UserError
from shuangsuiji.messages import Message, msg
from shuangsuiji.models.jobs import FINISHED, JOB_KINDS, Job, JobFile
from shuangsuiji.platform import Platform

log = logging.getLogger(__name__)

#: Seconds between a running job's heartbeats.
HEARTBEAT_SECONDS = 5.0
#: Default age of a heartbeat after which the job's worker is taken for dead.
STALE_SECONDS = 120.0
#: Seconds between two progress writes (a 1M-row import would otherwise write 1M times).
PROGRESS_SECONDS = 0.5

#: The message a job killed with its worker ends with.
WORKER_LOST = msg("the worker running this job stopped before it finished (killed or "
                  "crashed); nothing was changed")
RETRY_HINT = msg("retry the job; it starts again from the beginning")


# --- messages kept as data ----------------------------------------------------------------


def _dump(value: Any) -> Any:
    if isinstance(value, Message):
        return {"msg": value.template, "params": {k: _dump(v) for k, v in value.params.items()}}
    if isinstance(value, list | tuple):
        return [_dump(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def _load(value: Any) -> Any:
    if isinstance(value, dict) and "msg" in value:
        return Message(value["msg"], {k: _load(v) for k, v in value.get("params", {}).items()})
    if isinstance(value, list):
        return [_load(v) for v in value]
    return value


def lines(job: Job) -> list[str]:
    """The job's message as lines, each a :class:`Message` where it was one (pages translate
    them with ``Message.render``), else English text."""
    if job.detail:
        return [_load(line) for line in job.detail]
    return job.message.splitlines() if job.message else []


def _set_message(values: dict[str, Any], parts: list[Any]) -> None:
    values["message"] = "\n".join(str(p) for p in parts)
    values["detail"] = [_dump(p) for p in parts]


def error_lines(exc: UserError) -> list[Any]:
    """What a refused job says: where, what, every listed problem (the first 50), the hint."""
    parts: list[Any] = [msg("%(where)s: %(message)s", where=exc.where, message=exc.message)
                        if exc.where else exc.message]
    problems = getattr(exc, "problems", None)
    if problems:
        from shuangsuiji.services.import_report import SHOWN_PROBLEMS

        parts += [str(p) for p in problems[:SHOWN_PROBLEMS]]
        if len(problems) > SHOWN_PROBLEMS:
            parts.append(msg("… and %(count)d more", count=len(problems) - SHOWN_PROBLEMS))
    if exc.hint:
        parts.append(exc.hint)
    return parts


# --- submitting and reading ---------------------------------------------------------------


def submit(session: Session, tenant_id: int, kind: str, params: Mapping[str, Any], *,
           actor: str, files: Mapping[str, tuple[str, bytes]] | None = None) -> Job:
    """Record a queued job (and its input files) in the caller's transaction. The caller
    commits, then hands ``job.id`` to a runner (:mod:`shuangsuiji.workers`)."""
    if kind not in JOB_KINDS:
        raise UserError(msg("unknown job kind %(kind)r", kind=kind))
    job = Job(tenant_id=tenant_id, kind=kind, params=dict(params), state="queued", actor=actor,
              phase="queued")
    session.add(job)
    session.flush()
    for role, (filename, data) in (files or {}).items():
        session.add(JobFile(tenant_id=tenant_id, job_id=job.id, role=role, filename=filename,
                            data=data))
    session.flush()
    return job


def get(session: Session, job_id: int, *, stale_after: float = STALE_SECONDS) -> Job:
    """The current tenant's job ``job_id``, after failing it if its worker is dead."""
    # Reaped first, on its own connection: on SQLite a transaction already reading would not
    # see the failure committed beside it.
    reap(session.get_bind(), stale_after=stale_after)  # type: ignore[arg-type]
    job = session.get(Job, job_id)
    if job is None or job.tenant_id != session.info.get("tenant_id"):
        raise NotFound(msg("no job %(id)s in this tenant", id=job_id))
    return job


def recent(session: Session, limit: int = 20) -> list[Job]:
    """The current tenant's latest jobs, newest first."""
    return list(session.scalars(select(Job).order_by(Job.id.desc()).limit(limit)))


def output(session: Session, job: Job) -> JobFile:
    found = session.get(JobFile, (job.id, "output"))
    if found is None or job.state != "succeeded":
        raise NotFound(msg("job %(id)s has no file to download", id=job.id))
    return found


def as_json(job: Job) -> dict[str, Any]:
    """What the job page polls: state, progress and the end message (English; the web layer
    replaces ``lines`` with their translation)."""
    return {
        "id": job.id, "kind": job.kind, "state": job.state, "phase": job.phase,
        "done": job.done, "total": job.total, "finished": job.state in FINISHED,
        "message": job.message, "result": job.result, "attempts": job.attempts,
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


def retry(session: Session, job: Job) -> Job:
    """Queue a failed job again (the caller commits and dispatches it)."""
    if job.state != "failed":
        raise Conflict(msg("only a failed job can be retried; this one is %(state)s",
                           state=job.state))
    job.state, job.phase, job.done, job.total = "queued", "queued", 0, None
    job.message, job.detail, job.result, job.worker = "", None, None, ""
    job.started_at = job.finished_at = job.heartbeat_at = None
    session.flush()
    return job


# --- dead workers -------------------------------------------------------------------------


def _aware(at: datetime | None) -> datetime | None:
    if at is not None and at.tzinfo is None:  # SQLite returns naive UTC
        from datetime import UTC

        return at.replace(tzinfo=UTC)
    return at


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie (killed, not yet reaped by its parent) is dead too
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def _is_dead(job: Job, stale_after: float) -> bool:
    host, _, rest = job.worker.partition(":")
    pid = rest.partition(":")[0]
    if host == socket.gethostname() and pid.isdigit():
        # On this host the process table decides: a SQLite import that writes for minutes
        # cannot write its heartbeat meanwhile, yet its process is plainly alive.
        return not _pid_alive(int(pid))
    beat = _aware(job.heartbeat_at or job.started_at)
    return beat is not None and utcnow() - beat > timedelta(seconds=stale_after)


def reap(engine: Engine, *, stale_after: float = STALE_SECONDS) -> list[int]:
    """Fail every running job whose worker is dead (any tenant); their ids."""
    failed: list[int] = []
    with Session(engine) as s, cross_tenant(s):
        for job in s.scalars(select(Job).where(Job.state == "running")):
            if not _is_dead(job, stale_after):
                continue
            values: dict[str, Any] = {"state": "failed", "finished_at": utcnow(),
                                      "phase": "failed"}
            _set_message(values, [WORKER_LOST, RETRY_HINT])
            done = s.execute(update(Job).where(Job.id == job.id, Job.state == "running",
                                               Job.worker == job.worker).values(**values))
            if done.rowcount:  # type: ignore[attr-defined]
                failed.append(job.id)
                log.warning("job %s failed: its worker %s is gone", job.id, job.worker)
        s.commit()
    return failed


# --- running ------------------------------------------------------------------------------


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _side_write(engine: Engine, job_id: int, worker: str, values: dict[str, Any]) -> bool:
    """One short transaction beside the job's own; skipped rather than waited for when
    SQLite's write lock is held by the job itself."""
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as conn:
            if sqlite:
                conn.exec_driver_sql("PRAGMA busy_timeout=50")
            try:
                conn.execute(update(Job).where(Job.id == job_id, Job.worker == worker,
                                               Job.state == "running").values(**values))
                conn.commit()
            finally:
                if sqlite:
                    conn.rollback()
                    conn.exec_driver_sql("PRAGMA busy_timeout=15000")
    except OperationalError:
        return False
    return True


@dataclass
class JobContext:
    """What a job's handler gets: the session of its one transaction and a progress hook."""

    platform: Platform
    session: Session
    job: Job
    inputs: dict[str, JobFile]
    engine: Engine
    worker: str
    _last: float = 0.0
    _phase: str = ""

    def progress(self, phase: str, done: int, total: int | None) -> None:
        """Report ``done`` of ``total`` in ``phase`` (throttled, except for a new phase and
        the end of one; never blocks the job)."""
        now = time.monotonic()
        if (phase == self._phase and now - self._last < PROGRESS_SECONDS
                and (total is None or done < total)):
            return
        self._last, self._phase = now, phase
        if not self.may_side_write():
            return
        _side_write(self.engine, self.job.id, self.worker,
                    {"phase": phase, "done": done, "total": total, "heartbeat_at": utcnow()})

    def may_side_write(self) -> bool:
        """Whether a write beside the job's transaction is safe now. On SQLite, not while
        the job's session has a transaction open that may have read the database: its
        snapshot would be older than the side write, and its own first write would then fail
        (SQLITE_BUSY_SNAPSHOT). One that has only staged rows in a temporary table holds no
        snapshot (:mod:`shuangsuiji.db.temp_only`)."""
        return (self.engine.dialect.name != "sqlite"
                or not temp_only.may_hold_snapshot(self.session))

    def save_output(self, filename: str, data: bytes, content_type: str) -> None:
        self.session.add(JobFile(tenant_id=self.job.tenant_id, job_id=self.job.id,
                                 role="output", filename=filename, data=data,
                                 content_type=content_type))


@contextmanager
def _heartbeat(engine: Engine, job_id: int, worker: str,
               allowed: Callable[[], bool]) -> Iterator[None]:
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            if allowed():
                _side_write(engine, job_id, worker, {"heartbeat_at": utcnow()})

    thread = threading.Thread(target=beat, name=f"ssj-job-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=HEARTBEAT_SECONDS)


def _claim(engine: Engine, job_id: int, worker: str) -> Job | None:
    with Session(engine, expire_on_commit=False) as s, cross_tenant(s):
        now = utcnow()
        claimed = s.execute(update(Job).where(Job.id == job_id, Job.state == "queued").values(
            state="running", worker=worker, started_at=now, heartbeat_at=now, phase="starting",
            attempts=Job.attempts + 1))
        s.commit()
        if not claimed.rowcount:  # type: ignore[attr-defined]
            return None
        return s.get(Job, job_id)


def _finish(session: Session, job: Job, worker: str, state: str, parts: list[Any],
            result: dict[str, Any] | None) -> bool:
    values: dict[str, Any] = {"state": state, "phase": state, "finished_at": utcnow(),
                              "result": result, "heartbeat_at": utcnow()}
    _set_message(values, parts)
    done = session.execute(update(Job).where(Job.id == job.id, Job.state == "running",
                                             Job.worker == worker).values(**values))
    return bool(done.rowcount)  # type: ignore[attr-defined]


def run(platform: Platform, job_id: int, *, worker: str | None = None) -> str | None:
    """Run job ``job_id`` if it is still queued; its final state (None if not claimed)."""
    engine = platform.db.engine
    worker = worker or worker_name()
    job = _claim(engine, job_id, worker)
    if job is None:
        return None
    log.info("job %s (%s) started by %s", job.id, job.kind, worker)
    with platform.db.session(job.tenant_id) as s:
        from shuangsuiji.services import audit

        audit.set_actor(s, job.actor)
        inputs = {f.role: f for f in s.scalars(select(JobFile).where(JobFile.job_id == job.id))}
        s.commit()  # nothing written yet: the job's one transaction starts with its work
        context = JobContext(platform, s, job, inputs, engine, worker)
        with _heartbeat(engine, job.id, worker, context.may_side_write):
            return _work(context, s, job, worker)


def _work(context: JobContext, s: Session, job: Job, worker: str) -> str:
    """Run the handler; commit its work and ``succeeded`` together, or fail with nothing."""
    try:
        from shuangsuiji.services.job_kinds import HANDLERS

        parts, result = HANDLERS[job.kind](context)
    except Exception as exc:
        s.rollback()
        if isinstance(exc, UserError):
            why = error_lines(exc)
        else:
            log.exception("job %s failed", job.id)
            why = [msg("the job failed unexpectedly (%(error)s); nothing was changed",
                       error=type(exc).__name__), RETRY_HINT]
        _finish(s, job, worker, "failed", why, None)
        s.commit()
        return "failed"
    if not _finish(s, job, worker, "succeeded", parts, result):
        s.rollback()  # declared dead meanwhile: its failure stands, nothing is written
        return "failed"
    s.commit()
    return "succeeded"
