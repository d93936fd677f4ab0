"""`ssj draw`, `ssj draw announce|commit|reveal|announcement|export|void|recuse`,
`ssj verify`, `ssj verifier`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from shuangsuiji import kernel
from shuangsuiji.cli.common import SsjGroup, platform, session, tenant_option
from shuangsuiji.errors import NotFound
from shuangsuiji.kernel.announce import PROCEDURES, WEAKER
from shuangsuiji.kernel.exclusionlines import rule_counts
from shuangsuiji.services import announcements, lifecycle, recusal_steps
from shuangsuiji.services import draws as draw_service


def _pool_summary(pool: kernel.FrozenPool) -> list[str]:
    lines = [f"pool digest  {pool.digest}",
             f"pool         {pool.size} eligible, {len(pool.excluded)} excluded"]
    for s in pool.strata:
        lines.append(f"  stratum {s.name:<28} {len(s.members):>8} targets, ratio "
                     f"{s.ratio_permille}‰ → draw {s.size}")
    for code, n in sorted(rule_counts(pool.excluded).items()):
        lines.append(f"  excluded by {code}: {n}")
    return lines


def emit_committed(lines: list[str], committed: str, see: str) -> None:
    """Print ``lines`` after a commit. If the output cannot be written (a closed pipe, a
    full disk), say on standard error that ``committed`` was committed and how to ``see``
    it, and exit 1: the command's work is not undone by its output failing."""
    try:
        for line in lines:
            click.echo(line)
        sys.stdout.flush()
    except OSError as exc:
        # later writes (and the interpreter's final flush) go nowhere instead of failing
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        click.echo(f"{committed} was committed, but its output could not be written "
                   f"({exc.strerror or exc}); see it with: {see}", err=True)
        sys.exit(1)


@click.group("draw", cls=SsjGroup, invoke_without_command=True)
@click.option("--tenant", "tenant", metavar="SLUG", help="Tenant (辖区) slug.")
@click.option("--task", "task", metavar="CODE", help="Task code or id.")
@click.option("--seed", default=None,
              help="Seed from a public ceremony (dice, lottery number), recorded verbatim; "
              "omit to generate one with a CSPRNG now. With an announcement: only for the "
              "announced `ceremony` procedure.")
@click.option("--witness", "witnesses", multiple=True, help="A witness's name (repeatable).")
@click.option("--expect-digest", default=None, help="Refuse if the pool digest differs.")
@click.option("--beacon-signature", default=None, metavar="HEX",
              help="The announced drand round's signature, pasted (no internet); omit to "
              "fetch it from the drand relays.")
@click.option("--dry-run", is_flag=True, help="Freeze the pool and show its digest only.")
@click.pass_context
def draw(ctx: click.Context, tenant: str | None, task: str | None, seed: str | None,
         witnesses: tuple[str, ...], expect_digest: str | None, beacon_signature: str | None,
         dry_run: bool) -> None:
    """Draw the targets, inspectors and experts of a task (抽取).

    With an open announcement (`ssj draw announce`) the announced draw is made: its pool,
    its seed procedure, refused if anything differs. The draw is committed first; then it
    is printed.
    """
    if ctx.invoked_subcommand is not None:
        return
    if not tenant or not task:
        raise click.UsageError("ssj draw needs --tenant and --task")
    out: list[str] = []
    committed = f"the draw of task {task}"
    with click.progressbar(length=3, label="drawing", file=sys.stderr) as bar:
        def progress(stage: str, done: int, total: int) -> None:
            bar.update(done - bar.pos)

        with session(tenant) as (s, t):
            assert t is not None
            if dry_run:
                prepared = draw_service.prepare(s, platform(), t, task, progress)
                bar.update(3 - bar.pos)
                out = ["", *_pool_summary(prepared.pool)]
                s.rollback()
            else:
                record = draw_service.draw(
                    s, platform(), t, task, seed=seed, witnesses=witnesses,
                    expected_pool_digest=expect_digest, progress=progress,
                    on_pool=lambda pool: out.extend(["", *_pool_summary(pool)]),
                    beacon_signature=beacon_signature,
                )
                out += _result_lines(record)
                committed = f"draw #{record.id} of task {task}"
        # the session's block has committed here: print only now
    if dry_run:
        for line in out:
            click.echo(line)
        return
    emit_committed(out, committed, f"ssj draw export --tenant {tenant} {task}")


def _result_lines(record: Any) -> list[str]:
    bundle = record.bundle
    lines = [f"draw #{record.id} committed (attempt {record.attempt}), rules "
             f"{record.rules_pack} {record.rules_version}; bundle {bundle['format']}",
             f"seed ({record.seed_source}): {record.seed}"]
    if record.witnesses:
        lines.append(f"witnesses: {', '.join(record.witnesses)}")
    lines.append(f"selected {record.selected_count} targets; draw digest {record.bundle_digest}")
    for g in bundle["final"]["groups"]:
        lines.append(f"  group {g['number']}: leader {g['leader']}, members "
                     f"{', '.join(g['members'])}; {len(g['targets'])} targets")
    if bundle["final"]["experts"]:
        lines.append(f"  experts: {', '.join(bundle['final']['experts'])}")
    return lines


def _procedure(parties: tuple[str, ...], beacon: bool, procedure: str | None) -> str:
    if procedure is not None:
        return procedure
    if parties and beacon:
        return "commit_reveal+beacon"
    if parties:
        return "commit_reveal"
    if beacon:
        return "beacon"
    raise click.UsageError(
        "name the seed's sources: --party NAME (twice or more: commit–reveal) and/or "
        "--beacon-round N / --beacon-after-minutes M (drand); or --procedure ceremony|generated "
        "(weaker: one party chooses the seed)")


@draw.command("announce")
@tenant_option
@click.option("--task", "task", required=True, metavar="CODE", help="Task code or id.")
@click.option("--party", "parties", multiple=True, metavar="NAME",
              help="A party of commit–reveal (the department and at least one outside "
              "witness; repeatable).")
@click.option("--beacon-round", type=int, default=None, metavar="N",
              help="The drand quicknet round whose value enters the seed (after now).")
@click.option("--beacon-after-minutes", type=int, default=None, metavar="M",
              help="Name the first drand round M minutes from now.")
@click.option("--procedure", type=click.Choice(list(PROCEDURES)), default=None,
              help="The seed procedure (inferred from --party and --beacon-*).")
@click.option("--conflict", "conflicts", multiple=True, metavar="PERSON=CREDIT_CODE",
              help="A declared conflict of interest (利害关系申报); such pairs are never "
              "assigned (repeatable).")
def announce_cmd(tenant: str, task: str, parties: tuple[str, ...], beacon_round: int | None,
                 beacon_after_minutes: int | None, procedure: str | None,
                 conflicts: tuple[str, ...]) -> None:
    """Announce a task's draw before any randomness exists (抽取公告): freeze the pool and
    fix the directories, parameters, rules, conflicts and seed procedure; logged."""
    kind = _procedure(parties, beacon_round is not None or beacon_after_minutes is not None,
                      procedure)
    pairs = []
    for c in conflicts:
        person, sep, code = c.partition("=")
        if not sep or not person.strip() or not code.strip():
            raise click.BadParameter(f"{c!r}: write PERSON=CREDIT_CODE", param_hint="--conflict")
        pairs.append((person.strip(), code.strip()))
    with session(tenant) as (s, t):
        assert t is not None
        row = announcements.announce(s, platform(), t, task, procedure=kind, parties=parties,
                                     beacon_round=beacon_round,
                                     beacon_after_minutes=beacon_after_minutes,
                                     conflicts=pairs)
        a = row.announcement
        due = announcements.round_due(row)
        lines = [f"announcement #{row.number} of task {task} ({a['announced_at']})",
                 f"announcement digest {row.digest}",
                 f"pool digest  {a['pool']['digest']}",
                 f"pool root    {a['pool']['merkle_root']} ({a['pool']['lines']} lines"
                 + (f", a leaf per {a['pool']['block_lines']} lines"
                    if "block_lines" in a["pool"] else "") + ")",
                 f"pool         {a['pool']['size']} eligible, {a['pool']['excluded']} excluded",
                 f"inspectors   {a['inspectors_digest']}",
                 f"experts      {a['experts_digest']}",
                 f"rules        {a['rules']['pack']} {a['rules']['version']} "
                 f"{a['rules']['digest']}",
                 f"seed         {kind}" + ("  (WEAKER: one party chooses the seed)"
                                           if kind in WEAKER else "")]
        if a["seed_procedure"]["parties"]:
            lines.append(f"parties      {', '.join(a['seed_procedure']['parties'])} — each "
                         "registers `ssj draw commit`, then `ssj draw reveal`")
        if due is not None:
            lines.append(f"beacon       quicknet round {a['seed_procedure']['beacon']['round']} "
                         f"at {announcements.utc_stamp(due)}")
        if a["replaces"]:
            lines.append(f"replaces     voided bundle {a['replaces']}")
    emit_committed(lines, f"announcement #{row.number} of task {task}",
                   f"ssj draw announcement --tenant {tenant} {task}")


@draw.command("announcement")
@tenant_option
@click.argument("task")
def announcement_cmd(tenant: str, task: str) -> None:
    """Write TASK's open announcement as JSON (with its commitments and reveals so far)."""
    with session(tenant) as (s, _t):
        row = announcements.open_announcement(s, draw_service.find_task(s, task))
        if row is None:
            raise NotFound(f"task {task} has no open announcement")
        body = {"number": row.number, "digest": row.digest, "announcement": row.announcement,
                "commitments": [[c.party, c.commitment] for c in row.commitments],
                "reveals": [[c.party, c.secret] for c in row.commitments if c.secret]}
    click.echo(json.dumps(body, ensure_ascii=False, indent=1))


@draw.command("commit")
@tenant_option
@click.option("--task", "task", required=True, metavar="CODE", help="Task code or id.")
@click.option("--party", required=True, metavar="NAME", help="The party (as announced).")
@click.option("--commitment", default=None, metavar="HEX",
              help="SHA-256 of the secret, computed on the party's own machine (preferred: "
              "printf %s SECRET | sha256sum).")
@click.option("--secret", default=None, help="The secret (hashed here; it is not stored).")
@click.option("--generate", is_flag=True, help="Make a random secret, print it, register its "
              "SHA-256: keep the secret for the reveal.")
def commit_cmd(tenant: str, task: str, party: str, commitment: str | None, secret: str | None,
               generate: bool) -> None:
    """Register a party's commitment to its secret (commit–reveal)."""
    if sum(x is not None and x is not False for x in (commitment, secret, generate or None)) != 1:
        raise click.UsageError("give exactly one of --commitment, --secret, --generate")
    if generate:
        secret = announcements.new_secret()
    value = commitment if commitment is not None else announcements.commitment_of(secret or "")
    with session(tenant) as (s, t):
        assert t is not None
        entry = announcements.commit(s, t, task, party, value)
    lines = [f"{entry.party}: commitment {entry.commitment} registered"]
    if generate:
        lines.append(f"secret (keep it; reveal it at the ceremony): {secret}")
    emit_committed(lines, f"the commitment of {party}", f"ssj draw announcement --tenant "
                   f"{tenant} {task}")


@draw.command("reveal")
@tenant_option
@click.option("--task", "task", required=True, metavar="CODE", help="Task code or id.")
@click.option("--party", required=True, metavar="NAME")
@click.option("--secret", required=True, help="The secret whose SHA-256 was registered.")
def reveal_cmd(tenant: str, task: str, party: str, secret: str) -> None:
    """Reveal a party's secret; refused unless it matches the commitment."""
    with session(tenant) as (s, t):
        assert t is not None
        entry = announcements.reveal(s, t, task, party, secret)
    emit_committed([f"{entry.party}: secret revealed, matches {entry.commitment[:16]}…"],
                   f"the reveal of {party}", f"ssj draw announcement --tenant {tenant} {task}")


def _live(s: Any, task: str) -> Any:
    return lifecycle.live_draw(s, draw_service.find_task(s, task))


@draw.command("export")
@tenant_option
@click.argument("task")
@click.option("--draw-id", type=int, default=None, help="A specific draw (e.g. a voided one).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (a name ending in .gz: gzip) instead of standard output.")
@click.option("--format", "form", type=click.Choice(["json", "text"]), default="json",
              show_default=True,
              help="json: the bundle as canonical JSON; text: shuangsuiji-draw/3, the same "
                   "bundle with its pool as the lines its digest hashes (smaller, verified "
                   "faster; docs/draw-spec.md §16).")
def export(tenant: str, task: str, draw_id: int | None, output: Path | None,
           form: str) -> None:
    """Write the bundle of TASK's draw (the portal's download) to standard output,
    streamed: the pool is copied from its stored pieces, never held whole."""
    from shuangsuiji.services import bundlefiles, bundletexts

    with session(tenant) as (s, _t):
        if draw_id is not None:
            from shuangsuiji.models.draws import Draw

            record = s.get(Draw, draw_id)
            if record is None:
                raise NotFound(f"no draw #{draw_id} in this tenant")
        else:
            record = _live(s, task)
        gz = output is not None and output.name.endswith(".gz")
        if form == "text":
            got = bundletexts.download_text(s, record, gzip=gz)
        else:
            got = bundlefiles.download(s, record, gzip=gz)
        if output is None:
            stdout = sys.stdout.buffer
            for chunk in got.chunks:
                stdout.write(chunk)
            if form == "json":  # (a text file ends with its pool's last line feed)
                stdout.write(b"\n")
            stdout.flush()
            return
        part = output.with_name(output.name + ".part")
        with open(part, "wb") as f:  # whole or nothing: renamed once written
            for chunk in got.chunks:
                f.write(chunk)
        part.replace(output)


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
@click.option("--beacon-after-minutes", type=int, default=0, metavar="M",
              help="Announced draws: the step's beacon round is the first one M minutes "
              "after the declaration.")
def recuse(tenant: str, task: str, person: str, credit_code: str, mode: str, reason: str,
           beacon_after_minutes: int) -> None:
    """Declare a conflict of interest and apply the pack's recusal mode (回避).

    An announced draw's recusal is declared now and applied with `recuse-apply` once its
    beacon round is out (its randomness did not exist when it was declared).
    """
    with session(tenant) as (s, t):
        assert t is not None
        record = _live(s, task)
        if draw_service.is_v2(record):
            entry = recusal_steps.declare(s, t, record.id, person=person,
                                          credit_code=credit_code, mode=mode, reason=reason,
                                          platform=platform(),
                                          after_minutes=beacon_after_minutes)
            lines = [f"recusal step {entry.step} declared at {entry.declared_at}: {person} "
                     f"from {credit_code} ({mode}); its beacon is quicknet round "
                     f"{entry.beacon_round} — apply it then with `ssj draw recuse-apply`"]
        else:
            row = draw_service.recuse(s, t, record.id, person=person, credit_code=credit_code,
                                      mode=mode, reason=reason, platform=platform())
            lines = [_step_line(row)]
    emit_committed(lines, f"the recusal of {person}", f"ssj draw export --tenant {tenant} {task}")


def _step_line(entry: Any) -> str:
    o = entry.outcome
    what = (f"replaced by {o.get('replacement')}" if entry.mode == "withdraw"
            else f"swapped with group {o.get('swap_group')} for {o.get('swap_target')}")
    return f"recusal step {entry.step}: {entry.person_id} from {entry.credit_code}: {what}"


@draw.command("recuse-apply")
@tenant_option
@click.argument("task")
@click.option("--beacon-signature", default=None, metavar="HEX",
              help="The step's drand round signature, pasted; omit to fetch it.")
def recuse_apply(tenant: str, task: str, beacon_signature: str | None) -> None:
    """Apply TASK's declared recusal step with its beacon round's value."""
    with session(tenant) as (s, t):
        assert t is not None
        record = _live(s, task)
        row = recusal_steps.apply(s, t, record.id, platform=platform(),
                                  beacon_signature=beacon_signature)
        lines = [_step_line(row)]
    emit_committed(lines, f"recusal step {row.step}", f"ssj draw export --tenant {tenant} {task}")


commands: list[click.Command] = [draw]
