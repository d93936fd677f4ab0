"""`ssj db upgrade|downgrade|current`: Alembic migrations."""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config

from shuangsuiji.cli.common import SsjGroup, platform

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the packaged migrations and ``url``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@click.group("db", cls=SsjGroup)
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Upgrade the schema to REVISION (default: head)."""
    command.upgrade(alembic_config(platform().db.url), revision)
    click.echo(f"database at {revision}")


@db.command("downgrade")
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Downgrade the schema to REVISION (e.g. base)."""
    command.downgrade(alembic_config(platform().db.url), revision)
    click.echo(f"database at {revision}")


@db.command("current")
def current() -> None:
    """Show the current revision."""
    command.current(alembic_config(platform().db.url))


commands: list[click.Command] = [db]
