"""`ssj packs list`: installed packs, their versions, and which tenants use them."""

from __future__ import annotations

import click

from shuangsuiji.cli.common import SsjGroup, platform, session
from shuangsuiji.rules import PLATFORM_DEFAULT_ZH, PackVersion
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
            for line in version_lines(meta):
                click.echo(f"    {line}")
        click.echo(f"    tenants: {', '.join(users.get(pack.name, [])) or '-'}")


def version_lines(meta: PackVersion) -> list[str]:
    """A pack version as ``ssj packs list`` prints it: document, dates, what it repeals, and
    the figures the text leaves open."""
    until = f" until {meta.repealed}" if meta.repealed else ""
    issued = str(meta.issued) + ("" if meta.issued_confirmed else
                                 " (unconfirmed: no public source checked yet)")
    lines = [f"version {meta.version}: {meta.document} 《{meta.title}》, issued {issued}, "
             f"in force from {meta.effective}{until}"]
    if meta.repeals:
        lines.append(f"    repeals {meta.repeals} (its rules are not in the pack)")
    for d in meta.defaults:
        lines.append(f"    {d.setting} = {d.value}: {PLATFORM_DEFAULT_ZH} ({d.article})")
    return lines


commands: list[click.Command] = [packs]
