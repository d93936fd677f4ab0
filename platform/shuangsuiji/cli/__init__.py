"""The ``ssj`` command line (also reachable as ``flask --app shuangsuiji ...``).

Start-up is kept short: ``ssj --help`` imports nothing but click (the command list and
short help are :data:`COMMANDS`, written here), and a command imports only its own module,
then builds the app without the web and API layers (``SSJ_CLI``); the quick commands
(:data:`LIGHT`: ``tenants``, ``packs``) not even Flask, only the platform
(:func:`shuangsuiji.host.cli_platform`); so does ``ssj draw`` (:data:`BARE`), with every
model. ``bench/cli_start.py`` measures it;
``tests/foundation/test_cli_start.py`` keeps :data:`COMMANDS` in step with the modules'
commands and checks what a quick command imports.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from shuangsuiji.cli.registry import (
    BARE,
    COMMANDS,
    LIGHT,
    MODULES,
    OFFLINE,
    register_commands,
)

__all__ = ["COMMANDS", "LIGHT", "MODULES", "OFFLINE", "cli", "main", "register_commands"]


def _create_app() -> Any:
    from shuangsuiji.app import create_app

    return create_app({"SSJ_CLI": True})


def _command(name: str) -> click.Command | None:
    entry = COMMANDS.get(name)
    if entry is None:
        return None
    for command in importlib.import_module(entry[0]).commands:
        if command.name == name:
            return command  # type: ignore[no-any-return]
    return None


class _Main(click.Group):
    """``ssj``: commands are imported when called, the app built only by a command that
    needs it (through flask's ``with_appcontext`` and the :class:`ScriptInfo` set here)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        process = bool(_PROCESS) and not ctx.resilient_parsing
        quick = cmd_name in LIGHT and process
        if quick:
            import shuangsuiji

            shuangsuiji.MODELS_ON_DEMAND = True  # before the command's module is imported
        command = _command(cmd_name)
        if command is None or cmd_name in OFFLINE or ctx.resilient_parsing:
            return command
        if quick or (cmd_name in BARE and process):
            from shuangsuiji.cli.common import use_platform
            from shuangsuiji.host import cli_platform

            use_platform(cli_platform())
            return command
        from flask import current_app
        from flask.cli import ScriptInfo

        if ctx.obj is None:
            ctx.obj = ScriptInfo(create_app=_create_app, set_debug_flag=False)
        if not current_app:
            # as flask's FlaskGroup does: the command (a group's own callback too) runs in
            # the app's context, the app built now, once
            ctx.with_resource(ctx.obj.load_app().app_context())
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [(name, _shorten(text, limit)) for name, (_m, text) in sorted(COMMANDS.items())]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # click's own (a refused verify, --help): no need of the common helpers
        except Exception as exc:
            from shuangsuiji.cli.common import friendly_error

            friendly = friendly_error(exc)
            if friendly is None:
                raise
            raise friendly from None


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 3, 10)].rsplit(" ", 1)[0]
    return cut.rstrip(",;") + "..."


cli = _Main(
    name="ssj",
    help="shuangsuiji: 双随机、一公开 — random inspections, verifiable draws, publication.",
)


#: Set by :func:`main`: this process is the ``ssj`` command itself, so a quick command
#: (:data:`LIGHT`) may run without Flask and define only the models it uses. ``cli``
#: invoked in a longer-lived process (tests' ``CliRunner``) builds an app every time.
_PROCESS: list[bool] = []


def main() -> None:
    _PROCESS.append(True)
    try:
        cli.main(prog_name="ssj")
    except SystemExit as stop:
        common = sys.modules.get("shuangsuiji.cli.common")  # not imported by --help, verify
        if common is None:
            from shuangsuiji.cli.ending import end_now

            end_now(stop)  # an offline command (verify, verifier, --help): nothing is open
        common.leave(stop)  # a command run without Flask: its process ends here
        raise
