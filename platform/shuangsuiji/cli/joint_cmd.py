"""`ssj joint plan|answer|show|result|record|publish`: joint tasks (联合抽查), participants."""

from __future__ import annotations

from datetime import datetime

import click

from shuangsuiji.cli.common import SsjGroup, cli_actor, platform, session, tenant_option
from shuangsuiji.cli.lifecycle import parse_inspector, record_options, tenant_of
from shuangsuiji.services import joint, joint_guest, joint_results, joint_tenants

DATE = click.DateTime(["%Y-%m-%d"])


@click.group("joint", cls=SsjGroup)
def joint_group() -> None:
    """Joint tasks (联合抽查): participants, their quotas, results per item, publication."""


@joint_group.command("plan")
@tenant_option
@click.option("--task", "task", required=True, metavar="CODE")
@click.option("--participant", "given", multiple=True, required=True,
              metavar="UNIT:ITEM[,ITEM…][:QUOTA]",
              help="A unit taking part, the items it brings and its inspectors per group "
                   "(default 1); repeatable, at least two. @SLUG:ITEM… is another tenant at "
                   "the same level bringing items of its own item list (it is invited).")
def plan(tenant: str, task: str, given: tuple[str, ...]) -> None:
    """Set the participants of a task (the whole list); the task becomes joint."""
    plans = [joint.parse_plan(text, where=f"--participant {text}") for text in given]
    with session(tenant) as (s, t):
        rows = joint.plan(s, tenant_of(t), task, plans, platform())
        for r in rows:
            click.echo(f"{r.code} ({r.name}): {', '.join(r.item_codes)}; quota {r.quota}; "
                       f"{r.state}")


HOST = click.option("--host", "host", default=None, metavar="SLUG",
                    help="The tenant whose joint task it is (when this tenant takes part in "
                         "another tenant's task; needed only when two hosts use the code).")


@joint_group.command("answer")
@tenant_option
@click.option("--task", "task", required=True, metavar="CODE")
@click.option("--participant", "code", default=None, metavar="CODE",
              help="A unit of this tenant's task; leave out to answer another tenant's "
                   "invitation as this tenant.")
@HOST
@click.option("--accept/--refuse", "accept", required=True)
@click.option("--note", default="", help="Why (required for a refusal).")
def answer(tenant: str, task: str, code: str | None, host: str | None, accept: bool,
           note: str) -> None:
    """A participant accepts or refuses to take part (another tenant: from its own login)."""
    with session(tenant) as (s, t):
        if code is None or host is not None:
            row = joint_tenants.answer(s, tenant_of(t), task, accept=accept, note=note,
                                       actor=cli_actor(), host_slug=host)
        else:
            row = joint.answer(s, tenant_of(t), task, code, accept=accept, note=note,
                               actor=cli_actor())
        click.echo(f"{row.code}: {row.state}")


@joint_group.command("invitations")
@tenant_option
def invitations(tenant: str) -> None:
    """The joint tasks of other tenants this tenant is a participant of."""
    with session(tenant) as (s, t):
        rows = joint_tenants.invitations(s, tenant_of(t))
        if not rows:
            click.echo("no invitation")
        for h, found, p in rows:
            click.echo(f"{h.slug} {found.code} ({found.title}) {found.starts_on}–"
                       f"{found.ends_on}: {p.state}; items {', '.join(p.item_codes)}; "
                       f"quota {p.quota}; task {found.status}")


@joint_group.command("show")
@tenant_option
@click.option("--task", "task", required=True, metavar="CODE")
def show(tenant: str, task: str) -> None:
    """The participants of a joint task, their results and publication."""
    with session(tenant) as (s, _):
        found = joint.get_task(s, task)
        for v in joint_results.views(s, found):
            published = (f"published {v.published_on} (due {v.due_on}"
                         f"{', on time' if v.on_time else ', late'}"
                         f"{', PROVISIONAL' if v.provisional else ''})" if v.published_on
                         else "not published")
            click.echo(f"{v.code} ({v.name}) {v.state}: items {', '.join(v.item_codes)}; "
                       f"quota {v.quota}; {v.results} results, {v.problems} problems; "
                       f"{published}")


@joint_group.command("result")
@tenant_option
@click.option("--task", "task", required=True, metavar="CODE")
@click.option("--target", "credit_code", required=True, metavar="USCC")
@click.option("--item", "item", required=True, metavar="CODE")
@click.option("--result", "result", required=True, help="e.g. no_problem, problem_rectified.")
@click.option("--handling", default="", help="Handling opinion (处理意见).")
@click.option("--on", "on", type=DATE, default=None)
@HOST
def result(tenant: str, task: str, credit_code: str, item: str, result: str, handling: str,
           on: datetime | None, host: str | None) -> None:
    """Set the result of one item at one drawn target (after its one on-site record);
    with --host, of this tenant's own item of another tenant's joint task."""
    with session(tenant) as (s, t):
        decided = on.date() if on else None
        if host is not None:
            row = joint_guest.record_result(s, platform(), tenant_of(t), task, credit_code,
                                            item, result, handling=handling,
                                            decided_on=decided, host_slug=host)
        else:
            row = joint_results.record_item_result(
                s, platform(), tenant_of(t), task, credit_code, item, result,
                handling=handling, decided_on=decided)
        click.echo(f"{row.credit_code} {row.item_code} ({row.participant_code}): {row.result}"
                   f"{' (problem found)' if row.problem_found else ''}")


def _item_result(value: str) -> tuple[str, tuple[str, str]]:
    item, sep, rest = value.partition("=")
    result, _, handling = rest.partition(":")
    if not sep or not item.strip() or not result.strip():
        raise click.BadParameter(f"{value!r}: write ITEM=RESULT[:HANDLING], "
                                 "e.g. SX-001=problem_rectified:责令限期整改")
    return item.strip(), (result.strip(), handling.strip())


@joint_group.command("record")
@tenant_option
@click.option("--host", "host", required=True, metavar="SLUG",
              help="The tenant whose joint task it is.")
@click.option("--task", "task", required=True, metavar="CODE")
@record_options
@click.option("--result", "results", multiple=True, metavar="ITEM=RESULT[:HANDLING]",
              help="The result of one of this tenant's own items (its own code); repeatable.")
def record(tenant: str, host: str, task: str, credit_code: str, method: str, on: datetime,
           inspectors: tuple[str, ...], findings: str, acknowledgement: str,
           refusal_reason: str | None, inspectors_signed: bool, witness: str | None,
           results: tuple[str, ...]) -> None:
    """This tenant writes the one on-site record of a drawn target of another tenant's
    joint task (once per visit), with the results of its own items."""
    visit = joint_guest.Visit(method, on.date(), [parse_inspector(v) for v in inspectors],
                              findings, acknowledgement, refusal_reason, inspectors_signed,
                              witness)
    given = dict(map(_item_result, results))
    with session(tenant) as (s, t):
        me = tenant_of(t)
        own = {joint_tenants.joint_code(me.slug, joint_tenants.own_code(me.slug, i)): r
               for i, r in given.items()}
        row = joint_guest.record_visit(s, platform(), me, task, credit_code, visit, own,
                                       host_slug=host)
        click.echo(f"recorded {row.credit_code} of {host}/{task} ({row.method}, "
                   f"{len(row.inspectors)} inspectors; {len(own)} item result(s))")


@joint_group.command("publish")
@tenant_option
@click.option("--task", "task", required=True, metavar="CODE")
@click.option("--participant", "code", default=None, metavar="CODE",
              help="A unit of this tenant's task; leave out with --host.")
@HOST
def publish(tenant: str, task: str, code: str | None, host: str | None) -> None:
    """A participant publishes the results of its own items; with --host, this tenant its
    own items of another tenant's joint task (by its own pack's deadline)."""
    with session(tenant) as (s, t):
        if host is not None or code is None:
            row = joint_guest.publish(s, platform(), tenant_of(t), task, host_slug=host)
            code = row.participant_code
        else:
            row = joint_results.publish_participant(s, platform(), tenant_of(t), task, code)
        click.echo(f"{code} published {row.results} result(s) on {row.published_on} "
                   f"(due {row.due_on}{', on time' if row.on_time else ', LATE'}; "
                   f"{row.deadline_cite})")
        if row.provisional:  # a year its own calendar does not cover: said, never guessed
            click.echo("warning: the due date is PROVISIONAL: it crosses a year no holiday "
                       "calendar of this participant covers (only weekends were skipped); "
                       "import that year's State Council notice: ssj calendar import",
                       err=True)


commands: list[click.Command] = [joint_group]
