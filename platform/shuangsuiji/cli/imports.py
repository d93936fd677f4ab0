"""`ssj import targets|inspectors|experts|items` and `ssj export ...`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask.cli import with_appcontext
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from shuangsuiji.cli.common import SsjCommand, SsjGroup, cli_actor, platform, session, tenant_option
from shuangsuiji.services import exports, imports
from shuangsuiji.services.imports import today_in_china

#: Files with at least this many rows get a progress bar.
PROGRESS_FROM_ROWS = 20000


@contextmanager
def _progress_bar(path: Path) -> Iterator[Callable[[str, int, int | None], None]]:
    """A progress callback that draws a bar on stderr (stdout stays for the summary)."""
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=Console(stderr=True), transient=True,
    )
    tasks: dict[str, TaskID] = {}
    # A CSV's size in bytes tells cheaply whether a bar is worth drawing.
    big = path.stat().st_size > PROGRESS_FROM_ROWS * 60

    def update(phase: str, done: int, total: int | None) -> None:
        if not big:
            return
        if phase not in tasks:
            label = "checking rows" if phase == "reading" else "writing"
            tasks[phase] = progress.add_task(label, total=total)
        progress.update(tasks[phase], completed=done, total=total)

    with progress:
        yield update


@click.group("import", cls=SsjGroup)
def import_group() -> None:
    """Import directories (名录库) and the item list (抽查事项清单); see docs/imports.md."""


def _import_command(kind: str) -> click.Command:
    # Made through the group, so that it runs inside the app context like every ssj command.
    @import_group.command(kind, help=f"Import {kind} from a CSV (UTF-8 or GBK) or XLSX file. "
                   "Every row is checked first; if any is bad nothing is written. "
                   "Re-importing updates changed rows and keeps their history.")
    @tenant_option
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--sheet", default=None, help="XLSX worksheet name (default: the first).")
    @click.option("--dry-run", is_flag=True, help="Check and count, write nothing.")
    def command(tenant: str, file: Path, sheet: str | None, dry_run: bool) -> None:
        with session(tenant) as (s, found), _progress_bar(file) as progress:
            assert found is not None
            categories = methods = None
            if kind == "items":
                rules = platform().policy_for(found).rules(today_in_china())
                categories, methods = rules.item_categories, rules.methods
            report = imports.import_file(s, found, kind, file, actor=cli_actor(), sheet=sheet,
                                         dry_run=dry_run, categories=categories,
                                         methods=methods, progress=progress)
            if dry_run:
                s.rollback()
        click.echo(report.summary())

    return command


for _kind in ("targets", "inspectors", "experts", "items"):
    _import_command(_kind)


@click.command("export", cls=SsjCommand)
@click.argument("kind", type=click.Choice(exports.EXPORT_KINDS))
@tenant_option
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--lang", type=click.Choice(exports.LANGS), default="zh", show_default=True,
              help="Heading language: zh (中文, as regulators' systems use) or en.")
@with_appcontext
def export_command(kind: str, tenant: str, file: Path, lang: str) -> None:
    """Export KIND to FILE (.csv or .xlsx); the file can be imported again unchanged."""
    with session(tenant) as (s, _):
        data = exports.export_file(s, kind, file, lang)
    file.write_bytes(data)
    click.echo(f"exported {kind} to {file}")


commands: list[click.Command] = [import_group, export_command]
