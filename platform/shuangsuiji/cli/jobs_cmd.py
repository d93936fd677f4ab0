"""`ssj worker` (run background jobs from Redis) and `ssj jobs list|show|run|retry`."""

from __future__ import annotations

import os

import click
from flask import current_app

from shuangsuiji.cli.common import SsjCommand, SsjGroup, platform, session, tenant_option
from shuangsuiji.errors import UserError
from shuangsuiji.messages import msg


@click.command("worker", cls=SsjCommand)
@click.option("--burst", is_flag=True, help="Exit once the queue is empty (tests, cron).")
def worker(burst: bool) -> None:
    """Run background jobs (imports, exports started in the browser) from the Redis queue.

    Start one or more on any host that reaches the database and SSJ_REDIS_URL; the web
    nodes queue jobs there when SSJ_JOB_RUNNER=rq."""
    from shuangsuiji import workers

    url = current_app.config.get("SSJ_REDIS_URL") or os.environ.get("SSJ_REDIS_URL")
    if not url:
        raise UserError(msg("`ssj worker` needs SSJ_REDIS_URL"),
                        hint=msg("set SSJ_REDIS_URL=redis://HOST:6379/0, the Redis the web "
                                 "nodes queue jobs in"))
    name = workers.queue_name(current_app.config)
    click.echo(f"ssj worker: queue {name!r} on {url.rsplit('@', 1)[-1]}")
    workers.serve(platform(), url, queue=name, burst=burst)


@click.group("jobs", cls=SsjGroup)
def jobs_group() -> None:
    """Background jobs: list them, show one, run or retry one here."""


@jobs_group.command("list")
@tenant_option
def list_(tenant: str) -> None:
    """The tenant's latest jobs, newest first."""
    from shuangsuiji.services import jobs

    jobs.reap(platform().db.engine)
    with session(tenant) as (s, _):
        for job in jobs.recent(s, 50):
            total = "?" if job.total is None else str(job.total)
            first = job.message.splitlines()[0] if job.message else ""
            click.echo(f"{job.id:>6} {job.kind:<7} {job.state:<10} {job.done}/{total:<8} "
                       f"{job.actor:<16} {first}")


@jobs_group.command("show")
@tenant_option
@click.argument("job_id", type=int)
def show(tenant: str, job_id: int) -> None:
    """One job: state, progress and its message."""
    from shuangsuiji.services import jobs

    with session(tenant) as (s, _):
        job = jobs.get(s, job_id)
        click.echo(f"job {job.id} ({job.kind}, {job.params}): {job.state}, phase {job.phase}, "
                   f"{job.done}/{'?' if job.total is None else job.total}, "
                   f"attempts {job.attempts}, by {job.actor}")
        for line in job.message.splitlines():
            click.echo(f"  {line}")


@jobs_group.command("run")
@tenant_option
@click.argument("job_id", type=int)
def run(tenant: str, job_id: int) -> None:
    """Run a queued job in this process (as a worker would)."""
    from shuangsuiji.services import jobs

    with session(tenant) as (s, _):
        jobs.get(s, job_id)  # exists in this tenant
    state = jobs.run(platform(), job_id)
    if state is None:
        raise UserError(msg("job %(id)s is not queued", id=job_id),
                        hint=msg("`ssj jobs retry` queues a failed job again"))
    click.echo(f"job {job_id}: {state}")


@jobs_group.command("retry")
@tenant_option
@click.argument("job_id", type=int)
def retry(tenant: str, job_id: int) -> None:
    """Queue a failed job again (run it with `ssj jobs run` or let a worker take it)."""
    from shuangsuiji import workers
    from shuangsuiji.services import jobs

    with session(tenant) as (s, _):
        jobs.retry(s, jobs.get(s, job_id))
    if workers.runner_of(current_app.config) == "rq":
        workers.dispatch(platform(), current_app.config, job_id)
        click.echo(f"job {job_id} queued for the workers")
    else:
        click.echo(f"job {job_id} queued: run it with `ssj jobs run --tenant {tenant} {job_id}`")


commands: list[click.Command] = [worker, jobs_group]
