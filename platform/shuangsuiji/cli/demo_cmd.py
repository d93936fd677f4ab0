"""`ssj demo load`: the demo deployment's tenants, accounts and data."""

from __future__ import annotations

import click

from shuangsuiji.cli.common import SsjGroup, platform


@click.group("demo", cls=SsjGroup)
def demo() -> None:
    """Demo data."""


@demo.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) if already loaded.")
def load(if_empty: bool) -> None:
    """Create the MIIT, Chongqing, Yuzhong and example-province tenants with data."""
    from shuangsuiji.demo.load import DEMO_PASSWORD, is_loaded
    from shuangsuiji.demo.load import load as load_demo

    factory = platform().db.sessionmaker
    if if_empty and is_loaded(factory):
        click.echo(f"demo already loaded (accounts: admin, <tenant>-admin, <tenant>-operator, "
                   f"<tenant>-viewer, <tenant>-inspector; password {DEMO_PASSWORD})")
        return
    load_demo(factory, platform(), click.echo)
    click.echo("demo loaded")


commands: list[click.Command] = [demo]
