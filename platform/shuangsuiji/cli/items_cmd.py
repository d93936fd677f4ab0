"""`ssj items versions|approve|publish`: the item list's approval before publication.

MIIT 第五条 (报部领导批准后公布) and CQ 第四条 (报委领导批准后公布): every change to the item
list makes a draft version; the approval (approver, date, document number) is recorded, then
the version is published. Tasks and draws use only what is published.
"""

from __future__ import annotations

from datetime import datetime

import click

from shuangsuiji.cli.common import SsjGroup, cli_actor, session, tenant_option
from shuangsuiji.services import items as item_service

DATE = click.DateTime(["%Y-%m-%d"])


@click.group("items", cls=SsjGroup)
def items_group() -> None:
    """The item list (随机抽查事项清单): versions, approval, publication."""


@items_group.command("versions")
@tenant_option
def versions(tenant: str) -> None:
    """List every version of the item list with its state and approval."""
    with session(tenant) as (s, _):
        for v in item_service.list_versions(s):
            approval = ""
            if v.approved_on is not None:
                approval = (f"  approved {v.approved_on.isoformat()} by {v.approved_by} "
                            f"({v.approval_document})")
            click.echo(f"{v.number:>4}  {v.status:<9}  {len(v.snapshot)} items  "
                       f"{v.note}{approval}")


@items_group.command("approve")
@tenant_option
@click.option("--version", "number", type=int, required=True, help="The draft version.")
@click.option("--approver", required=True, help="The leader who approved it (批准人).")
@click.option("--on", "approved_on", type=DATE, required=True, help="Date of the approval.")
@click.option("--document", required=True, help="Number of the approving document (文号).")
def approve(tenant: str, number: int, approver: str, approved_on: datetime,
            document: str) -> None:
    """Record the leadership's approval of a draft version (MIIT 第五条, CQ 第四条)."""
    with session(tenant) as (s, _):
        v = item_service.approve_version(s, number, approver=approver,
                                         approved_on=approved_on.date(), document=document,
                                         actor=cli_actor())
        click.echo(f"item-list version {v.number} approved on {v.approved_on} by "
                   f"{v.approved_by} ({v.approval_document}); publish it with `ssj items "
                   f"publish --version {v.number}`")


@items_group.command("publish")
@tenant_option
@click.option("--version", "number", type=int, required=True, help="The approved version.")
def publish(tenant: str, number: int) -> None:
    """Publish an approved version: tasks, draws and the portal use it from now on."""
    with session(tenant) as (s, _):
        v = item_service.publish_version(s, number, actor=cli_actor())
        click.echo(f"item-list version {v.number} published")


commands: list[click.Command] = [items_group]
