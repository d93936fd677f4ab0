"""Publication, deadlines, calendars, follow-up and statistics: thin callers of the services
that come after the work on site.

Each command runs in one transaction (:func:`shuangsuiji.cli.common.session`): a refused
action changes nothing, and the refusal is a message citing the rule, never a traceback.
"""

from datetime import datetime
from pathlib import Path

import click

from shuangsuiji.cli.common import SsjCommand, SsjGroup, platform, session, tenant_option
from shuangsuiji.cli.lifecycle import DATE, day_of, tenant_of
from shuangsuiji.services import calendars as calendar_service
from shuangsuiji.services import deadlines as deadline_service
from shuangsuiji.services import followup as followup_service
from shuangsuiji.services import publication as publication_service
from shuangsuiji.services import statistics as stats_service
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.services.lifecycle import get_task
from shuangsuiji.workdays import Deadline

# --- publication and deadlines -------------------------------------------------------------

@click.command("publish", cls=SsjCommand)
@tenant_option
@click.option("--task", "task", required=True, metavar="CODE")
@click.option("--directed-to", "directed_to", multiple=True,
              help="Department receiving results of non-public items (定向通报).")
@click.option("--summary-only", is_flag=True,
              help="No per-target results (refused silently where the pack requires them).")
def publish(tenant: str, task: str, directed_to: tuple[str, ...], summary_only: bool) -> None:
    """Publish a task's results (公开), recording whether it is on time."""
    with session(tenant) as (s, t):
        pub = publication_service.publish(s, platform(), tenant_of(t), task,
                                          directed_to=directed_to,
                                          include_targets=not summary_only)
        state = "on time" if pub.on_time else "LATE"
        click.echo(f"published on {pub.published_on} ({state}; due {pub.due_on}, "
                   f"{pub.deadline_cite})")
        if pub.provisional:
            click.secho("warning: the deadline was provisional (no calendar covers its year)",
                        fg="yellow", err=True)


def _show_deadline(d: Deadline, verbose: bool) -> None:
    click.echo(f"due {d.due.isoformat()}: {d.working_days} working days after "
               f"{d.end.isoformat()}" + (f" + {d.excluded_days} excluded" if d.excluded_days
                                         else "") + f" ({d.cite})")
    if d.provisional:
        click.secho("PROVISIONAL: " + (d.warning or ""), fg="yellow")
    for src in d.sources:
        click.echo(f"  {src.year}: {src.coverage or 'not covered'}"
                   f"{' — ' + src.source if src.source else ''}")
    click.echo("counted: " + ", ".join(day.strftime("%m-%d") for day in d.counted))
    if verbose:
        for sk in d.skipped:
            click.echo(f"  skipped {sk.day.isoformat()} {sk.reason}"
                       f"{' ' + sk.name if sk.name else ''}")


@click.command("deadline", cls=SsjCommand)
@tenant_option
@click.option("--end", "end", type=DATE, default=None, help="The day the work ended.")
@click.option("--excluded-days", type=int, default=0,
              help="Working days of testing/inspection/appraisal not counted (CQ).")
@click.option("--task", "task", default=None, metavar="CODE",
              help="Use this task's facts, end date and recorded periods.")
@click.option("--skipped", is_flag=True, help="List the days not counted and why.")
def deadline(tenant: str, end: datetime | None, excluded_days: int, task: str | None,
             skipped: bool) -> None:
    """Print the publication due date and the working days counted to reach it."""
    with session(tenant) as (s, t):
        row = get_task(s, task) if task else None
        day = end.date() if end else (row.work_ended_on if row else None)
        if day is None:
            raise click.UsageError("give --end DATE, or --task for a task whose work ended")
        d = deadline_service.compute(s, platform(), tenant_of(t), day, task=row,
                                     excluded_days=excluded_days)
        _show_deadline(d, skipped)


@click.command("deadlines", cls=SsjCommand)
@tenant_option
@click.option("--today", type=DATE, default=None, help="Default: today (Asia/Shanghai).")
@click.option("--due-soon", "due_soon", type=int, default=5, help="Working days ahead.")
@click.option("--all", "show_all", is_flag=True, help="Every task, not only those needing action.")
def deadlines(tenant: str, today: datetime | None, due_soon: int, show_all: bool) -> None:
    """Tasks overdue or due soon for publication."""
    with session(tenant) as (s, t):
        fn = deadline_service.board if show_all else deadline_service.alerts
        rows = fn(s, platform(), tenant_of(t), today=day_of(today), due_soon_days=due_soon)
        if not rows:
            click.echo("nothing overdue or due soon")
        for e in rows:
            mark = " (provisional)" if e.provisional else ""
            click.echo(f"{e.status:<9} {e.task_code:<16} due {e.due}{mark}  {e.title}")


@click.group("calendar", cls=SsjGroup)
def calendar() -> None:
    """Tenant holiday calendars for years the chinesecalendar package does not know."""


@calendar.command("import")
@tenant_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", default=None, help="The notice, for a CSV without a source column.")
def calendar_import(tenant: str, file: Path, source: str | None) -> None:
    """Import a State Council holiday notice typed as CSV or TOML."""
    with session(tenant) as (s, t):
        for y in calendar_service.import_calendar(s, tenant_of(t), file.read_bytes(), file.name,
                                                  source=source):
            what = "replaced" if y.replaced else "imported"
            click.echo(f"{y.year}: {what} ({y.holidays} holidays, {y.workdays} make-up "
                       f"workdays) from {y.source}"
                       + (" — overrides the package for this year" if y.overrides_package
                          else ""))


@calendar.command("list")
@tenant_option
def calendar_list(tenant: str) -> None:
    """The years covered and what decides each."""
    with session(tenant) as (s, _):
        for line in calendar_service.coverage(s):
            inherited = f" (from {line.from_tenant})" if line.from_tenant else ""
            click.echo(f"{line.year}  {line.coverage:<9} {line.source}{inherited}")


# --- follow-up and statistics --------------------------------------------------------------

@click.group("followup", cls=SsjGroup)
def followup() -> None:
    """Rectification (整改) tracking and cases handed on (移送)."""


@followup.command("order")
@tenant_option
@click.option("--task", "task", required=True)
@click.option("--target", "credit_code", required=True)
@click.option("--requirement", required=True)
@click.option("--due", "due", type=DATE, required=True)
def followup_order(tenant: str, task: str, credit_code: str, requirement: str,
                   due: datetime) -> None:
    """Order a rectification by a date."""
    with session(tenant) as (s, t):
        row = followup_service.order_rectification(s, tenant_of(t), task, credit_code,
                                                   requirement=requirement, due_on=due.date())
        click.echo(f"rectification {row.id}: {row.credit_code} by {row.due_on}")


@followup.command("check")
@tenant_option
@click.option("--id", "rid", type=int, required=True)
@click.option("--on", "on", type=DATE, required=True)
@click.option("--findings", required=True)
@click.option("--rectified/--not-rectified", required=True)
def followup_check(tenant: str, rid: int, on: datetime, findings: str, rectified: bool) -> None:
    """Record the follow-up inspection of a rectification."""
    with session(tenant) as (s, t):
        row = followup_service.follow_up(s, tenant_of(t), rid, on=on.date(), findings=findings,
                                         rectified=rectified)
        click.echo(f"rectification {row.id}: followed up ({'rectified' if rectified else 'not'})")


@followup.command("close")
@tenant_option
@click.option("--id", "rid", type=int, required=True)
@click.option("--on", "on", type=DATE, required=True)
@click.option("--note", default="")
def followup_close(tenant: str, rid: int, on: datetime, note: str) -> None:
    """Close a followed-up rectification."""
    with session(tenant) as (s, t):
        row = followup_service.close(s, tenant_of(t), rid, on=on.date(), note=note)
        click.echo(f"rectification {row.id}: closed")


@followup.command("transfer")
@tenant_option
@click.option("--task", "task", required=True)
@click.option("--target", "credit_code", required=True)
@click.option("--authority", required=True)
@click.option("--reason", required=True)
@click.option("--on", "on", type=DATE, required=True)
@click.option("--reference", default="")
def followup_transfer(tenant: str, task: str, credit_code: str, authority: str, reason: str,
                      on: datetime, reference: str) -> None:
    """Record a case handed to another authority (移送)."""
    with session(tenant) as (s, t):
        row = followup_service.transfer(s, tenant_of(t), task, credit_code, authority=authority,
                                        reason=reason, on=on.date(), reference=reference)
        click.echo(f"transfer {row.id}: {row.credit_code} → {row.authority}")


@click.command("stats", cls=SsjCommand)
@tenant_option
@click.option("--year", type=int, required=True)
@click.option("--compare", is_flag=True,
              help="Central admin: every tenant (a cross-tenant read, logged in the audit chain).")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path), default=None)
def stats(tenant: str, year: int, compare: bool, xlsx: Path | None) -> None:
    """Statistics per tenant and year; --compare for all tenants side by side."""
    from shuangsuiji.services import joint_stats

    with session(tenant) as (s, t):
        me = tenant_of(t)
        if compare:
            if me.parent_id is not None:
                raise click.UsageError("--compare is for the central tenant (no parent)")
            rows = stats_service.compare_tenants(s, me, year,
                                                 tenant_service.all_tenants(s))
            joint = None
        else:
            rows = [stats_service.year_stats(s, me, year)]
            joint = joint_stats.joint_sheet(joint_stats.rows_for(s, me, year))
        for r in rows:
            click.echo(f"{r.tenant:<14} tasks={r.tasks} drawn={r.targets_drawn} "
                       f"problems={r.problems_found}/{r.results} ({r.problem_share_permille}‰) "
                       f"on-time={r.published_on_time}/{r.published} "
                       f"joint-led={r.joint_hosted} joint-joined={r.joint_joined}")
        if xlsx is not None:
            xlsx.write_bytes(stats_service.to_xlsx(rows, joint=joint))
            click.echo(f"wrote {xlsx}")


commands: list[click.Command] = [publish, deadline, deadlines, calendar, followup, stats]
