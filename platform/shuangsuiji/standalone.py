"""The offline verifier as one file: ``python3 ssj-verify.pyz bundle.json``.

The public should not need to install the platform to check a draw. This builds a Python
zip application (PEP 441) holding the kernel — the very code that made the draw — and the
two plain modules it imports (``rules``, ``messages``), with a stub package ``__init__`` so
nothing of the host (Flask, SQLAlchemy) is needed: any Python 3.11+ with only its standard
library runs it, offline.

It speaks Chinese (by the locale or ``--lang zh``): it carries the zh_CN translations of
the messages the kernel can print, taken from the platform's catalogue at build time.

The build is reproducible: files in a fixed order, fixed timestamps and permissions, no
compression variance, so the same source always gives the same bytes and the same SHA-256,
which the portal shows beside the download.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
from functools import cache
from pathlib import Path

from shuangsuiji.kernel.verify import CATALOGUE

FILENAME = "ssj-verify.pyz"
_PACKAGE = Path(__file__).resolve().parent  # the package's folder (this module is in it)
#: The modules the kernel imports outside itself (checked by tests/kernel/test_standalone.py).
_SHARED = ("rules.py", "messages.py")
_STAMP = (2018, 1, 1, 0, 0, 0)  # zip timestamps: fixed, so the build is reproducible
_SHEBANG = b"#!/usr/bin/env python3\n"

_INIT = '''"""shuangsuiji, offline verifier build: only the kernel and the modules it needs."""
'''
_MAIN = '''"""Verify a shuangsuiji draw bundle offline: python3 ssj-verify.pyz BUNDLE.json

Exit status 0 when the bundle recomputes exactly, 1 when it does not (the first mismatch is
printed), 2 when the file cannot be read. The algorithm is specified in docs/draw-spec.md.
"""

import sys

if sys.version_info < (3, 11):
    sys.exit("ssj-verify needs Python 3.11 or newer")

import os.path  # noqa: E402

from shuangsuiji.kernel.verify import main  # noqa: E402

sys.exit(main(prog="python3 " + os.path.basename(sys.argv[0])))
'''


def _entries() -> list[tuple[str, bytes]]:
    files = [("__main__.py", _MAIN.encode()), ("shuangsuiji/__init__.py", _INIT.encode())]
    files += [(f"shuangsuiji/{name}", (_PACKAGE / name).read_bytes()) for name in _SHARED]
    kernel = sorted((_PACKAGE / "kernel").glob("*.py"))
    files += [(f"shuangsuiji/kernel/{p.name}", p.read_bytes()) for p in kernel]
    shared = [_PACKAGE / name for name in _SHARED]
    files.append((f"shuangsuiji/{CATALOGUE}", catalogue([*kernel, *shared])))
    return files


def catalogue(sources: list[Path]) -> bytes:
    """The zh_CN translations of the messages in ``sources`` (found as ``pybabel extract -k
    msg`` finds them), as a GNU ``.mo`` file: only what the verifier can say, in a fixed
    order, so the build stays reproducible."""
    from babel.messages.extract import extract_from_file
    from babel.messages.pofile import read_po

    wanted: set[str] = set()
    for path in sources:
        for _, message, _, _ in extract_from_file("python", str(path), keywords={"msg": None}):
            wanted.add(message if isinstance(message, str) else message[0])
    with open(_PACKAGE / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po",
              "rb") as f:
        po = read_po(f)
    pairs = {m.id: m.string for m in po if isinstance(m.id, str) and m.id in wanted
             and isinstance(m.string, str) and m.string and not m.fuzzy}
    pairs[""] = "Content-Type: text/plain; charset=UTF-8\n"
    return mo_file(pairs)


def mo_file(pairs: dict[str, str]) -> bytes:
    """A GNU gettext ``.mo`` file of ``pairs`` (little-endian, no hash table), keys sorted."""
    keys = sorted(pairs)
    ids = [k.encode() for k in keys]
    strs = [pairs[k].encode() for k in keys]
    n = len(keys)
    start = 28 + 16 * n  # header, then the two tables of (length, offset)
    table_ids: list[tuple[int, int]] = []
    table_strs: list[tuple[int, int]] = []
    blob = b""
    for data, table in ((ids, table_ids), (strs, table_strs)):
        for d in data:
            table.append((len(d), start + len(blob)))
            blob += d + b"\0"
    head = struct.pack("<7I", 0x950412DE, 0, n, 28, 28 + 8 * n, 0, start)
    rows = b"".join(struct.pack("<2I", *t) for t in table_ids + table_strs)
    return head + rows + blob


@cache
def build() -> bytes:
    """The zip application's bytes (built once per process; the source does not change)."""
    out = io.BytesIO()
    out.write(_SHEBANG)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in _entries():
            info = zipfile.ZipInfo(name, date_time=_STAMP)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data, compresslevel=9)
    return out.getvalue()


@cache
def sha256() -> str:
    """SHA-256 (hex) of :func:`build`, shown beside the download."""
    return hashlib.sha256(build()).hexdigest()
