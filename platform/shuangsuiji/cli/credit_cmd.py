"""`ssj credit-publicity handover|confirm`: results to the credit publicity system.

MIIT 第十五条 / CQ 第十四条 publish on the portal and on the credit publicity system
(信用信息公示系统). The platform writes the file that system takes and records who handed it
over; the channel stays pending until someone confirms the results were published there.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from shuangsuiji.cli.common import SsjGroup, cli_actor, session, tenant_option
from shuangsuiji.services import credit_publicity

DATE = click.DateTime(["%Y-%m-%d"])


@click.group("credit-publicity", cls=SsjGroup)
def credit_group() -> None:
    """Hand published results over to the credit publicity system (信用信息公示系统)."""


@credit_group.command("handover")
@tenant_option
@click.option("--task", "task", required=True, metavar="CODE")
@click.option("--output", "output", required=True,
              type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="The file to write: .csv or .xlsx (Chinese headings).")
def handover(tenant: str, task: str, output: Path) -> None:
    """Write the hand-over file of a published task and record the hand-over."""
    file_format = output.suffix.lower().lstrip(".")
    with session(tenant) as (s, t):
        assert t is not None
        made = credit_publicity.hand_over(s, t, task, file_format, actor=cli_actor())
    output.write_bytes(made.data)
    click.echo(f"wrote {made.record.rows} rows to {output}; handed over by "
               f"{made.record.handed_over_by}; the channel is pending until confirmed "
               f"(`ssj credit-publicity confirm --task {task}`)")


@credit_group.command("confirm")
@tenant_option
@click.option("--task", "task", required=True, metavar="CODE")
@click.option("--on", "on", type=DATE, default=None,
              help="The day the results appeared there (default: today).")
def confirm(tenant: str, task: str, on: datetime | None) -> None:
    """Confirm the handed-over results were published on the credit publicity system."""
    with session(tenant) as (s, t):
        assert t is not None
        record = credit_publicity.confirm(s, t, task, actor=cli_actor(),
                                          published_on=on.date() if on else None)
        click.echo(f"task {task}: published on the credit publicity system on "
                   f"{record.confirmed_on} (confirmed by {record.confirmed_by})")


commands: list[click.Command] = [credit_group]
