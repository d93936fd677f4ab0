"""`ssj provisions add|list`: superseding provisions (CQ 第十条第一款 另有规定的，从其规定)."""

from __future__ import annotations

from datetime import datetime

import click

from shuangsuiji.cli.common import SsjGroup, cli_actor, session, tenant_option
from shuangsuiji.services import provisions

DATE = click.DateTime(["%Y-%m-%d"])


@click.group("provisions", cls=SsjGroup)
def provisions_group() -> None:
    """Superseding provisions (另有规定) that set another frequency for items."""


@provisions_group.command("add")
@tenant_option
@click.option("--document", required=True, help="Document number (文号).")
@click.option("--article", required=True, help="Article, e.g. 第三条.")
@click.option("--title", default="", help="Title of the document.")
@click.option("--item", "items", multiple=True, required=True, help="Item code (repeatable).")
@click.option("--effective", type=DATE, required=True, help="First day in force.")
@click.option("--ends", type=DATE, default=None, help="Last day in force (default: open).")
@click.option("--frequency", default="", help="The frequency it sets, e.g. 每季度1次.")
@click.option("--once-per-year/--not-once-per-year", default=False,
              help="Whether the once-a-year rule still applies (default: it does not).")
def add(tenant: str, document: str, article: str, title: str, items: tuple[str, ...],
        effective: datetime, ends: datetime | None, frequency: str,
        once_per_year: bool) -> None:
    """Record a provision; draws of its items cite it instead of the pack's once-a-year."""
    with session(tenant) as (s, _):
        row = provisions.record(s, document=document, article=article, title=title,
                                item_codes=items, effective=effective.date(),
                                ends=ends.date() if ends else None,
                                once_per_year=once_per_year, frequency=frequency,
                                actor=cli_actor())
        click.echo(f"provision {row.document} {row.article} recorded for "
                   f"{', '.join(row.item_codes)} from {row.effective}")


@provisions_group.command("list")
@tenant_option
def list_(tenant: str) -> None:
    """List the tenant's provisions."""
    with session(tenant) as (s, _):
        for p in provisions.list_provisions(s):
            until = p.ends.isoformat() if p.ends else "open"
            click.echo(f"{p.document} {p.article}  {p.effective}–{until}  "
                       f"{', '.join(p.item_codes)}  {p.frequency or '-'}"
                       f"{'' if p.once_per_year else '  (once a year lifted)'}")


commands: list[click.Command] = [provisions_group]
