"""Whether a pool's text is canonical in its fields, checked in bulk — in a child process
beside the reading when the system can fork.

The check (UTF-8, printable, NFC, no space at a field's edge, no member without a code) is
a few C passes over the text, but ones that hold the GIL: ~0.3–0.5 s at a million members.
A ``/3`` file's reader (:mod:`.bundletext`) needs its answer only before it vouches for its
plain member lines, so :func:`check_apart` forks a child that checks a copy-on-write view
of the text while the parent cuts the lines, and the parent reads the answer after. Where
there is no ``fork`` (Windows) or other threads run (forking them is unsafe), the check runs
in the process itself: the same answer, later.
"""

from __future__ import annotations

import os
import threading
import unicodedata
from collections.abc import Callable

from shuangsuiji.kernel.model import MEMBER_PREFIX

_PIECE = 8 << 20  # bytes of text checked at a time: bounded temporaries (~3 of them)
_SPACED = bytes.maketrans(b"\t\n", b"  ")  # for the printable check: separators as spaces
_EDGES = (b"\t ", b" \t", b" \n", MEMBER_PREFIX + b"\t")


def canonical_text(text: bytes) -> bool:
    """Whether every field of the pool's ``text`` (whole lines, each ending in LF) is
    canonical. Checked a piece of whole lines at a time, so temporaries stay small."""
    start, end = 0, len(text)
    while start < end:
        stop = text.find(b"\n", min(start + _PIECE, end - 1)) + 1 or end
        if not _canonical_piece(text[start:stop]):
            return False
        start = stop
    return True


def _canonical_piece(piece: bytes) -> bool:
    if any(edge in piece for edge in _EDGES):
        return False
    try:
        spaced = piece.translate(_SPACED).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return spaced.isprintable() and (spaced.isascii()
                                     or unicodedata.is_normalized("NFC", spaced))


def check_apart(text: bytes) -> Callable[[], bool]:
    """Start :func:`canonical_text` of ``text``; the returned function gives its answer
    (waiting for it): True only when the text is known canonical. In a forked child where
    possible, else at once, here."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        known = canonical_text(text)
        return lambda: known
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer one byte and leave at once (no cleanup of the parent's)
        ok = False
        try:
            os.close(read_end)
            ok = canonical_text(text)
        finally:
            os.write(write_end, b"1" if ok else b"0")
            os._exit(0)
    os.close(write_end)

    def answer() -> bool:
        with os.fdopen(read_end, "rb") as pipe:
            got = pipe.read(1)
        os.waitpid(pid, 0)
        # a child that died answers nothing: not known canonical, so the reader checks each
        # chunk itself (the text is not kept for it: the parent lets it go once cut)
        return got == b"1"

    return answer
