"""`ssj units import|list|set-subunits`: the organisation tree (组织机构) of a tenant."""

from __future__ import annotations

from pathlib import Path

import click

from shuangsuiji.cli.common import SsjGroup, cli_actor, session, tenant_option
from shuangsuiji.services import units


@click.group("units", cls=SsjGroup)
def units_group() -> None:
    """The organisation tree (组织机构): 司局, 处室, 综合执法处, 下级主管部门."""


@units_group.command("import")
@tenant_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(tenant: str, file: Path) -> None:
    """Import FILE (CSV UTF-8/GBK or XLSX; 单位编码, 单位名称, 上级单位编码, 单位类型) as
    the whole tree: all or nothing."""
    with session(tenant) as (s, _):
        report = units.import_units(s, file, file.name, actor=cli_actor())
        if report.version is None:
            click.echo(f"{report.units} units: the tree is unchanged")
        else:
            click.echo(f"{report.units} units ({report.added} new, {report.changed} changed, "
                       f"{report.removed} removed); the tree is now version {report.version}")


@units_group.command("list")
@tenant_option
def list_(tenant: str) -> None:
    """List the units as a tree."""
    with session(tenant) as (s, _):
        tree = units.load_tree(s)
        if tree is None:
            click.echo("no organisation tree (import one with `ssj units import`)")
            return
        children: dict[str | None, list[str]] = {}
        for code, unit in tree.units.items():
            children.setdefault(unit.parent, []).append(code)

        def show(code: str, depth: int) -> None:
            unit = tree.units[code]
            click.echo(f"{'  ' * depth}{code}  {unit.name}  ({unit.kind})")
            for child in children.get(code, []):
                show(child, depth + 1)

        for root in children.get(None, []):
            show(root, 0)


@units_group.command("set-subunits")
@tenant_option
@click.argument("value", type=click.Choice(["on", "off"]))
def set_subunits(tenant: str, value: str) -> None:
    """Whether an operator of a unit acts for its sub-units too."""
    with session(tenant) as (s, _):
        units.set_subunits(s, value == "on", actor=cli_actor())
        click.echo(f"operators act for their sub-units: {value}")


commands: list[click.Command] = [units_group]
