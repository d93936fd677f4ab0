"""`ssj demo load`: the demo deployment's tenants, accounts and data."""

from __future__ import annotations

import click

from shuangsuiji.cli.common import SsjGroup, platform


@click.group("demo", cls=SsjGroup)
def demo() -> None:
    """Demo data."""


@demo.command("load")
def load() -> None:
    """Create the MIIT, Chongqing, Yuzhong and example-province tenants with data."""
    from shuangsuiji.demo.load import load as load_demo

    load_demo(platform().db.sessionmaker, platform(), click.echo)
    click.echo("demo loaded")


commands: list[click.Command] = [demo]
