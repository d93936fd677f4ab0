"""`ssj credit-classes import|list`: each target's credit-risk class (信用风险分类) with the
days it is in force (docs/imports.md)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from sqlalchemy import select

from shuangsuiji.cli.common import SsjGroup, cli_actor, platform, session, tenant_option
from shuangsuiji.models.credit_classes import TargetCreditClass
from shuangsuiji.models.directories import Target
from shuangsuiji.services import credit_classes
from shuangsuiji.services.credit_class_import import import_classes
from shuangsuiji.services.imports import today_in_china

DATE = click.DateTime(["%Y-%m-%d"])


@click.group("credit-classes", cls=SsjGroup)
def credit_classes_group() -> None:
    """Credit-risk classes (信用风险分类) of targets, with effective dates."""


@credit_classes_group.command("import")
@tenant_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--sheet", default=None, help="XLSX worksheet name (default: the first).")
@click.option("--dry-run", is_flag=True, help="Check and count, write nothing.")
def import_(tenant: str, file: Path, sheet: str | None, dry_run: bool) -> None:
    """Import a class file (CSV UTF-8/GBK or XLSX; 统一社会信用代码, 信用风险分类, 生效日期,
    失效日期). Every row is checked first; if any is bad nothing is written. The classes of
    the targets the file names replace their earlier ones."""
    with session(tenant) as (s, found):
        assert found is not None
        report = import_classes(s, found.id, file, None,
                                credit_classes.declared_for(platform(), found),
                                actor=cli_actor(), sheet=sheet, dry_run=dry_run)
        if dry_run:
            s.rollback()
    click.echo(report.summary())


@credit_classes_group.command("list")
@tenant_option
@click.option("--on", "on", type=DATE, default=None,
              help="Only the classes in force on this day (default: every record).")
def list_(tenant: str, on: datetime | None) -> None:
    """List the tenant's class records (credit code, class, from, until), and the count of
    each class declared on the day."""
    with session(tenant) as (s, found):
        assert found is not None
        day = on.date() if on else None
        c = TargetCreditClass
        rows = s.execute(select(Target.credit_code, Target.name, c.class_code, c.starts_on,
                                c.ends_on).join(Target, Target.id == c.target_id)
                         .order_by(Target.credit_code, c.starts_on)).all()
        for code, name, klass, start, end in rows:
            if day is not None and not (start <= day and (end is None or day < end)):
                continue
            click.echo(f"{code}  {klass}  {start}–{end or 'open'}  {name}")
        when = day or today_in_china()
        counts = credit_classes.class_counts(s, when)
        declared = credit_classes.declared_for(platform(), found)(when)
        for row in credit_classes.coverage(declared, counts, {}):
            click.echo(f"class {row.code} ({row.name_zh}, {row.ratio_permille} ‰): "
                       f"{row.targets} targets on {when}")


commands: list[click.Command] = [credit_classes_group]
