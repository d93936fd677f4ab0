"""Shared CLI plumbing: user errors as messages, tenant-scoped sessions, the platform.

Flask is imported only when a command runs in an app's context: the quick commands of
``ssj`` (:data:`shuangsuiji.cli.registry.LIGHT`) run on a :class:`Platform` built without it
(:func:`use_platform`); under ``flask --app shuangsuiji`` and ``app.test_cli_runner()`` a
command gets the app's context as flask's ``AppGroup`` gives it.
"""

from __future__ import annotations

import functools
import getpass
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from shuangsuiji.cli.ending import end_now
from shuangsuiji.db.session import set_actor
from shuangsuiji.errors import UserError
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.platform import Platform

#: The platform of a quick ``ssj`` command (set by :func:`use_platform`), else None: the
#: command runs in a Flask app's context.
_PLATFORM: list[Platform] = []


def use_platform(platform: Platform) -> None:
    """Run this process's commands on ``platform``, without a Flask app."""
    _PLATFORM[:] = [platform]


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


def _unreachable(exc: DBAPIError) -> click.ClickException | None:
    """A database that cannot be opened or reached (no statement was sent) gets advice."""
    if exc.statement is not None or not isinstance(exc, OperationalError):
        return None
    where = os.environ.get("SSJ_DATABASE_URL")
    shown = "configured for this instance" if not where else _without_password(where)
    return click.ClickException(
        f"cannot open the database {shown} ({exc.orig})\n"
        "  → check SSJ_DATABASE_URL: the file's folder must exist and be writable, or the "
        "database server must be running and accept this user"
    )


def _without_password(url: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(SSJ_DATABASE_URL is not a database URL)"


def _user_errors() -> tuple[type[Exception], ...]:
    from shuangsuiji.kernel import KernelError

    return (UserError, KernelError)


def friendly_error(exc: Exception) -> click.ClickException | None:
    """The message a user sees for ``exc``, or None when it is a bug (shown as one)."""
    if isinstance(exc, _user_errors()):
        return _as_click_error(exc)
    if isinstance(exc, DBAPIError):
        return _missing_schema(exc) or _unreachable(exc)
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


def _in_app_context(f: Callable[..., Any]) -> Callable[..., Any]:
    """flask's ``with_appcontext``, importing Flask only when there is no platform of a
    quick command: without an active app, load the app of the click context's ScriptInfo."""

    @click.pass_context
    @functools.wraps(f)
    def run(ctx: click.Context, /, *args: Any, **kwargs: Any) -> Any:
        if not _PLATFORM:
            from flask import current_app
            from flask.cli import ScriptInfo

            if not current_app:
                app = ctx.ensure_object(ScriptInfo).load_app()
                ctx.with_resource(app.app_context())
        return ctx.invoke(f, *args, **kwargs)

    return run


class SsjGroup(FriendlyErrors, click.Group):
    """A command group whose commands report user errors as messages and run with the
    platform (as flask's ``AppGroup``: ``with_appcontext=False`` leaves a command bare)."""

    group_class = type  # subgroups are SsjGroups too

    def command(self, *args: Any, **kwargs: Any) -> Any:
        wrap = kwargs.pop("with_appcontext", True)

        def decorator(f: Callable[..., Any]) -> click.Command:
            return super(SsjGroup, self).command(*args, **kwargs)(
                _in_app_context(f) if wrap else f)

        return decorator


class SsjCommand(FriendlyErrors, click.Command):
    """A leaf command with the same error handling as :class:`SsjGroup`."""


def leave(stop: SystemExit) -> None:
    """End the ``ssj`` process of a command run without Flask (:func:`use_platform`) now,
    with ``stop``'s exit status; return (and let the interpreter end) for any other.

    The command's work is done and committed: what is left is the database connections
    (closed here, so SQLite folds its write-ahead log back into the file), the output
    (flushed) and the exit handlers (run: coverage, logging). Tearing the interpreter down
    after that only frees memory the operating system takes back anyway, about 0.1 s after
    a million-target draw."""
    if not _PLATFORM:
        return
    _PLATFORM[0].db.dispose()
    end_now(stop)


def platform() -> Platform:
    if _PLATFORM:
        return _PLATFORM[0]
    from flask import current_app

    return current_app.extensions["shuangsuiji"]  # type: ignore[no-any-return]


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
        set_actor(s, cli_actor())
        found = None
        if tenant is not None:
            from shuangsuiji.services import tenants as tenant_service

            found = tenant_service.get(s, tenant)
            s.info["tenant_id"] = found.id
        yield s, found
        s.commit()


tenant_option = click.option(
    "--tenant", "tenant", required=True, metavar="SLUG", help="Tenant (辖区) slug."
)
