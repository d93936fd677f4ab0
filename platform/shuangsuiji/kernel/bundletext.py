"""The bundle as a text file, ``shuangsuiji-draw/3`` (docs/draw-spec.md §16): the pool as
its own digest lines instead of JSON.

The file is three parts, each ending in LF::

    shuangsuiji-draw/3
    <the bundle without its pool: one line of JSON (canonical JSON as the platform writes it)>
    <the pool's lines of §3.3, verbatim: the very bytes whose SHA-256 is the pool digest>

It is not a new bundle but a second spelling of a ``/1`` or ``/2`` one: the draw digest
leaves the pool out (§6), so both files of one draw carry the same two digests. A verifier
reads the pool's lines without a JSON parser, hashes them once (they must hash to
``digests.pool``), and hands the rest of the work to the v2 checks, the pool given as the
object the lines describe: its plain members (no flags) as their lines already, which is
what the v2 stream reader makes of a stratum's JSON with much more work.

Only what the pool's JSON would give canonically is accepted: every plain member line is
checked in bulk (printable, NFC, no space at a field's edge, a code), the others are read
as rows and made canonical again by the pool builder, and the text must hash to the digest
of the pool rebuilt from them — so a file whose lines differ from the canonical ones in any
byte is refused at the first line that differs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import compress, repeat, zip_longest
from typing import Any

from shuangsuiji.kernel import poolmerkle
from shuangsuiji.kernel.canonical import canonical_json
from shuangsuiji.kernel.errors import BundleFormatError
from shuangsuiji.kernel.excludedtext import ExcludedText
from shuangsuiji.kernel.model import MEMBER_PREFIX
from shuangsuiji.kernel.pooltext import POOL_FORMAT
from shuangsuiji.kernel.strictjson import (
    ROWS,
    KeptRow,
    RawRows,
    StreamedBundle,
    kept_value,
    loads,
)
from shuangsuiji.kernel.textcheck import TextFacts, canonical_text, check_apart
from shuangsuiji.messages import msg

TEXT_FORMAT = "shuangsuiji-draw/3"
MAGIC = TEXT_FORMAT.encode() + b"\n"
_STRATUM = b"stratum\t"
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def text_file(rest: dict[str, Any], pool_text: Iterable[bytes]) -> Iterator[bytes]:
    """The ``/3`` file of a bundle: ``rest`` is the bundle without its ``pool``, ``pool_text``
    the pool's lines (:func:`~shuangsuiji.kernel.pooltext.pool_text`, or as stored)."""
    if "pool" in rest:
        raise ValueError("the bundle's rest must not hold its pool")
    yield MAGIC + canonical_json(rest) + b"\n"
    yield from pool_text


def text_prefix(rest: dict[str, Any]) -> bytes:
    """What comes before the pool's lines in the ``/3`` file of ``rest``."""
    return MAGIC + canonical_json(rest) + b"\n"


class FoundText:
    """The pool's lines as a ``/3`` file gave them, from the parts the pool object keeps
    (its member and excluded lines are not held twice): to name the first line that
    differs from the canonical text."""

    def __init__(self, heads: list[bytes], strata: list[tuple[bytes, RawRows]],
                 excluded: ExcludedText) -> None:
        self.heads, self.strata, self.excluded = heads, strata, excluded

    def __len__(self) -> int:
        return (len(self.heads) + sum(1 + len(rows) for _, rows in self.strata)
                + len(self.excluded))

    def __iter__(self) -> Iterator[bytes]:
        yield from self.heads
        for line, rows in self.strata:
            yield line
            for k, n in enumerate(rows.counts):
                lined = rows.lines(k)
                assert lined is not None  # (a /3 file's chunks are read as lines)
                plain, others = iter(lined[0]), lined[1]
                for i in range(n):
                    yield _member_line(kept_value(others[i])) if i in others else next(plain)
        yield from self.excluded.lines()


def _member_line(row: list[Any]) -> bytes:
    """The member line a row was read from (:func:`_row` splits exactly at its TABs)."""
    code, name, flags = row
    return f"member\t{code}\t{name}\t{','.join(flags)}".encode()


class TextBundle(StreamedBundle):
    """A bundle read from a ``/3`` file: the v2-shaped object (its ``pool`` made of the
    lines), the SHA-256 of the pool's lines as found, and those lines (to name the first
    one that differs from the canonical text)."""

    text_digest: str
    found: FoundText
    #: every field of the text is canonical (:func:`~.textcheck.canonical_text`)
    canonical: bool
    later: Callable[[], TextFacts]

    @property
    def facts(self) -> TextFacts:
        """The other facts of the text (waiting for them when a child finds them)."""
        return self.later()


def known_block_root(bundle: Any, digest: str, fmt: str) -> tuple[str, int] | None:
    """The block tree's root (hex) and line count of a ``/3`` file's pool text as found,
    when the text is the pool rebuilt (its SHA-256 is the rebuilt pool's ``digest``) and
    ``fmt`` is an announcement format of that tree; None when it must be computed."""
    if not isinstance(bundle, TextBundle) or fmt in poolmerkle.LINE_LEAF_FORMATS:
        return None
    root = bundle.facts.block_root
    if root is None or bundle.text_digest != digest:
        return None
    return root, len(bundle.found)


def read_text(read: Callable[[], bytes]) -> TextBundle:
    """The bundle in a ``/3`` file, whose text after its first line (:data:`MAGIC`)
    ``read()`` gives.

    Refused (:class:`BundleFormatError`, by path): a second line that is not a JSON object
    (strictly, §13.2) or holds a ``pool``; pool lines that are not those of §3.3 in form
    (the line is named: ``pool line 7``)."""
    data = read()  # (one read: a gzip file's whole text is inflated by one call)
    end = data.find(b"\n")
    if end < 0:
        raise BundleFormatError("bundle", msg(
            "a shuangsuiji-draw/3 file has the bundle's JSON on its second line, then the "
            "pool's lines; this one ends before them"))
    head_line, text = data[:end], data[end + 1:]
    del data
    try:
        head_text = head_line.decode("utf-8")
    except UnicodeDecodeError:
        raise BundleFormatError("bundle", msg("not UTF-8 text")) from None
    head = loads(head_text)
    if not isinstance(head, dict):
        raise BundleFormatError("bundle", msg("expected an object"))
    if "pool" in head:
        raise BundleFormatError("bundle.pool", msg(
            "a shuangsuiji-draw/3 file gives the pool as its lines after the JSON, not as a "
            "pool field"))
    digest = hashlib.sha256(text).hexdigest()
    if not text.endswith(b"\n"):
        raise BundleFormatError(_line_path(1 + text.count(b"\n")), msg(
            "the pool's last line has no line feed"))
    checked = check_apart(text)  # (in a child process, while the lines are cut here)
    try:
        lines = text.split(b"\n")
        del text
        lines.pop()  # (after the last LF)
        pool, found = pool_object(lines, canonical=True)
    finally:
        canonical = checked.canonical()
    if not canonical:  # some field is not canonical: each chunk's lines checked alone
        pool, found = pool_object(lines)
    del lines  # (what is kept of them is in the pool's parts)
    bundle = TextBundle(head)
    bundle["pool"] = pool
    bundle.canonical = canonical
    bundle.later = checked.facts
    bundle.text_digest = digest
    bundle.found = found
    return bundle


def _line_path(n: int) -> str:
    """The path naming line ``n`` (1 = the pool's first line, §3.3) of a file's pool."""
    return f"pool line {n}"


def pool_object(lines: list[bytes], *, canonical: bool = False
                ) -> tuple[dict[str, Any], FoundText]:
    """The bundle's ``pool`` object (§6) the pool's ``lines`` (without their LF) describe,
    each stratum's members as :class:`RawRows` whose plain members are their lines; and
    the lines as found, from its parts.
    ``canonical``: the lines' fields are known canonical
    (:func:`~shuangsuiji.kernel.textcheck.canonical_text`)."""
    if not lines or lines[0] != POOL_FORMAT.encode():
        raise BundleFormatError(_line_path(1), msg(
            "expected %(format)s, the first line of a pool's text", format=POOL_FORMAT))
    if len(lines) < 2:
        raise BundleFormatError(_line_path(2), msg("the pool's header line is missing"))
    strata: list[dict[str, Any]] = []
    stratum_lines: list[tuple[bytes, RawRows]] = []
    i, end = 2, len(lines)
    while i < end and lines[i].startswith(_STRATUM):
        name, ratio, size, count = _stratum_line(lines[i], i + 1)
        members = lines[i + 1:i + 1 + count]
        if len(members) != count:
            raise BundleFormatError(_line_path(end + 1), msg(
                "stratum %(name)s announces %(count)s members; the text ends after %(found)s",
                name=name, count=count, found=len(members)))
        rows = _member_rows(members, i + 2, canonical)
        strata.append({"name": name, "ratio_permille": ratio, "size": size, "members": rows})
        stratum_lines.append((lines[i], rows))
        i += 1 + count
    excluded = ExcludedText(lines[i:], i + 1)
    return ({"strata": strata, "excluded": excluded},
            FoundText(lines[:2], stratum_lines, excluded))


def _stratum_line(line: bytes, n: int) -> tuple[str, int, int, int]:
    fields = _decoded(line, n).split("\t")
    if len(fields) != 5 or not all(f.isdigit() and f.isascii() for f in fields[2:]):
        raise BundleFormatError(_line_path(n), msg(
            "expected stratum<TAB>name<TAB>ratio<TAB>size<TAB>member count"))
    return fields[1], int(fields[2]), int(fields[3]), int(fields[4])


def _decoded(line: bytes, n: int) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        raise BundleFormatError(_line_path(n), msg("not UTF-8 text")) from None


def _member_rows(members: list[bytes], first: int, canonical: bool) -> RawRows:
    """A stratum's member lines as :class:`RawRows`, a chunk of :data:`ROWS` at a time: the
    lines of plain members kept as they are (checked here), every other member as the JSON
    of its row, which the pool builder reads and makes canonical itself."""
    counts: list[int] = []
    lined: dict[int, tuple[list[bytes], dict[int, KeptRow]]] = {}
    for k, start in enumerate(range(0, len(members), ROWS)):
        chunk = members[start:start + ROWS]
        counts.append(len(chunk))
        lined[k] = _chunk_lines(chunk, first + start, canonical)
    return RawRows([None] * len(counts), counts, lined=lined)


def _chunk_lines(chunk: list[bytes], first: int, canonical: bool,
                 ) -> tuple[list[bytes], dict[int, KeptRow]]:
    """(the plain lines, the other rows' JSON by position) of one chunk of member lines
    whose first is line ``first`` of the pool."""
    ends = list(map(bytes.endswith, chunk, repeat(b"\t")))  # no flags, if well formed
    rest: Sequence[int]
    if all(ends):
        if _plain_lines(chunk, canonical):
            return chunk, {}
        rest = range(len(chunk))
    else:
        plain = list(compress(chunk, ends))
        if _plain_lines(plain, canonical):
            rest = [i for i, e in enumerate(ends) if not e]
        else:
            rest = range(len(chunk))
    if len(rest) == len(chunk):  # some line is not canonical: each plain one seen alone
        rest = [i for i, line in enumerate(chunk) if not (ends[i] and _plain_lines([line]))]
    others: dict[int, KeptRow] = {i: _row(chunk[i], first + i) for i in rest}
    return [line for i, line in enumerate(chunk) if i not in others], others


def _row(line: bytes, n: int) -> list[Any]:
    """The row ``[code, name, [flags]]`` of member line ``line`` (line ``n`` of the pool)."""
    fields = _decoded(line, n).split("\t")
    if len(fields) != 4 or fields[0] != "member":
        raise BundleFormatError(_line_path(n), msg(
            "expected member<TAB>credit code<TAB>name<TAB>flags (flags joined by commas)"))
    _, code, name, flags = fields
    return [code, name, flags.split(",") if flags else []]


def _plain_lines(lines: Sequence[bytes], canonical: bool = False) -> bool:
    """Whether every one of ``lines`` is a member line without flags in canonical text
    (what :mod:`~shuangsuiji.kernel.memberlines` vouches for in a JSON bundle): exactly
    three TABs, a code, no space at a field's edge, printable, NFC (``canonical``: its
    fields are known to be). Checked in C; a line that fails is read as a row instead
    (and made canonical by the pool builder, so it is refused where it differs)."""
    if not lines:
        return True
    if set(map(bytes.count, lines, repeat(b"\t"))) != {3}:
        return False
    if not all(map(bytes.startswith, lines, repeat(MEMBER_PREFIX))):
        return False
    return canonical or canonical_text(b"\n".join(lines) + b"\n")


def first_different_line(found: Iterable[bytes], expected: Iterable[bytes]
                         ) -> tuple[int, str | None, str | None] | None:
    """(line number, expected, found) of the first line where the pool's lines as found
    differ from the canonical ``expected`` text (in chunks), or None when they are equal."""
    for n, (want, got) in enumerate(zip_longest(_lines(expected), found), 1):
        if want != got:
            return n, _shown(want), _shown(got)
    return None


def _shown(line: bytes | None) -> str | None:
    return None if line is None else line.decode("utf-8", "replace")


def _lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    tail = b""
    for chunk in chunks:
        parts = (tail + chunk).split(b"\n")
        tail = parts.pop()
        yield from parts
