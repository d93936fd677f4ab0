"""`ssj packs list`: installed packs, their versions, and which tenants use them."""

from __future__ import annotations

import click

from shuangsuiji.cli.common import SsjGroup, platform, session
from shuangsuiji.services import tenants as tenant_service


@click.group("packs", cls=SsjGroup)
def packs() -> None:
    """Installed policy packs (实施细则)."""


@packs.command("list")
def list_() -> None:
    """List installed packs with their versions and the tenants that use them."""
    with session() as (s, _):
        users: dict[str, list[str]] = {}
        for t in tenant_service.all_tenants(s):
            if t.pack:
                users.setdefault(t.pack, []).append(t.slug)
    for pack in platform().packs:
        click.echo(f"{pack.name} — {pack.title} (contract {pack.contract})")
        for meta, _ in pack.versions:
            until = f" until {meta.repealed}" if meta.repealed else ""
            click.echo(f"    version {meta.version}: {meta.document}, in force from "
                       f"{meta.effective}{until}")
        click.echo(f"    tenants: {', '.join(users.get(pack.name, [])) or '-'}")


commands: list[click.Command] = [packs]
