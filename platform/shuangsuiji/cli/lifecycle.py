"""Plans, tasks, notices, records, results and reports: thin callers of the lifecycle
services (publication and what follows it: :mod:`shuangsuiji.cli.publishing`).

Each command runs in one transaction (:func:`shuangsuiji.cli.common.session`): a refused
action changes nothing, and the refusal is a message citing the rule, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import click

from shuangsuiji.cli.common import SsjCommand, SsjGroup, platform, session, tenant_option
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.services import deadlines as deadline_service
from shuangsuiji.services import notices as notice_service
from shuangsuiji.services import plans as plan_service
from shuangsuiji.services import records as record_service

DATE = click.DateTime(["%Y-%m-%d"])


def day_of(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def tenant_of(t: Tenant | None) -> Tenant:
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
        out = plan_service.create_plan(s, platform(), tenant_of(t), year, title=title, scope=scope,
                                       inspector_requirements=inspector_requirements,
                                       made_on=day_of(made_on))
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
            s, platform(), tenant_of(t), plan_year=plan_year, code=code, title=title,
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
        row = plan_service.end_work(s, tenant_of(t), task, on.date(), missing_confirmed=missing)
        d = deadline_service.task_deadline(s, platform(), tenant_of(t), row.id)
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
        rows = notice_service.notices(s, platform(), tenant_of(t), task)
        if as_json:
            click.echo(json.dumps([asdict(n) for n in rows], ensure_ascii=False, default=str,
                                  indent=2))
            return
        for n in rows:
            click.echo(f"{n.credit_code} {n.target_name}: {', '.join(i.name for i in n.items)}; "
                       f"basis: {'; '.join(i.basis for i in n.items)}")


# --- records, results, report --------------------------------------------------------------

def parse_inspector(value: str) -> record_service.InspectorPresent:
    pid, sep, credential = value.rpartition(":")
    if not sep or not pid:
        raise click.BadParameter(f"{value!r}: write PERSON_ID:CREDENTIAL, "
                                 "e.g. CQ-ZF-0012:enforcement_certificate")
    return record_service.InspectorPresent(pid, credential)


def record_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options of an on-site record (现场检查记录): the target, method, day, inspectors
    present with their credentials, findings and how the target confirmed it."""
    for option in reversed((
        click.option("--target", "credit_code", required=True, metavar="USCC"),
        click.option("--method", required=True),
        click.option("--on", "on", type=DATE, required=True, help="The day of the inspection."),
        click.option("--inspector", "inspectors", multiple=True, required=True,
                     metavar="ID:CREDENTIAL",
                     help="An inspector present (as the draw names them: SLUG/ID for another "
                          "tenant's in a joint task) and the credential shown."),
        click.option("--findings", default=""),
        click.option("--ack", "acknowledgement",
                     type=click.Choice(["signature", "seal", "refused"]), required=True,
                     help="How the target confirmed the record (签字/盖章/拒绝)."),
        click.option("--refusal-reason", default=None),
        click.option("--inspectors-signed", is_flag=True),
        click.option("--witness", default=None),
    )):
        command = option(command)
    return command


@click.command("record", cls=SsjCommand)
@tenant_option
@click.option("--task", "task", required=True, metavar="CODE")
@record_options
def record(tenant: str, task: str, credit_code: str, method: str, on: datetime,
           inspectors: tuple[str, ...], findings: str, acknowledgement: str,
           refusal_reason: str | None, inspectors_signed: bool, witness: str | None) -> None:
    """Write the on-site record (现场检查记录) of one drawn target."""
    present = [parse_inspector(v) for v in inspectors]
    with session(tenant) as (s, t):
        row = record_service.record_on_site(
            s, platform(), tenant_of(t), task, credit_code, method=method, inspected_on=on.date(),
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
        row = record_service.add_excluded_period(s, tenant_of(t), task, kind=kind,
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
        row = record_service.record_result(s, platform(), tenant_of(t), task, credit_code, result,
                                           handling=handling, decided_on=day_of(on))
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
        record_service.write_report(s, platform(), tenant_of(t), task, values)
        click.echo(f"report written ({', '.join(values)})")


commands: list[click.Command] = [plans, tasks, notices, record, period, result, report]
