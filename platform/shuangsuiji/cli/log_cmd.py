"""`ssj log checkpoint|verify|witness|keys|rotate-key`: the transparency log."""

from __future__ import annotations

from pathlib import Path

import click

from shuangsuiji.cli.common import SsjGroup, platform, session, tenant_option
from shuangsuiji.kernel import note
from shuangsuiji.services import logverify, translog
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.services import witness as witness_service


@click.group("log", cls=SsjGroup)
def log() -> None:
    """The transparency log (signed checkpoints, proofs, witnesses)."""


@log.command("checkpoint")
@tenant_option
def checkpoint(tenant: str) -> None:
    """Print the tenant's latest signed checkpoint (issued if the log grew)."""
    with session(tenant) as (s, t):
        assert t is not None
        text = translog.checkpoint(s, t.id)
    click.echo(text, nl=False)


def _verifiers(keys: tuple[str, ...]) -> list[note.Verifier] | None:
    if not keys:
        return None
    try:
        return [note.parse_vkey(k) for k in keys]
    except note.NoteError as exc:
        raise click.BadParameter(str(exc), param_hint="--key") from None


@log.command("verify")
@tenant_option
@click.option("--checkpoint", "saved", multiple=True, metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A checkpoint saved earlier (repeatable).")
@click.option("--key", "keys", multiple=True, metavar="VKEY",
              help="Check signatures with this public key instead of the deployment's list.")
def verify(tenant: str, saved: tuple[Path, ...], keys: tuple[str, ...]) -> None:
    """Check the log against its events, its issued checkpoints and the saved ones."""
    texts = []
    for path in saved:
        try:
            texts.append((str(path), path.read_text(encoding="utf-8")))
        except UnicodeDecodeError:
            raise click.ClickException(f"{path}: not a UTF-8 text file") from None
    with session(tenant) as (s, t):
        assert t is not None
        report = logverify.verify_log(s, t.id, texts, _verifiers(keys))
    if not report.ok:
        for problem in report.problems:
            click.echo(f"✗ {problem}", err=True)
        raise click.ClickException(f"the transparency log of {tenant} does NOT check out "
                                   f"({len(report.problems)} problem(s))")
    click.echo(f"transparency log of {tenant}: {report.size} entries, "
               f"{report.checked} checkpoint(s) consistent with it")


@log.command("witness")
@click.argument("url", required=False)
@click.option("--all-tenants", is_flag=True, help="Witness every tenant of this deployment.")
@click.option("--key", "keys", multiple=True, metavar="VKEY",
              help="The log's public key (default: this deployment's keys).")
def witness(url: str | None, all_tenants: bool, keys: tuple[str, ...]) -> None:
    """Check a log's checkpoint against the last one seen, and countersign it.

    URL is a log's base in the public API, e.g.
    https://host/api/v1/public/t/chongqing/log . A split view exits non-zero."""
    if bool(url) == all_tenants:
        raise click.UsageError("give a log URL or --all-tenants")
    results = []
    failed = []
    with session() as (s, _):
        if all_tenants:
            for t in tenant_service.all_tenants(s):
                try:
                    results.append(witness_service.witness_local(s, t.id))
                except witness_service.SplitView as exc:
                    failed.append(str(exc))
        else:
            assert url is not None
            verifiers = _verifiers(keys) or translog.keys(s).verifiers()
            try:
                results.append(witness_service.witness(
                    s, url, witness_service.http_fetch(url), verifiers))
            except witness_service.SplitView as exc:
                failed.append(str(exc))
    for r in results:
        was = "first sight" if r.previous_size is None else f"was {r.previous_size}"
        click.echo(f"✓ {r.origin}: {r.size} entries ({was}), cosigned")
        if not all_tenants:
            click.echo(r.cosigned, nl=False)
    for problem in failed:
        click.secho(f"!!! {problem}", err=True, fg="red", bold=True)
    if failed:
        raise click.ClickException(f"{len(failed)} log(s) showed a split view")


@log.command("evidence")
@tenant_option
@click.option("--draw", "draw_id", type=int, required=True, help="The draw's id.")
def evidence(tenant: str, draw_id: int) -> None:
    """Print the log evidence of one draw (JSON): checkpoint, events, inclusion proofs."""
    import json

    with session(tenant) as (s, t):
        assert t is not None
        found = translog.evidence(s, t.id, translog.draw_event_seqs(s, t.id, draw_id))
    click.echo(json.dumps(found, ensure_ascii=False, indent=1))


@log.command("check-evidence")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key", "keys", multiple=True, metavar="VKEY", required=True,
              help="The log's public key (from its published notice).")
def check_evidence(file: Path, keys: tuple[str, ...]) -> None:
    """Check log evidence offline: the checkpoint's signature and each event's inclusion."""
    import json

    from shuangsuiji.kernel import logproof

    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        cp, entries = logproof.verify_evidence(data, _verifiers(keys) or [])
    except (ValueError, note.NoteError) as exc:
        raise click.ClickException(f"{file}: {exc}") from None
    click.echo(f"{file}: checkpoint {cp.origin} of {cp.size} entries verifies; "
               f"{len(entries)} event(s) included:")
    for f in entries:
        click.echo(f"  #{f['seq']} {f['at']} {f['action']} {f['object_type']}:{f['object_id']}")


@log.command("keys")
def keys_cmd() -> None:
    """Print the log's public keys (current first) and the witness's key."""
    keys = platform().log_keys
    for v in keys.verifiers():
        click.echo(v.vkey)
    click.echo(f"witness: {keys.witness_signer().verifier.vkey}")


@log.command("rotate-key")
@click.option("--old-key-lost", is_flag=True,
              help="The old private key is lost for good: make a new one, once the log's "
                   "published public keys are listed again in log-keys.txt.")
def rotate_key(old_key_lost: bool) -> None:
    """Start signing with a new log key; the old public key stays listed."""
    keys = platform().log_keys
    signer = keys.replace_lost() if old_key_lost else keys.rotate()
    click.echo(f"new log key: {signer.verifier.vkey}")


commands: list[click.Command] = [log]
