"""Plans, tasks, notices, records, results, reports, publication, deadlines, calendars,
follow-up and statistics: thin callers of the lifecycle services.

Each command runs in one transaction (:func:`shuangsuiji.cli.common.session`): a refused
action changes nothing, and the refusal is a message citing the rule, never a traceback.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import click

from shuangsuiji.cli.common import SsjCommand, SsjGroup, platform, session, tenant_option
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.services import calendars as calendar_service
from shuangsuiji.services import deadlines as deadline_service
from shuangsuiji.services import followup as followup_service
from shuangsuiji.services import notices as notice_service
from shuangsuiji.services import plans as plan_service
from shuangsuiji.services import publication as publication_service
from shuangsuiji.services import records as record_service
from shuangsuiji.services import statistics as stats_service
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.services.lifecycle import get_task
from shuangsuiji.workdays import Deadline

DATE = click.DateTime(["%Y-%m-%d"])


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def _tenant(t: Tenant | None) -> Tenant:
    assert t is not None  # session(slug) always finds the tenant or raises NotFound
    return t


# --- plans and tasks ---------------------------------------------------------------------

@click.group("plans", cls=SsjGroup)
def plans() -> None:
    """Annual plans (年度抽查工作计划)."""


@plans.command("create")
@tenant_option
@click.option("--year", type=int, required=True)
@click.option("--title", required=True)
@click.option("--scope", default="", help="Target scope (抽查对象范围).")
@click.option("--inspector-requirements", default="")
@click.option("--made-on", type=DATE, default=None, help="Default: today (Asia/Shanghai).")
def plans_create(tenant: str, year: int, title: str, scope: str, inspector_requirements: str,
                 made_on: datetime | None) -> None:
    """Create the annual plan of a year; a plan made outside the window gets a warning."""
    with session(tenant) as (s, t):
        out = plan_service.create_plan(s, platform(), _tenant(t), year, title=title, scope=scope,
                                       inspector_requirements=inspector_requirements,
                                       made_on=_day(made_on))
        click.echo(f"created plan {out.plan.year} (id {out.plan.id}) under "
                   f"{out.plan.rules_pack} {out.plan.rules_version}")
        for w in out.warnings:
            click.secho(f"warning: {w}", fg="yellow", err=True)


@plans.command("list")
@tenant_option
def plans_list(tenant: str) -> None:
    """List the tenant's annual plans."""
    with session(tenant) as (s, _):
        for p in plan_service.list_plans(s):
            flag = "" if p.in_window else f"  ⚠ {p.window_warning}"
            click.echo(f"{p.year}  {p.title}  made {p.made_on.isoformat()}  "
                       f"tasks={len(p.tasks)}{flag}")


@click.group("tasks", cls=SsjGroup)
def tasks() -> None:
    """Tasks (抽查任务) under an annual plan."""


@tasks.command("create")
@tenant_option
@click.option("--plan-year", type=int, required=True)
@click.option("--code", required=True)
@click.option("--title", required=True)
@click.option("--department", required=True, help="Lead department (牵头部门).")
@click.option("--joint-department", "joint", multiple=True,
              help="Another department of a joint task (repeatable).")
@click.option("--division", default="", help="The division (处室) running the task.")
@click.option("--joint/--not-joint", "declared_joint", default=False,
              help="Declare a joint inspection (联合抽查): several divisions take part.")
@click.option("--joint-division", "joint_divisions", multiple=True,
              help="Another division taking part in the joint task (repeatable).")
@click.option("--item", "items", multiple=True, required=True, help="Item code (repeatable).")
@click.option("--starts-on", type=DATE, required=True)
@click.option("--ends-on", type=DATE, required=True)
@click.option("--method", "methods", multiple=True, required=True,
              help="written | on_site | network_monitoring | testing (repeatable).")
@click.option("--ratio", "ratio", type=int, required=True, help="Ratio in per mille (100 = 10 %).")
@click.option("--min-count", type=int, default=0)
@click.option("--max-count", type=int, default=None)
@click.option("--groups", "group_count", type=int, default=1)
@click.option("--experts", "experts_count", type=int, default=0)
@click.option("--batches", "batch_count", type=int, default=1)
@click.option("--scope", "inspector_scope", default=None, help="Inspector scope.")
@click.option("--special-trigger", default=None,
              help="Makes the task a special inspection (专项检查): complaint, "
              "assigned_from_above, transferred_lead, ministry_provision, ...")
def tasks_create(tenant: str, plan_year: int, code: str, title: str, department: str,
                 joint: tuple[str, ...], division: str, declared_joint: bool,
                 joint_divisions: tuple[str, ...], items: tuple[str, ...], starts_on: datetime,
                 ends_on: datetime, methods: tuple[str, ...], ratio: int, min_count: int,
                 max_count: int | None, group_count: int, experts_count: int, batch_count: int,
                 inspector_scope: str | None, special_trigger: str | None) -> None:
    """Create a task; methods, ratio caps and triggers are checked against the pack."""
    with session(tenant) as (s, t):
        task = plan_service.create_task(
            s, platform(), _tenant(t), plan_year=plan_year, code=code, title=title,
            department=department, departments=joint, division=division,
            joint=declared_joint, joint_divisions=joint_divisions, item_codes=items,
            starts_on=starts_on.date(), ends_on=ends_on.date(), methods=methods,
            ratio_permille=ratio, special=special_trigger is not None,
            special_trigger=special_trigger, min_count=min_count, max_count=max_count,
            group_count=group_count, experts_count=experts_count, batch_count=batch_count,
            inspector_scope=inspector_scope)
        click.echo(f"created task {task.code} (id {task.id}) under {task.rules_pack} "
                   f"{task.rules_version}")


@tasks.command("list")
@tenant_option
@click.option("--year", type=int, default=None)
def tasks_list(tenant: str, year: int | None) -> None:
    """List the tenant's tasks."""
    with session(tenant) as (s, _):
        for task in plan_service.list_tasks(s, year=year):
            ended = task.work_ended_on.isoformat() if task.work_ended_on else "-"
            click.echo(f"{task.code:<16} {task.status:<11} {task.starts_on}–{task.ends_on} "
                       f"ended={ended}  {task.title}")


@tasks.command("end-work")
@tenant_option
@click.option("--task", "task", required=True, metavar="CODE")
@click.option("--on", "on", type=DATE, required=True, help="The day the work ended.")
@click.option("--confirm-missing", "missing", multiple=True, metavar="CREDIT_CODE",
              help="A drawn target left without an on-site record, confirmed (repeatable).")
def tasks_end_work(tenant: str, task: str, on: datetime, missing: tuple[str, ...]) -> None:
    """Record the end of a task's work; the publication deadline counts from it."""
    with session(tenant) as (s, t):
        row = plan_service.end_work(s, _tenant(t), task, on.date(), missing_confirmed=missing)
        d = deadline_service.task_deadline(s, platform(), _tenant(t), row.id)
        click.echo(f"task {row.code}: work ended {on.date()}; publish by {d.due} ({d.cite})")
        if d.warning:
            click.secho(f"warning: {d.warning}", fg="yellow", err=True)


@click.command("notices", cls=SsjCommand)
@tenant_option
@click.option("--task", "task", required=True, metavar="CODE")
@click.option("--json", "as_json", is_flag=True, help="Print the notices as JSON.")
def notices(tenant: str, task: str, as_json: bool) -> None:
    """The notice (告知) to each drawn target: basis, content and what it must provide."""
    from dataclasses import asdict

    with session(tenant) as (s, t):
        rows = notice_service.notices(s, platform(), _tenant(t), task)
        if as_json:
            click.echo(json.dumps([asdict(n) for n in rows], ensure_ascii=False, default=str,
                                  indent=2))
            return
        for n in rows:
            click.echo(f"{n.credit_code} {n.target_name}: {', '.join(i.name for i in n.items)}; "
                       f"basis: {'; '.join(i.basis for i in n.items)}")


# --- records, results, report --------------------------------------------------------------

def _inspector(value: str) -> record_service.InspectorPresent:
    pid, sep, credential = value.rpartition(":")
    if not sep or not pid:
        raise click.BadParameter(f"{value!r}: write PERSON_ID:CREDENTIAL, "
                                 "e.g. CQ-ZF-0012:enforcement_certificate")
    return record_service.InspectorPresent(pid, credential)


@click.command("record", cls=SsjCommand)
@tenant_option
@click.option("--task", "task", required=True, metavar="CODE")
@click.option("--target", "credit_code", required=True, metavar="USCC")
@click.option("--method", required=True)
@click.option("--on", "on", type=DATE, required=True, help="The day of the inspection.")
@click.option("--inspector", "inspectors", multiple=True, required=True,
              metavar="ID:CREDENTIAL", help="An inspector present and the credential shown.")
@click.option("--findings", default="")
@click.option("--ack", "acknowledgement", type=click.Choice(["signature", "seal", "refused"]),
              required=True, help="How the target confirmed the record (签字/盖章/拒绝).")
@click.option("--refusal-reason", default=None)
@click.option("--inspectors-signed", is_flag=True)
@click.option("--witness", default=None)
def record(tenant: str, task: str, credit_code: str, method: str, on: datetime,
           inspectors: tuple[str, ...], findings: str, acknowledgement: str,
           refusal_reason: str | None, inspectors_signed: bool, witness: str | None) -> None:
    """Write the on-site record (现场检查记录) of one drawn target."""
    present = [_inspector(v) for v in inspectors]
    with session(tenant) as (s, t):
        row = record_service.record_on_site(
            s, platform(), _tenant(t), task, credit_code, method=method, inspected_on=on.date(),
            inspectors=present, findings=findings, acknowledgement=acknowledgement,
            refusal_reason=refusal_reason, inspectors_signed=inspectors_signed, witness=witness)
        click.echo(f"recorded {row.credit_code} ({row.method}, {len(row.inspectors)} inspectors)")


@click.command("period", cls=SsjCommand)
@tenant_option
@click.option("--task", "task", required=True, metavar="CODE")
@click.option("--kind", type=click.Choice(["testing", "inspection", "appraisal"]), required=True)
@click.option("--from", "start", type=DATE, required=True)
@click.option("--to", "end", type=DATE, required=True)
@click.option("--target", "credit_code", default=None, metavar="USCC")
@click.option("--note", default="")
def period(tenant: str, task: str, kind: str, start: datetime, end: datetime,
           credit_code: str | None, note: str) -> None:
    """Record a testing, inspection or appraisal period (检验、检测、鉴定)."""
    with session(tenant) as (s, t):
        row = record_service.add_excluded_period(s, _tenant(t), task, kind=kind,
                                                 starts_on=start.date(), ends_on=end.date(),
                                                 credit_code=credit_code, note=note)
        click.echo(f"recorded {row.kind} {row.starts_on}–{row.ends_on}")


@click.command("result", cls=SsjCommand)
@tenant_option
@click.option("--task", "task", required=True, metavar="CODE")
@click.option("--target", "credit_code", required=True, metavar="USCC")
@click.option("--result", "result", required=True, help="e.g. no_problem, problem_rectified.")
@click.option("--handling", default="", help="Handling opinion (处理意见).")
@click.option("--on", "on", type=DATE, default=None)
def result(tenant: str, task: str, credit_code: str, result: str, handling: str,
           on: datetime | None) -> None:
    """Set the result of one drawn target."""
    with session(tenant) as (s, t):
        row = record_service.record_result(s, platform(), _tenant(t), task, credit_code, result,
                                           handling=handling, decided_on=_day(on))
        click.echo(f"{row.credit_code}: {row.result}"
                   f"{' (problem found)' if row.problem_found else ''}")


@click.command("report", cls=SsjCommand)
@tenant_option
@click.option("--task", "task", required=True, metavar="CODE")
@click.option("--field", "fields", multiple=True, metavar="NAME=TEXT",
              help="period, target_count, content, findings, handling, suggestions.")
def report(tenant: str, task: str, fields: tuple[str, ...]) -> None:
    """Write the task report (抽查情况报告)."""
    values = {}
    for f in fields:
        name, sep, text = f.partition("=")
        if not sep:
            raise click.BadParameter(f"{f!r}: write NAME=TEXT", param_hint="--field")
        values[name.strip()] = text
    with session(tenant) as (s, t):
        record_service.write_report(s, platform(), _tenant(t), task, values)
        click.echo(f"report written ({', '.join(values)})")


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
        pub = publication_service.publish(s, platform(), _tenant(t), task,
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
        d = deadline_service.compute(s, platform(), _tenant(t), day, task=row,
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
        rows = fn(s, platform(), _tenant(t), today=_day(today), due_soon_days=due_soon)
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
        for y in calendar_service.import_calendar(s, _tenant(t), file.read_bytes(), file.name,
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
        row = followup_service.order_rectification(s, _tenant(t), task, credit_code,
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
        row = followup_service.follow_up(s, _tenant(t), rid, on=on.date(), findings=findings,
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
        row = followup_service.close(s, _tenant(t), rid, on=on.date(), note=note)
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
        row = followup_service.transfer(s, _tenant(t), task, credit_code, authority=authority,
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
    with session(tenant) as (s, t):
        me = _tenant(t)
        if compare:
            if me.parent_id is not None:
                raise click.UsageError("--compare is for the central tenant (no parent)")
            rows = stats_service.compare_tenants(s, me, year,
                                                 tenant_service.all_tenants(s))
        else:
            rows = [stats_service.year_stats(s, me, year)]
        for r in rows:
            click.echo(f"{r.tenant:<14} tasks={r.tasks} drawn={r.targets_drawn} "
                       f"problems={r.problems_found}/{r.results} ({r.problem_share_permille}‰) "
                       f"on-time={r.published_on_time}/{r.published}")
        if xlsx is not None:
            xlsx.write_bytes(stats_service.to_xlsx(rows))
            click.echo(f"wrote {xlsx}")


commands: list[click.Command] = [plans, tasks, notices, record, period, result, report, publish,
                                 deadline, deadlines, calendar, followup, stats]
