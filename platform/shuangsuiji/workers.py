"""Who runs background jobs: a thread in the app's process, or RQ workers on Redis.

``SSJ_JOB_RUNNER`` chooses:

* ``thread`` (the default): the job runs in a thread of the web worker that accepted it.
  Meant for the embedded SQLite demo and a single small host: nothing else to start, and the
  job's progress is still kept in the database, so any worker answers the job page. A web
  worker that is restarted takes its running jobs with it; they are then failed (its
  process is gone) and can be retried.
* ``rq``: the job is put on the ``ssj`` queue in Redis (``SSJ_REDIS_URL``) and run by
  ``ssj worker`` processes, on any host that reaches the database and Redis. RQ forks a
  work horse per job, so a job that uses a lot of memory gives it back when it ends.

Either way :func:`shuangsuiji.services.jobs.run` does the work, with the same guarantees.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from shuangsuiji.platform import Platform
from shuangsuiji.services import jobs

log = logging.getLogger(__name__)

QUEUE = "ssj"
#: RQ's limit on one job's run time (seconds); a 1M-row import takes minutes at most.
JOB_TIMEOUT = 3 * 3600
RUNNERS = ("thread", "rq")


def queue_name(config: Any) -> str:
    """``SSJ_JOB_QUEUE`` (default ``ssj``): several deployments may share one Redis."""
    return str(config.get("SSJ_JOB_QUEUE") or os.environ.get("SSJ_JOB_QUEUE") or QUEUE)


def runner_of(config: Any) -> str:
    value = str(config.get("SSJ_JOB_RUNNER") or os.environ.get("SSJ_JOB_RUNNER") or "thread")
    if value not in RUNNERS:
        raise RuntimeError(f"SSJ_JOB_RUNNER={value!r}: use one of {', '.join(RUNNERS)}")
    if value == "rq" and not (config.get("SSJ_REDIS_URL") or os.environ.get("SSJ_REDIS_URL")):
        raise RuntimeError("SSJ_JOB_RUNNER=rq needs SSJ_REDIS_URL (the Redis the workers use)")
    return value


def dispatch(platform: Platform, config: Any, job_id: int) -> None:
    """Start job ``job_id`` (already committed as queued) on the configured runner."""
    if runner_of(config) == "rq":
        queue(config).enqueue("shuangsuiji.workers.run_rq_job", job_id,
                              job_id=f"ssj-job-{job_id}-{os.urandom(4).hex()}",
                              job_timeout=JOB_TIMEOUT, failure_ttl=7 * 86400)
        return
    thread = threading.Thread(target=_run_logged, args=(platform, job_id),
                              name=f"ssj-job-{job_id}", daemon=True)
    thread.start()


def _run_logged(platform: Platform, job_id: int) -> None:
    try:
        jobs.run(platform, job_id)
    except Exception:  # the job row says what happened; the thread must not die loudly
        log.exception("job %s: the runner failed", job_id)


def queue(config: Any) -> Any:
    from redis import Redis
    from rq import Queue

    url = config.get("SSJ_REDIS_URL") or os.environ["SSJ_REDIS_URL"]
    return Queue(queue_name(config), connection=Redis.from_url(url))


# --- the RQ side ---------------------------------------------------------------------------

_platform: Platform | None = None
_platform_pid: int | None = None


def serve(platform: Platform, redis_url: str, *, queue: str = QUEUE, burst: bool = False
          ) -> None:
    """``ssj worker``: take jobs from the queue until stopped (or, ``burst``, until empty)."""
    from redis import Redis
    from rq import Queue, Worker

    global _platform, _platform_pid
    _platform, _platform_pid = platform, os.getpid()
    jobs.reap(platform.db.engine)
    connection = Redis.from_url(redis_url)
    worker = Worker([Queue(queue, connection=connection)], connection=connection)
    worker.work(burst=burst, with_scheduler=False)


def run_rq_job(job_id: int) -> str | None:
    """The function RQ calls (in its work horse, forked from ``ssj worker``)."""
    if _platform is None:
        raise RuntimeError("run_rq_job outside `ssj worker`")
    if _platform_pid != os.getpid():
        # a forked work horse: forget the parent's pooled connections, never close them
        _platform.db.engine.dispose(close=False)
    return jobs.run(_platform, job_id)
