"""`ssj draw`, `ssj draw export|void|recuse|show`, `ssj verify`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from shuangsuiji import kernel, standalone
from shuangsuiji.cli.common import SsjCommand, SsjGroup, platform, session, tenant_option
from shuangsuiji.errors import NotFound
from shuangsuiji.services import draws as draw_service
from shuangsuiji.services import lifecycle


def _pool_summary(pool: kernel.FrozenPool) -> None:
    click.echo(f"pool digest  {pool.digest}")
    click.echo(f"pool         {pool.size} eligible, {len(pool.excluded)} excluded")
    for s in pool.strata:
        click.echo(f"  stratum {s.name:<28} {len(s.members):>8} targets, ratio "
                   f"{s.ratio_permille}‰ → draw {s.size}")
    reasons: dict[str, int] = {}
    for e in pool.excluded:
        reasons[e.rule_code] = reasons.get(e.rule_code, 0) + 1
    for code, n in sorted(reasons.items()):
        click.echo(f"  excluded by {code}: {n}")


@click.group("draw", cls=SsjGroup, invoke_without_command=True)
@click.option("--tenant", "tenant", metavar="SLUG", help="Tenant (辖区) slug.")
@click.option("--task", "task", metavar="CODE", help="Task code or id.")
@click.option("--seed", default=None,
              help="Seed from a public ceremony (dice, lottery number), recorded verbatim; "
              "omit to generate one with a CSPRNG now.")
@click.option("--witness", "witnesses", multiple=True, help="A witness's name (repeatable).")
@click.option("--expect-digest", default=None, help="Refuse if the pool digest differs.")
@click.option("--dry-run", is_flag=True, help="Freeze the pool and show its digest only.")
@click.pass_context
def draw(ctx: click.Context, tenant: str | None, task: str | None, seed: str | None,
         witnesses: tuple[str, ...], expect_digest: str | None, dry_run: bool) -> None:
    """Draw the targets, inspectors and experts of a task (抽取)."""
    if ctx.invoked_subcommand is not None:
        return
    if not tenant or not task:
        raise click.UsageError("ssj draw needs --tenant and --task")
    with click.progressbar(length=3, label="drawing", file=sys.stderr) as bar:
        def progress(stage: str, done: int, total: int) -> None:
            bar.update(done - bar.pos)

        with session(tenant) as (s, t):
            assert t is not None
            if dry_run:
                prepared = draw_service.prepare(s, platform(), t, task, progress)
                bar.update(3 - bar.pos)
                click.echo("")
                _pool_summary(prepared.pool)
                return
            record = draw_service.draw(
                s, platform(), t, task, seed=seed, witnesses=witnesses,
                expected_pool_digest=expect_digest, progress=progress,
                on_pool=_pool_summary,
            )
            _print_result(record)


def _print_result(record: Any) -> None:
    bundle = record.bundle
    click.echo(f"draw #{record.id} committed (attempt {record.attempt}), rules "
               f"{record.rules_pack} {record.rules_version}")
    click.echo(f"seed ({record.seed_source}): {record.seed}")
    if record.witnesses:
        click.echo(f"witnesses: {', '.join(record.witnesses)}")
    click.echo(f"selected {record.selected_count} targets; draw digest {record.bundle_digest}")
    for g in bundle["final"]["groups"]:
        click.echo(f"  group {g['number']}: leader {g['leader']}, members "
                   f"{', '.join(g['members'])}; {len(g['targets'])} targets")
    if bundle["final"]["experts"]:
        click.echo(f"  experts: {', '.join(bundle['final']['experts'])}")


def _live(s: Any, task: str) -> Any:
    return lifecycle.live_draw(s, draw_service.find_task(s, task))


@draw.command("export")
@tenant_option
@click.argument("task")
@click.option("--draw-id", type=int, default=None, help="A specific draw (e.g. a voided one).")
def export(tenant: str, task: str, draw_id: int | None) -> None:
    """Write the bundle of TASK's draw as JSON to standard output."""
    with session(tenant) as (s, _t):
        if draw_id is not None:
            from shuangsuiji.models.draws import Draw

            record = s.get(Draw, draw_id)
            if record is None:
                raise NotFound(f"no draw #{draw_id} in this tenant")
        else:
            record = _live(s, task)
        bundle = draw_service.export_bundle(s, record)
    click.echo(json.dumps(bundle, ensure_ascii=False, indent=1))


@draw.command("void")
@tenant_option
@click.argument("task")
@click.option("--reason", required=True)
def void(tenant: str, task: str, reason: str) -> None:
    """Void TASK's live draw (a new event; the draw stays visible)."""
    with session(tenant) as (s, t):
        assert t is not None
        record = _live(s, task)
        draw_service.void(s, t, record.id, reason)
        click.echo(f"draw #{record.id} voided: {reason}")


@draw.command("recuse")
@tenant_option
@click.argument("task")
@click.option("--person", required=True, help="Inspector or expert id (certificate number).")
@click.option("--target", "credit_code", required=True, help="The target's credit code.")
@click.option("--mode", type=click.Choice(["swap", "withdraw"]), default="withdraw")
@click.option("--reason", required=True, help="The conflict of interest (利害关系).")
def recuse(tenant: str, task: str, person: str, credit_code: str, mode: str, reason: str) -> None:
    """Declare a conflict of interest and apply the pack's recusal mode (回避)."""
    with session(tenant) as (s, t):
        assert t is not None
        record = _live(s, task)
        entry = draw_service.recuse(s, t, record.id, person=person, credit_code=credit_code,
                                    mode=mode, reason=reason, platform=platform())
        o = entry.outcome
        what = (f"replaced by {o.get('replacement')}" if mode == "withdraw"
                else f"swapped with group {o.get('swap_group')} for {o.get('swap_target')}")
        click.echo(f"recusal step {entry.step}: {person} from {credit_code}: {what}")


@click.command("verify", cls=SsjCommand)
@click.argument("bundle_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify(bundle_file: Path) -> None:
    """Recompute a draw from its bundle, offline; exit non-zero at the first mismatch."""
    try:
        bundle = json.loads(bundle_file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"{bundle_file}: not a JSON bundle ({exc})") from None
    report = kernel.verify_bundle(bundle)
    if not report.ok:
        raise click.ClickException(f"{bundle_file}: NOT verified — {report}")
    click.echo(f"{bundle_file}: verified — {report}")


@click.command("verifier", cls=SsjCommand)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              default=Path(standalone.FILENAME), show_default=True,
              help="where to write the file")
def verifier(output: Path) -> None:
    """Write the offline verifier as one file (runs on Python 3.11+, standard library only)."""
    output.write_bytes(standalone.build())
    click.echo(f"{output}: sha256 {standalone.sha256()}")
    click.echo(f"check a draw with: python3 {output} BUNDLE.json")


commands: list[click.Command] = [draw, verify, verifier]
