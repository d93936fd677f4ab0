"""The ``ssj`` command line (also reachable as ``flask --app shuangsuiji ...``)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from shuangsuiji.cli import (
    audit_cmd,
    db_cmd,
    demo_cmd,
    draw_cmd,
    imports,
    items_cmd,
    lifecycle,
    pack_dev,
    packs_cmd,
    tenants_cmd,
    users,
)
from shuangsuiji.cli.common import SsjGroup

MODULES = (
    db_cmd, tenants_cmd, packs_cmd, audit_cmd, imports, items_cmd, draw_cmd, lifecycle,
    pack_dev, users, demo_cmd,
)


def register_commands(group: click.Group) -> None:
    """Add every command module's commands to ``group`` (the app's CLI or ``ssj``)."""
    for module in MODULES:
        for command in module.commands:
            if command.name not in group.commands:
                group.add_command(command)


def _create_app() -> Flask:
    from shuangsuiji import create_app

    return create_app({"SSJ_CLI": True})


class _Main(SsjGroup, FlaskGroup):
    pass


cli = _Main(
    name="ssj",
    create_app=_create_app,
    add_default_commands=False,
    add_version_option=False,
    help="shuangsuiji: 双随机、一公开 — random inspections, verifiable draws, publication.",
)


def main() -> None:
    cli.main(prog_name="ssj")
