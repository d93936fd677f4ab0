"""Facts about a pool's text found in bulk — in a child process beside the reading when
the system can fork: whether its fields are canonical, whether any code is there twice,
and the Merkle root of its blocks.

The canonical check (UTF-8, printable, NFC, no space at a field's edge, no member without a
code) is a few C passes over the text, but ones that hold the GIL: ~0.3–0.5 s at a million
members; the other two ~0.3 s more. A ``/3`` file's reader (:mod:`.bundletext`) needs the
first answer once it has cut the lines, its verifier the others only later, so
:func:`check_apart` forks a child that works on a copy-on-write view of the text while the
parent cuts the lines and rebuilds the pool, and answers in two messages. Each answer only
lets the verifier skip a check of its own whose result it then has (a "no" makes it run
the check itself, which also names what is wrong). Where there is no ``fork`` (Windows) or
other threads run (forking them is unsafe), the facts are found in the process itself: the
same answers, sooner and slower.
"""

from __future__ import annotations

import json
import os
import threading
import unicodedata
from collections.abc import Callable, Iterator
from itertools import repeat
from operator import itemgetter
from typing import Any, NamedTuple

from shuangsuiji.kernel import poolmerkle
from shuangsuiji.kernel.model import MEMBER_PREFIX

_PIECE = 8 << 20  # bytes of text checked at a time: bounded temporaries (~3 of them)
_SPACED = bytes.maketrans(b"\t\n", b"  ")  # for the printable check: separators as spaces
_EXCLUDED = b"excluded\t"
_EDGES = (b"\t ", b" \t", b" \n", MEMBER_PREFIX + b"\t")


class TextFacts(NamedTuple):
    """What the checks of a pool's text found (each only an answer about the text as found:
    the verifier still rebuilds the pool and compares the digests)."""

    #: no credit code on two member or excluded lines
    distinct: bool
    #: the Merkle root (hex) of the text in blocks (``shuangsuiji-announcement/3``)
    block_root: str | None


UNKNOWN = TextFacts(False, None)  # what a verifier assumes of what it was not told


def pieces(text: bytes) -> Iterator[bytes]:
    """``text`` (whole lines, each ending in LF) in pieces of about :data:`_PIECE` bytes,
    each of whole lines."""
    start, end = 0, len(text)
    while start < end:
        stop = text.find(b"\n", min(start + _PIECE, end - 1)) + 1 or end
        yield text[start:stop]
        start = stop


def canonical_text(text: bytes) -> bool:
    """Whether every field of the pool's ``text`` (whole lines, each ending in LF) is
    canonical. Checked a piece at a time, so temporaries stay small."""
    return all(map(_canonical_piece, pieces(text)))


def _canonical_piece(piece: bytes) -> bool:
    if any(edge in piece for edge in _EDGES):
        return False
    try:
        spaced = piece.translate(_SPACED).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return spaced.isprintable() and (spaced.isascii()
                                     or unicodedata.is_normalized("NFC", spaced))


def text_facts(text: bytes) -> TextFacts:
    """:class:`TextFacts` of the pool's ``text``, a piece at a time: the codes (and a set
    of them) are all that is held of the text's lines at once."""
    codes: list[bytes] = []
    count = text.count(b"\n")

    def lines() -> Iterator[bytes]:
        for piece in pieces(text):
            part = piece.split(b"\n")
            part.pop()
            _codes_of(part, codes)
            yield from part

    try:
        root: str | None = poolmerkle.block_root(lines(), count).hex()
    except ValueError:
        root = None
    return TextFacts(len(set(codes)) == len(codes), root)


def _codes_of(lines: list[bytes], into: list[bytes]) -> None:
    """The codes of the member and excluded lines among ``lines`` (cut by their one width
    in C when they share it, else by a split per line)."""
    for prefix in (MEMBER_PREFIX, _EXCLUDED):
        of = [line for line in lines if line.startswith(prefix)]
        ends = set(map(bytes.find, of, repeat(b"\t"), repeat(len(prefix))))
        if len(ends) == 1:
            into.extend(map(itemgetter(slice(len(prefix), ends.pop())), of))
        else:
            into.extend(line.split(b"\t", 2)[1] for line in of)


class Checked(NamedTuple):
    """How to get the answers of :func:`check_apart`: whether the text is canonical, then
    the other facts (each call waits for its answer)."""

    canonical: Callable[[], bool]
    facts: Callable[[], TextFacts]


def check_apart(text: bytes) -> Checked:
    """Start finding whether ``text`` is canonical and its :class:`TextFacts`: in a forked
    child where possible, else at once, here. What a child could not tell (it died) is
    taken as the safe answer: not canonical, :data:`UNKNOWN` facts."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        known, found = canonical_text(text), text_facts(text)
        return Checked(lambda: known, lambda: found)
    _reap()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer and leave at once (no cleanup of the parent's)
        try:
            os.close(read_end)
            os.write(write_end, b"1\n" if canonical_text(text) else b"0\n")
            os.write(write_end, json.dumps(text_facts(text)).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    _children.add(pid)
    pipe = os.fdopen(read_end, "rb")
    got: dict[str, Any] = {}

    def canonical() -> bool:
        if "canonical" not in got:
            got["canonical"] = pipe.readline() == b"1\n"
        return bool(got["canonical"])

    def facts() -> TextFacts:
        if "facts" not in got:
            canonical()
            with pipe:
                data = pipe.read()
            if pid in _children:
                _children.discard(pid)
                os.waitpid(pid, 0)
            got["facts"] = _facts(data)
        return got["facts"]  # type: ignore[no-any-return]

    return Checked(canonical, facts)


#: children started and not yet waited for (a reader refused before it asked for the facts)
_children: set[int] = set()


def _reap() -> None:
    """Wait for the children of earlier checks that have ended: none is left a zombie."""
    for pid in list(_children):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            _children.discard(pid)


def _facts(data: bytes) -> TextFacts:
    try:
        distinct, root = json.loads(data)
    except ValueError:
        return UNKNOWN
    return TextFacts(distinct is True, root if isinstance(root, str) else None)

