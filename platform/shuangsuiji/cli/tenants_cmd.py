"""`ssj tenants list|create|show`."""

from __future__ import annotations

from datetime import date

import click

from shuangsuiji.cli.common import SsjGroup, platform, session
from shuangsuiji.services import tenants as tenant_service


@click.group("tenants", cls=SsjGroup)
def tenants() -> None:
    """Tenants (辖区) and their packs."""


@tenants.command("list")
def list_() -> None:
    """List every tenant with its parent and the pack chain that governs it."""
    with session() as (s, _):
        rows = tenant_service.all_tenants(s)
        if not rows:
            click.echo("no tenants yet: ssj tenants create SLUG --name NAME --pack miit")
        for t in rows:
            parent = t.parent.slug if t.parent else "-"
            chain = " → ".join(platform().policy_for(t).pack_names)
            click.echo(f"{t.slug:<16} {t.level:<9} parent={parent:<12} packs={chain}  {t.name}")


@tenants.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="Display name, e.g. 重庆市经济和信息化委员会.")
@click.option("--name-en", default=None)
@click.option("--pack", default=None, help="Pack name; omit to inherit the parent's rules.")
@click.option("--parent", default=None, metavar="SLUG")
@click.option(
    "--level", default="province", type=click.Choice(["central", "province", "city", "district"])
)
def create(
    slug: str, name: str, name_en: str | None, pack: str | None, parent: str | None, level: str
) -> None:
    """Create a tenant."""
    with session() as (s, _):
        t = tenant_service.create(
            s,
            platform(),
            slug=slug,
            name=name,
            name_en=name_en,
            pack=pack,
            parent=parent,
            level=level,
        )
        click.echo(f"created tenant {t.slug} ({' → '.join(platform().policy_for(t).pack_names)})")


@tenants.command("show")
@click.argument("slug")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Show the rules in force on this date (default: today).",
)
def show(slug: str, as_of: object) -> None:
    """Show a tenant and every rule in force for it, with citations (as `ssj pack rules`)."""
    from shuangsuiji.packkit.listing import chain_text, format_rules, plan_window_on

    day = as_of.date() if as_of else date.today()  # type: ignore[attr-defined]
    with session() as (s, _):
        t = tenant_service.get(s, slug)
        policy = platform().policy_for(t)
        rules = policy.rules(day)
        click.echo(f"{t.slug}: {t.name} [{t.level}]  parent: {t.parent.slug if t.parent else '-'}")
        click.echo(
            "rules as of "
            + day.isoformat()
            + ": "
            + chain_text(rules)
            + " (each rule names the pack and article that answered it)"
        )
        click.echo("  " + "\n  ".join(format_rules(rules, plan_window_on(policy, day))))


commands: list[click.Command] = [tenants]
