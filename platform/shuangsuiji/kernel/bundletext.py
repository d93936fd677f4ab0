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
from collections.abc import Iterable, Iterator, Sequence
from itertools import compress, repeat
from typing import Any, BinaryIO

from shuangsuiji.kernel.canonical import canonical_json
from shuangsuiji.kernel.errors import BundleFormatError
from shuangsuiji.kernel.excludedtext import ExcludedText
from shuangsuiji.kernel.model import MEMBER_PREFIX
from shuangsuiji.kernel.pooltext import POOL_FORMAT
from shuangsuiji.kernel.strictjson import ROWS, RawRows, StreamedBundle, loads
from shuangsuiji.kernel.textcheck import canonical_text, check_apart
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


class TextBundle(StreamedBundle):
    """A bundle read from a ``/3`` file: the v2-shaped object (its ``pool`` made of the
    lines), the SHA-256 of the pool's lines as found, and those lines (to name the first
    one that differs from the canonical text)."""

    text_digest: str
    pool_lines: list[bytes]


def read_text(f: BinaryIO) -> TextBundle:
    """The bundle in a ``/3`` file, ``f`` positioned after its first line (:data:`MAGIC`).

    Refused (:class:`BundleFormatError`, by path): a second line that is not a JSON object
    (strictly, §13.2) or holds a ``pool``; pool lines that are not those of §3.3 in form
    (the line is named: ``pool line 7``)."""
    head_line = f.readline()
    if not head_line.endswith(b"\n"):
        raise BundleFormatError("bundle", msg(
            "a shuangsuiji-draw/3 file has the bundle's JSON on its second line, then the "
            "pool's lines; this one ends before them"))
    try:
        head_text = head_line[:-1].decode("utf-8")
    except UnicodeDecodeError:
        raise BundleFormatError("bundle", msg("not UTF-8 text")) from None
    head = loads(head_text)
    if not isinstance(head, dict):
        raise BundleFormatError("bundle", msg("expected an object"))
    if "pool" in head:
        raise BundleFormatError("bundle.pool", msg(
            "a shuangsuiji-draw/3 file gives the pool as its lines after the JSON, not as a "
            "pool field"))
    text = f.read()
    digest = hashlib.sha256(text).hexdigest()
    if not text.endswith(b"\n"):
        raise BundleFormatError(_line_path(1 + text.count(b"\n")), msg(
            "the pool's last line has no line feed"))
    checked = check_apart(text)  # (in a child process, while the lines are cut here)
    try:
        lines = text.split(b"\n")
        del text
        lines.pop()  # (after the last LF)
        pool = pool_object(lines, canonical=True)
    finally:
        canonical = checked()
    if not canonical:  # some field is not canonical: each chunk's plain lines checked alone
        pool = pool_object(lines)
    bundle = TextBundle(head)
    bundle["pool"] = pool
    bundle.text_digest = digest
    bundle.pool_lines = lines
    return bundle


def _line_path(n: int) -> str:
    """The path naming line ``n`` (1 = the pool's first line, §3.3) of a file's pool."""
    return f"pool line {n}"


def pool_object(lines: list[bytes], *, canonical: bool = False) -> dict[str, Any]:
    """The bundle's ``pool`` object (§6) the pool's ``lines`` (without their LF) describe:
    each stratum's members as :class:`RawRows` whose plain members are their lines.
    ``canonical``: the lines' fields are known canonical
    (:func:`~shuangsuiji.kernel.textcheck.canonical_text`)."""
    if not lines or lines[0] != POOL_FORMAT.encode():
        raise BundleFormatError(_line_path(1), msg(
            "expected %(format)s, the first line of a pool's text", format=POOL_FORMAT))
    if len(lines) < 2:
        raise BundleFormatError(_line_path(2), msg("the pool's header line is missing"))
    strata: list[dict[str, Any]] = []
    i, end = 2, len(lines)
    while i < end and lines[i].startswith(_STRATUM):
        name, ratio, size, count = _stratum_line(lines[i], i + 1)
        members = lines[i + 1:i + 1 + count]
        if len(members) != count:
            raise BundleFormatError(_line_path(end + 1), msg(
                "stratum %(name)s announces %(count)s members; the text ends after %(found)s",
                name=name, count=count, found=len(members)))
        strata.append({"name": name, "ratio_permille": ratio, "size": size,
                       "members": _member_rows(members, i + 2, canonical)})
        i += 1 + count
    return {"strata": strata, "excluded": ExcludedText(lines[i:], i + 1)}


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
    lined: dict[int, tuple[list[bytes], dict[int, bytes]]] = {}
    for k, start in enumerate(range(0, len(members), ROWS)):
        chunk = members[start:start + ROWS]
        counts.append(len(chunk))
        lined[k] = _chunk_lines(chunk, first + start, canonical)
    return RawRows([None] * len(counts), counts, lined=lined)


def _chunk_lines(chunk: list[bytes], first: int, canonical: bool,
                 ) -> tuple[list[bytes], dict[int, bytes]]:
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
    others = {i: _row_json(chunk[i], first + i, canonical) for i in rest}
    return [line for i, line in enumerate(chunk) if i not in others], others


def _row_json(line: bytes, n: int, canonical: bool = False) -> bytes:
    """The JSON of the row of member line ``line`` (line ``n`` of the pool). ``canonical``:
    the text is known printable UTF-8 (no control character), so a line without a quote or
    a backslash is its JSON with separators put in, each field written as it is."""
    parts = line.split(b"\t")
    if len(parts) != 4 or parts[0] != b"member":
        _decoded(line, n)
        raise BundleFormatError(_line_path(n), msg(
            "expected member<TAB>credit code<TAB>name<TAB>flags (flags joined by commas)"))
    _, code, name, flags = parts
    if canonical and b'"' not in line and b"\\" not in line:
        listed = b'"' + flags.replace(b",", b'","') + b'"' if flags else b""
        return b'["' + code + b'","' + name + b'",[' + listed + b"]]"
    fields = _decoded(line, n).split("\t")
    return _dumps([fields[1], fields[2], fields[3].split(",") if fields[3] else []]).encode()


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


def first_different_line(found: Sequence[bytes], expected: Iterable[bytes]
                         ) -> tuple[int, str | None, str | None] | None:
    """(line number, expected, found) of the first line where the pool's lines as found
    differ from the canonical ``expected`` text (in chunks), or None when they are equal."""
    n = 0
    for line in _lines(expected):
        if n >= len(found):
            return n + 1, line.decode("utf-8", "replace"), None
        if found[n] != line:
            return n + 1, line.decode("utf-8", "replace"), found[n].decode("utf-8", "replace")
        n += 1
    if n < len(found):
        return n + 1, None, found[n].decode("utf-8", "replace")
    return None


def _lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    tail = b""
    for chunk in chunks:
        parts = (tail + chunk).split(b"\n")
        tail = parts.pop()
        yield from parts
