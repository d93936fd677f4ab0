"""Shared CLI plumbing: user errors as messages, tenant-scoped sessions."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from shuangsuiji.errors import UserError
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.platform import Platform
from shuangsuiji.services import audit
from shuangsuiji.services import tenants as tenant_service


def _as_click_error(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc))


def _missing_schema(exc: DBAPIError) -> click.ClickException | None:
    """A database without the schema gets advice, not a traceback."""
    text = str(exc.orig).lower()
    if "no such table" in text or ("relation" in text and "does not exist" in text) or (
        "doesn't exist" in text
    ):
        return click.ClickException(
            f"the database has no schema yet ({exc.orig})\n  → run `ssj db upgrade` first"
        )
    return None


def _user_errors() -> tuple[type[Exception], ...]:
    from shuangsuiji.kernel import KernelError

    return (UserError, KernelError)


def friendly_error(exc: Exception) -> click.ClickException | None:
    """The message a user sees for ``exc``, or None when it is a bug (shown as one)."""
    if isinstance(exc, _user_errors()):
        return _as_click_error(exc)
    if isinstance(exc, DBAPIError):
        return _missing_schema(exc)
    return None


class FriendlyErrors:
    """Mixin for click commands and groups: a :class:`UserError` (or a kernel refusal, or a
    database without its schema) is shown as a message, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)  # type: ignore[misc]
        except Exception as exc:
            friendly = friendly_error(exc)
            if friendly is None:
                raise
            raise friendly from None


class SsjGroup(FriendlyErrors, AppGroup):
    """A command group whose commands report user errors as messages."""


class SsjCommand(FriendlyErrors, click.Command):
    """A leaf command with the same error handling as :class:`SsjGroup`."""


def platform() -> Platform:
    return current_app.extensions["shuangsuiji"]


def cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except OSError:
        return "cli"


@contextmanager
def session(tenant: str | None = None) -> Iterator[tuple[Session, Tenant | None]]:
    """A session for a CLI command, scoped to ``tenant`` (a slug) when given. Commits at the
    end of the block; any error rolls back, so a command changes everything or nothing."""
    with platform().db.session() as s:
        audit.set_actor(s, cli_actor())
        found = None
        if tenant is not None:
            found = tenant_service.get(s, tenant)
            s.info["tenant_id"] = found.id
        yield s, found
        s.commit()


tenant_option = click.option(
    "--tenant", "tenant", required=True, metavar="SLUG", help="Tenant (辖区) slug."
)
