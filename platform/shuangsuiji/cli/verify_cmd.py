"""`ssj verify` and `ssj verifier`: a draw checked offline from its bundle (and, given a
checkpoint saved earlier, the log checked to extend it); the one-file verifier for the
public. Neither needs the database, so neither builds an app (registry.OFFLINE), nor imports
the CLI's common helpers (SQLAlchemy and the models, ~30 MiB at start): their errors are made
friendly by the ``ssj`` group itself (``cli._Main.invoke``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from shuangsuiji import kernel, standalone
from shuangsuiji.kernel.codec import BundleFormatError


@click.command("verify")
@click.argument("bundle_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--checkpoint", "saved", multiple=True, metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A checkpoint of the tenant's log saved earlier (repeatable): show the "
                   "log still extends it (needs --log and --key).")
@click.option("--log", "log_url", metavar="URL",
              help="The log's public base URL, e.g. https://HOST/api/v1/public/t/SLUG/log.")
@click.option("--key", "keys", multiple=True, metavar="VKEY",
              help="The log's public key, from somewhere other than the portal checked.")
def verify(bundle_file: Path, saved: tuple[Path, ...], log_url: str | None,
           keys: tuple[str, ...]) -> None:
    """Recompute a draw from its bundle, offline; exit non-zero at the first mismatch.

    The bundle (JSON, or gzip of it) is read as a stream, strictly: a key twice, a
    fraction, an integer beyond 2^53 - 1 are refused by path.
    """
    from shuangsuiji.kernel.verify import READ_ERRORS, read_bundle

    try:
        bundle = read_bundle(str(bundle_file))
    except READ_ERRORS as exc:  # unreadable, or gzip cut short or damaged
        raise click.ClickException(f"{bundle_file}: cannot read the bundle: {exc}") from None
    except BundleFormatError as exc:
        raise click.ClickException(f"{bundle_file}: NOT verified — {exc}") from None
    report = kernel.verify_bundle(bundle)
    if not report.ok:
        raise click.ClickException(f"{bundle_file}: NOT verified — {report}")
    click.echo(f"{bundle_file}: verified — {report}")
    if saved or log_url:
        _check_log(bundle, saved, log_url, keys)


def _check_log(bundle: dict[str, Any], saved: tuple[Path, ...], log_url: str | None,
               keys: tuple[str, ...]) -> None:
    """The log at ``log_url`` still extends each saved checkpoint and the checkpoint the
    bundle carries (docs/transparency-log.md §4): nothing removed or rewritten since."""
    from shuangsuiji.kernel import note
    from shuangsuiji.services import witness

    if not (saved and log_url and keys):
        raise click.UsageError("--checkpoint needs --log URL and --key VKEY")
    try:
        verifiers = [note.parse_vkey(k) for k in keys]
    except note.NoteError as exc:
        raise click.BadParameter(str(exc), param_hint="--key") from None
    texts = []
    for path in saved:
        try:
            texts.append((str(path), path.read_text(encoding="utf-8")))
        except UnicodeDecodeError:
            raise click.ClickException(f"{path}: not a UTF-8 text file") from None
    carried = (bundle.get("log") or {}).get("checkpoint")
    if isinstance(carried, str):
        texts.append(("the bundle's checkpoint", carried))
    latest, lines = witness.check_saved(witness.http_fetch(log_url), texts, verifiers)
    for line in lines:
        click.echo(f"✓ {line}")
    click.echo(f"log {latest.origin}: nothing was removed or rewritten since the saved "
               f"checkpoint(s); it now has {latest.size} entries")


@click.command("verifier")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              default=Path(standalone.FILENAME), show_default=True,
              help="where to write the file")
def verifier(output: Path) -> None:
    """Write the offline verifier as one file (runs on Python 3.11+, standard library only)."""
    output.write_bytes(standalone.build())
    click.echo(f"{output}: sha256 {standalone.sha256()}")
    click.echo(f"check a draw with: python3 {output} BUNDLE.json")


commands: list[click.Command] = [verify, verifier]
