"""Verify a draw bundle from the command line: ``python -m shuangsuiji.kernel.verify FILE``.

Exit status 0 when the bundle recomputes exactly, 1 when it does not (the first mismatch is
printed), 2 when the file cannot be read as JSON. Messages are in Chinese when ``--lang zh``
is given or the locale is Chinese (``LANG=zh_CN.UTF-8``), else in English; ``--lang en``
forces English.
"""

from __future__ import annotations

import gettext
import gzip
import os
import pkgutil
import sys
import zlib
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, BinaryIO, cast

from shuangsuiji.kernel.bundle import verify_bundle
from shuangsuiji.kernel.bundletext import MAGIC, read_text
from shuangsuiji.kernel.codec import BundleFormatError
from shuangsuiji.kernel.strictjson import load
from shuangsuiji.messages import Gettext, Message, msg, translated

_gzip: Any
_inflate_error: Any
try:  # ISA-L's gzip where installed (the platform installs it; the one-file verifier needs
    # only the standard library): the same files, inflated 2-3 times faster
    from isal import igzip as _gzip
    from isal.isal_zlib import error as _inflate_error
except ImportError:
    _gzip, _inflate_error = gzip, zlib.error
#: What reading a bundle file can raise: a file that cannot be read, or a gzip file cut
#: short or damaged (ISA-L's inflate error is not zlib's).
READ_ERRORS: tuple[type[Exception], ...] = (OSError, EOFError, zlib.error, _inflate_error)

PROG = "python -m shuangsuiji.kernel.verify"
#: The zh_CN catalogue, inside the package (the one-file verifier carries its own subset).
CATALOGUE = "translations/zh_Hans_CN/LC_MESSAGES/messages.mo"
LANGS = ("zh", "en")


def usage(prog: str) -> Message:
    return msg("usage: %(prog)s [--lang zh|en] BUNDLE.json  ('-' reads standard input)",
               prog=prog)


def wants_chinese(env: Mapping[str, str]) -> bool:
    """Whether the locale asks for Chinese: LANGUAGE (GNU), then the first of LC_ALL,
    LC_MESSAGES, LANG that is set, as gettext looks them up."""
    first = env.get("LANGUAGE", "").split(":")[0]
    if not first:
        first = next((env[k] for k in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(k)), "")
    return first.lower().startswith("zh")


@cache
def chinese() -> Gettext:
    """gettext of the zh_CN catalogue (English when the catalogue is not there)."""
    try:
        data = pkgutil.get_data("shuangsuiji", CATALOGUE)
    except OSError:
        data = None
    if not data:
        return str
    import io

    return gettext.GNUTranslations(io.BytesIO(data)).gettext


def read_bundle(name: str) -> Any:
    """The bundle in file ``name`` (``-``: standard input, spooled to a temporary file),
    parsed strictly as a stream; a gzip file (``.json.gz``, as the portal may send it) is
    read through gzip."""
    if name == "-":
        import shutil
        import tempfile  # (imports random: only when needed)

        with tempfile.TemporaryFile() as spool:
            shutil.copyfileobj(sys.stdin.buffer, spool, 1 << 20)
            spool.seek(0)
            return _read(spool)
    with open(name, "rb") as f:
        return _read(f)


def _read(f: BinaryIO) -> Any:
    if f.read(2) != b"\x1f\x8b":
        f.seek(0)
        if f.read(len(MAGIC)) == MAGIC:  # a shuangsuiji-draw/3 file (docs/draw-spec.md §16)
            return read_text(f.read)
        f.seek(0)
        return load(f)
    f.seek(0)
    with _gzip.GzipFile(fileobj=f) as z:
        if z.read(len(MAGIC)) != MAGIC:
            z.seek(0)
            return load(cast(BinaryIO, z))
    f.seek(0)
    return read_text(_Inflated(f).read)


class _Inflated:
    """A gzip file's text after its first line, inflated by one call (a ``/3`` file is read
    whole: faster than a stream of small reads, and its lines are all kept anyway)."""

    def __init__(self, f: BinaryIO) -> None:
        self.f = f

    def read(self) -> bytes:
        return _gzip.decompress(self.f.read())[len(MAGIC):]


def main(argv: Sequence[str] | None = None, prog: str = PROG,
         env: Mapping[str, str] | None = None) -> int:
    """Verify the bundle named in ``argv``; print a summary or the first mismatch."""
    args = list(sys.argv[1:] if argv is None else argv)
    zh = wants_chinese(os.environ if env is None else env)
    lang, rest = None, []
    given = iter(args)
    for arg in given:
        if arg == "--lang":
            lang = next(given, "")
        elif arg.startswith("--lang="):
            lang = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    if lang is not None:
        zh = lang == "zh" if lang in LANGS else zh
        args = rest if lang in LANGS else []  # an unknown language: the usage
    say: Gettext = chinese() if zh else str

    def show(message: Message) -> str:
        return message.render(say)

    if len(args) != 1 or args[0] in ("-h", "--help"):
        print(show(usage(prog)), file=sys.stderr)
        return 2
    name = args[0]
    try:
        # strict: a key twice, a fraction, an unsafe integer are refused by path
        # (docs/draw-spec.md §13.2); read as a stream, gzip or not
        bundle = read_bundle(name)
    except READ_ERRORS as e:  # gzip cut short or damaged too
        print(show(msg("%(file)s: cannot read the bundle: %(reason)s", file=name,
                       reason=getattr(e, "strerror", None) or str(e))), file=sys.stderr)
        return 2
    except BundleFormatError as e:
        print(show(msg("%(file)s: not a valid draw bundle: %(where)s: %(problem)s",
                       file=name, where=e.path, problem=e.problem)), file=sys.stderr)
        return 2
    report = verify_bundle(bundle)
    # then one line per note (docs/draw-spec.md §13.4): the seed procedure, checked or WEAKER,
    # and whether each beacon signature was checked
    lines = [report.message, *report.notes]
    print("\n".join(translated(line, say) for line in lines),
          file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
