"""`ssj audit verify|log`: the tamper-evident audit chain."""

from __future__ import annotations

import click

from shuangsuiji.cli.common import SsjGroup, session, tenant_option
from shuangsuiji.services import audit as audit_service


@click.group("audit", cls=SsjGroup)
def audit() -> None:
    """The audit chain (every state change, hash-linked)."""


@audit.command("verify")
@tenant_option
def verify(tenant: str) -> None:
    """Check the tenant's chain, its transparency log against every checkpoint issued, and
    the domain tables against their events; name each problem."""
    from shuangsuiji.services import crosscheck, logverify

    with session(tenant) as (s, t):
        assert t is not None
        report = audit_service.verify(s, t.id)
        log_report = logverify.verify_log(s, t.id)
        rows = crosscheck.cross_check(s, t.id)
    problems = ([f"audit chain: {report.problem}"] if not report.ok else []) + \
        [f"transparency log: {p}" for p in log_report.problems] + \
        [f"tables: {p}" for p in rows]
    if problems:
        for problem in problems:
            click.echo(f"✗ {problem}", err=True)
        raise click.ClickException(f"the audit trail of {tenant} does NOT check out "
                                   f"({len(problems)} problem(s))")
    click.echo(f"audit chain of {tenant}: {report.count} events, intact; transparency log "
               f"consistent with {log_report.checked} checkpoint(s); every draw, void, "
               "recusal, publication, record and import has its event")


@audit.command("log")
@tenant_option
@click.option("--limit", default=20, show_default=True)
def log(tenant: str, limit: int) -> None:
    """Show the latest events."""
    from sqlalchemy import select

    from shuangsuiji.models.audit import AuditEvent

    with session(tenant) as (s, t):
        assert t is not None
        rows = s.scalars(select(AuditEvent).where(AuditEvent.tenant_id == t.id)
                         .order_by(AuditEvent.seq.desc()).limit(limit)).all()
        for e in reversed(rows):
            click.echo(f"{e.seq:>6} {e.at:%Y-%m-%d %H:%M} {e.actor:<16} {e.action:<20} "
                       f"{e.object_type}:{e.object_id}")


commands: list[click.Command] = [audit]
