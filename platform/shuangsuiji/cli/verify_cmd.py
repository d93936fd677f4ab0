"""``ssj verify`` and ``ssj verifier``: offline, no app and no database, and light: they
import the kernel alone, so a million-target bundle is checked in the verifier's own memory
(docs/performance.md), not beside the web framework's."""

from __future__ import annotations

from pathlib import Path

import click

from shuangsuiji import standalone
from shuangsuiji.kernel.codec import BundleFormatError


@click.command("verify")
@click.argument("bundle_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify(bundle_file: Path) -> None:
    """Recompute a draw from its bundle, offline; exit non-zero at the first mismatch.

    The bundle (JSON, or gzip of it) is read as a stream, strictly: a key twice, a
    fraction, an integer beyond 2^53 - 1 are refused by path.
    """
    from shuangsuiji.kernel import verify_bundle
    from shuangsuiji.kernel.verify import read_bundle

    try:
        bundle = read_bundle(str(bundle_file))
    except (OSError, EOFError) as exc:
        raise click.ClickException(f"{bundle_file}: cannot read the bundle: {exc}") from None
    except BundleFormatError as exc:
        raise click.ClickException(f"{bundle_file}: NOT verified — {exc}") from None
    report = verify_bundle(bundle)
    if not report.ok:
        raise click.ClickException(f"{bundle_file}: NOT verified — {report}")
    click.echo(f"{bundle_file}: verified — {report}")


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
