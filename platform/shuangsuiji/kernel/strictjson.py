"""Strict JSON for bundles (docs/draw-spec.md §13.2), whole or as a stream.

A bundle is refused when an object holds a key twice, a number has a fraction or an
exponent (or is NaN or Infinity), an integer is beyond ±(2^53 − 1) (where readers in other
languages silently round), or the text is not JSON; the refusal names the path of the
offending value (``bundle.pool.strata[0].members[7][1]``).

:func:`loads` parses text held whole. :func:`load` reads a file as a stream: every value
is parsed by the standard library's C scanner with the same strict hooks, but the members
of each stratum are kept as their JSON text, a chunk of rows at a time (:class:`RawRows`,
parsed again only when the verifier asks), so a million members never exist as a million
lists at once. Whatever the stream reader does not expect (a refusal, bad JSON, another
encoding) is handed to :func:`loads` over the whole input, so both readers accept the same
bundles and name the same problem.
"""

# whole-module: the whole-text reader and the stream reader share the strict hooks and must
# accept the same bundles and name the same problem; side by side, a change to one is seen
# to need the same change in the other.

from __future__ import annotations

import codecs
import json
import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from itertools import accumulate
from typing import Any, BinaryIO, overload

from shuangsuiji.kernel.errors import BundleFormatError
from shuangsuiji.kernel.excludedruns import ExcludedRuns
from shuangsuiji.kernel.memberlines import MemberRuns
from shuangsuiji.messages import msg

#: The largest integer every JSON reader represents exactly (an IEEE double's 53 bits).
SAFE_INTEGER = 2**53 - 1
ROWS = 16384  # member rows per chunk of a stream-read stratum (at least)
_READ = 1 << 20
_TAIL = 4096  # a plain row not matched this near the buffer's end may be cut by it
_PIECE = 448  # bytes of a chunk's text per piece (:func:`_pieces`)
_LINES_AHEAD = 1 << 16  # text read ahead of a run made into lines (at least, but at the end)
scanstring = json.decoder.scanstring  # type: ignore[attr-defined]
_NONWS = re.compile(r"[^ \t\n\r]")
# Rows the stream reader checks by one regular expression instead of the scanner, a run at a
# time: every string without an escape or a control character (so its JSON value is its
# text between the quotes, and every quote of the run delimits a string), only JSON's own
# white space between tokens. A member without flags (4 quotes a row); an excluded row
# with a triggering task (8 quotes a row). Anything else is read by the scanner.
_WS = r"[ \t\n\r]*"
_STR = r'"[^"\\\x00-\x1f]*"'
_SEP = rf"{_WS},{_WS}"
_PLAIN_MEMBER = rf"\[{_WS}{_STR}{_SEP}{_STR}{_SEP}\[{_WS}\]{_WS}\]"
_PLAIN_EXCLUDED = rf"\[{_WS}{_STR}{_SEP}{_STR}{_SEP}{_STR}{_SEP}{_STR}{_WS}\]"
#: (regular expression of a run of such rows, quotes per row), by kind of row
PLAIN_RUNS = {
    "members": (re.compile(f"(?:{_PLAIN_MEMBER}{_SEP})*{_PLAIN_MEMBER}"), 4),
    "excluded": (re.compile(f"(?:{_PLAIN_EXCLUDED}{_SEP})*{_PLAIN_EXCLUDED}"), 8),
}


def _twice(key: str) -> str:
    return msg("key %(key)r occurs twice in one object: a reader and a verifier could see "
               "different values; refused", key=key)


def _fraction(text: str) -> str:
    return msg("number %(number)s is not an integer: a bundle holds integers only",
               number=text[:40])


def _unsafe(text: str) -> str:
    return msg("integer %(number)s is beyond ±(2^53 − 1): readers in other languages would "
               "round it; refused", number=text[:40])


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Refused()
    return out


def _no_float(text: str) -> Any:
    raise _Refused()


def _safe_int(text: str) -> int:
    value = int(text)
    if -SAFE_INTEGER <= value <= SAFE_INTEGER:
        return value
    raise _Refused()


class _Refused(Exception):
    """A strict rule was broken somewhere: :func:`_locate` finds where."""


_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_float=_no_float,
                            parse_constant=_no_float, parse_int=_safe_int)


def loads(text: str | bytes) -> Any:
    """Parse a whole bundle strictly; :class:`BundleFormatError` names the first problem."""
    try:
        if isinstance(text, bytes | bytearray):
            text = bytes(text).decode(json.detect_encoding(text), "surrogatepass")
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_float=_no_float,
                          parse_constant=_no_float, parse_int=_safe_int)
    except _Refused:
        assert isinstance(text, str)
        raise _locate(text) from None
    except json.JSONDecodeError as e:
        raise BundleFormatError("bundle", msg("not JSON: %(error)s (line %(line)s, column "
                                              "%(col)s)", error=e.msg, line=e.lineno,
                                              col=e.colno)) from None
    except UnicodeDecodeError:
        raise BundleFormatError("bundle", msg("not UTF-8 text")) from None


# --- naming the path of a strict refusal ----------------------------------------------


class _Pairs(list[tuple[str, Any]]):
    """An object's pairs as found, in order (duplicates kept)."""


class _Number(str):
    """A number's text that broke a rule, and which."""

    problem: str


def _lenient_float(text: str) -> Any:
    n = _Number(text)
    n.problem = _fraction(text)
    return n


def _lenient_int(text: str) -> Any:
    value = int(text)
    if -SAFE_INTEGER <= value <= SAFE_INTEGER:
        return value
    n = _Number(text)
    n.problem = _unsafe(text)
    return n


_LENIENT = json.JSONDecoder(object_pairs_hook=_Pairs, parse_float=_lenient_float,
                            parse_constant=_lenient_float, parse_int=_lenient_int)


def _locate(text: str) -> BundleFormatError:
    """The first refusal of ``text`` (known to break a rule), in document order, by path."""
    found = _first(_LENIENT.decode(text), "bundle")
    assert found is not None
    return found


def _first(node: Any, path: str) -> BundleFormatError | None:
    if isinstance(node, _Number):
        return BundleFormatError(path, node.problem)
    if isinstance(node, _Pairs):
        seen: set[str] = set()
        for key, value in node:
            if key in seen:
                return BundleFormatError(f"{path}.{key}", _twice(key))
            seen.add(key)
            sub = _first(value, f"{path}.{key}")
            if sub is not None:
                return sub
    elif isinstance(node, list):
        for i, value in enumerate(node):
            sub = _first(value, f"{path}[{i}]")
            if sub is not None:
                return sub
    return None


# --- the stream reader ----------------------------------------------------------------


#: A row of a chunk made into lines that is not one of them: its JSON text, or (a ``/3``
#: file's, read from its line) the row itself
KeptRow = bytes | list[Any]


def kept_value(row: KeptRow) -> Any:
    """The row a :data:`KeptRow` holds."""
    return row if isinstance(row, list) else _DECODER.decode(row.decode("utf-8"))


class RawRows(Sequence[Any]):
    """A stratum's member rows as their JSON text, a chunk of rows at a time; parsed again
    (strictly checked already) when rows are asked for, one chunk at a time."""

    def __init__(self, chunks: list[bytes | tuple[bytes, ...] | None], counts: list[int],
                 odd: list[list[tuple[int, int, int]]] | None = None,
                 quotes: int = 0,
                 lined: dict[int, tuple[list[bytes], dict[int, KeptRow]]] | None = None) -> None:
        #: each chunk's UTF-8 text, whole or in pieces (:func:`_pieces`); None for a chunk
        #: read as lines (``lined``)
        self.raw: list[bytes | tuple[bytes, ...] | None] = list(chunks)
        self.counts = counts
        #: per chunk, where its rows that are not plain (:data:`PLAIN_RUNS`) are: (row,
        #: start, end of its text in the chunk's text); the others hold ``quotes`` quotes
        self.odd = odd
        self.quotes = quotes
        self._total = sum(counts)
        self._starts = [0, *accumulate(counts)]  # the first row of each chunk
        self._cached: tuple[int, list[Any]] | None = None
        #: chunks whose text was let go: their rows as digest lines, and the other rows
        #: (their JSON text), by position
        #: (chunks the reader made into lines from the start, :mod:`.memberlines`)
        self._lines: dict[int, tuple[list[bytes], dict[int, KeptRow]]] = dict(lined or {})
        self._read_as_lines = set(self._lines)

    def lines(self, k: int) -> tuple[list[bytes], dict[int, KeptRow]] | None:
        """Chunk ``k`` as the reader made it into lines (:class:`.memberlines.MemberRuns`):
        the digest lines of its plain rows, in order, and the JSON text of the others by
        position; None when the chunk was read as text."""
        return self._lines[k] if k in self._read_as_lines else None

    def forget(self, k: int, lines: list[bytes], others: Sequence[int]) -> None:
        """Let chunk ``k``'s text go, but for the rows at positions ``others``; its other
        rows are those of ``lines`` in order (digest lines of canonical rows without flags,
        which give their rows back exactly)."""
        raw = self.raw[k]
        if raw is None:
            return
        kept: dict[int, KeptRow] = {}
        if others:
            text = _text(raw)
            spans = {i: (a, b) for i, a, b in self.odd[k]} if self.odd is not None else {}
            for i in others:
                if i in spans:
                    a, b = spans[i]
                    kept[i] = text[a:b].encode("utf-8")
                else:  # (not noted by the reader: its value, as JSON again)
                    kept[i] = json.dumps(self.chunk(k)[i], ensure_ascii=False).encode()
        self.raw[k] = None
        if self.odd is not None:
            self.odd[k] = []
        self._lines[k] = (lines, kept)

    def __len__(self) -> int:
        return self._total

    def columns(self, k: int) -> tuple[list[list[Any]], dict[int, Any]] | None:
        """Chunk ``k``'s rows as columns of their strings (each plain row's fields in
        order), the rows not plain left out, and those rows (their values, by position);
        cut from the text by splitting it at its quotes, the plain rows not parsed again.
        None when the chunk's text was let go or the reader did not note its rows."""
        raw = self.raw[k]
        if raw is None or self.odd is None or not self.quotes:
            return None
        text = _text(raw)
        odd = self.odd[k]
        values: dict[int, Any] = {}
        if odd:
            # a row's text holds its quotes in pairs, the separators none: the plain rows'
            # fields stay at the same places once the other rows are cut out
            pieces, at = [], 0
            for i, start, end in odd:
                pieces.append(text[at:start])
                values[i] = _DECODER.decode(text[start:end])  # (checked strictly already)
                at = end
            pieces.append(text[at:])
            text = "".join(pieces)
        parts = text.split('"')
        q = self.quotes
        return [parts[f::q] for f in range(1, q, 2)], values

    def chunk(self, k: int) -> list[Any]:
        """The rows of chunk ``k``."""
        if self._cached is not None and self._cached[0] == k:
            return self._cached[1]
        raw = self.raw[k]
        if raw is None:
            lines, others = self._lines[k]
            plain = iter(lines)
            rows = [kept_value(others[i]) if i in others
                    else _row_of_line(next(plain)) for i in range(self.counts[k])]
        else:
            rows = _DECODER.decode("[" + _text(raw) + "]")
        self._cached = (k, rows)
        return rows

    def forget_cache(self) -> None:
        """Let the rows of the chunk parsed last go."""
        self._cached = None

    def chunks(self) -> Iterator[tuple[int, list[Any]]]:
        """(offset of its first row, rows) of each chunk, in order."""
        at = 0
        for k, n in enumerate(self.counts):
            yield at, self.chunk(k)
            at += n
        self._cached = None

    @overload
    def __getitem__(self, i: int) -> Any: ...
    @overload
    def __getitem__(self, i: slice) -> list[Any]: ...

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._total))]
        if i < 0:
            i += self._total
        if not 0 <= i < self._total:
            raise IndexError(i)
        k = bisect_right(self._starts, i) - 1
        i -= self._starts[k]
        kept = self._lines.get(k) if self.raw[k] is None else None
        if kept is None:
            return self.chunk(k)[i]
        # a row of a chunk let go, made again alone: kept as it is, or from its line (the
        # rows kept apart come before it in the chunk's order, not among its lines)
        lines, others = kept
        if i in others:
            return kept_value(others[i])
        return _row_of_line(lines[i - sum(1 for j in others if j < i)])

    def __iter__(self) -> Iterator[Any]:
        for _, rows in self.chunks():
            yield from rows

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RawRows | list):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other,
                                                                          strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


def _pieces(data: bytes) -> tuple[bytes, ...]:
    """``data`` in pieces small enough for Python's small-object allocator (at most 512
    bytes with the object's header). A chunk's text kept as one ``bytes`` of a megabyte
    sits in the C heap; once let go, that memory is not reused by the many small objects
    made meanwhile (the pool's digest lines), and at a million members some 70 MiB of the
    process's peak was such freed text. Pieces free whole pools the lines then reuse."""
    return tuple(data[i:i + _PIECE] for i in range(0, len(data), _PIECE))


def _text(raw: bytes | tuple[bytes, ...]) -> str:
    return (raw if isinstance(raw, bytes) else b"".join(raw)).decode("utf-8")


def _row_of_line(line: bytes) -> list[Any]:
    _, code, name, flags = line.decode("utf-8").split("\t")
    return [code, name, flags.split(",") if flags else []]


class StreamedBundle(dict[str, Any]):
    """A bundle read by :func:`load`: its verifier may replace parts it has read (the
    excluded rows by the exclusions made of them) to keep memory down."""


class _Fallback(Exception):
    """Something the stream reader does not handle: the whole-text reader decides."""


class _Stream:
    def __init__(self, f: BinaryIO, size: int, rows: int) -> None:
        self.f, self.size, self.rows = f, size, rows
        self.dec = codecs.getincrementaldecoder("utf-8")()
        self.buf, self.pos, self.eof = "", 0, False
        self.mark: int | None = None  # start of the member text being read (kept in buf)
        self.scan = _DECODER.scan_once  # type: ignore[attr-defined]
        self._n = 0  # (rows of the chunk being read, after :meth:`_text_row`)
        self.runs = MemberRuns()
        self.excluded_runs = ExcludedRuns()

    def fill(self, grow: bool = False) -> bool:
        """Read more; text before ``pos`` (or ``mark``) is let go. ``grow``: a value is being
        scanned; when it fills most of the buffer, read more at a time."""
        if self.eof:
            return False
        if grow and len(self.buf) - self.pos >= self.size:
            self.size *= 2
        data = self.f.read(self.size)
        keep = self.pos if self.mark is None else self.mark
        if self.mark is not None:
            self.mark = 0
        self.pos -= keep
        if data:
            self.buf = self.buf[keep:] + self.dec.decode(data)
        else:
            self.buf = self.buf[keep:] + self.dec.decode(b"", final=True)
            self.eof = True
        return True

    def peek(self) -> str:
        while True:
            m = _NONWS.search(self.buf, self.pos)
            if m is not None:
                self.pos = m.start()
                return self.buf[self.pos]
            self.pos = len(self.buf)
            if not self.fill():
                return ""

    def expect(self, ch: str) -> None:
        if self.peek() != ch:
            raise _Fallback
        self.pos += 1

    def value(self) -> Any:
        self.peek()  # the scanner does not skip white space
        while True:
            try:
                value, end = self.scan(self.buf, self.pos)
            except (StopIteration, json.JSONDecodeError):
                if self.fill(grow=True):
                    continue
                raise _Fallback from None
            except (_Refused, RecursionError):
                raise _Fallback from None
            if end >= len(self.buf) and self.fill(grow=True):  # a number may go on
                continue
            self.pos = end
            return value

    def key(self) -> str:
        if self.peek() != '"':
            raise _Fallback
        while True:
            try:
                key, end = scanstring(self.buf, self.pos + 1, True)
            except json.JSONDecodeError:
                if self.fill(grow=True):
                    continue
                raise _Fallback from None
            self.pos = end
            return key

    def obj(self, path: tuple[str, ...]) -> dict[str, Any]:
        self.expect("{")
        out: dict[str, Any] = {}
        if self.peek() == "}":
            self.pos += 1
            return out
        while True:
            key = self.key()
            if key in out:
                raise _Fallback
            self.expect(":")
            out[key] = self.child((*path, key))
            c = self.peek()
            self.pos += 1
            if c == "}":
                return out
            if c != ",":
                raise _Fallback

    def child(self, path: tuple[str, ...]) -> Any:
        """The value at ``path``: the pool's structure walked, its members kept as text."""
        c = self.peek()
        if path in (("pool",), ("pool", "strata", "*")) and c == "{":
            return self.obj(path)
        if path == ("pool", "strata") and c == "[":
            return self.array((*path, "*"))
        if path == ("pool", "strata", "*", "members") and c == "[":
            return self.members("members")
        if path == ("pool", "excluded") and c == "[":
            return self.members("excluded")
        return self.value()

    def array(self, path: tuple[str, ...]) -> list[Any]:
        self.expect("[")
        out: list[Any] = []
        if self.peek() == "]":
            self.pos += 1
            return out
        while True:
            out.append(self.child(path))
            c = self.peek()
            self.pos += 1
            if c == "]":
                return out
            if c != ",":
                raise _Fallback

    def _quote(self, k: int, end: int) -> int:
        """Where the quote after the ``k``-th one from ``pos`` is, before ``end``."""
        text = self.buf[self.pos:end]
        rest = text.split('"', k + 1)[-1]
        return end - len(rest) - 1

    def members(self, kind: str) -> RawRows:
        """The rows of an array of ``kind`` rows (``members``, ``excluded``) in chunks.

        A chunk of members that starts with a run of plain rows in a layout
        :class:`~shuangsuiji.kernel.memberlines.MemberRuns` knows is read as lines: those
        runs become the pool's digest lines at once, every other row is checked by the
        scanner and kept as its JSON text. Any other chunk is kept as text: runs of plain
        rows (:data:`PLAIN_RUNS`) are checked by one regular expression each, every other
        row by the scanner, its place noted (the chunk's columns are then cut from the text
        without parsing it again)."""
        run, quotes = PLAIN_RUNS[kind]
        self.expect("[")
        counts: list[int] = []
        specials: list[list[tuple[int, int, int]]] = []
        chunks: list[bytes | tuple[bytes, ...] | None] = []
        lined: dict[int, tuple[list[bytes], dict[int, KeptRow]]] = {}
        if self.peek() == "]":
            self.pos += 1
            return RawRows(chunks, counts, specials, quotes)
        n = 0
        self.mark = self.pos
        odd: list[tuple[int, int, int]] = []  # (row, start, end in the chunk's text)
        lines: list[bytes] | None = None  # a chunk read as lines: its lines so far
        kept: dict[int, KeptRow] = {}  # ... and the JSON text of its other rows
        while True:
            self.peek()  # (a run starts at a row's bracket)
            if kind == "members" and (lines is not None or n == 0):
                if not self.eof and len(self.buf) - self.pos < _LINES_AHEAD:
                    self.fill()
                got = self.runs.take(self.buf, self.pos, self.rows - n)
                if got is not None:
                    if lines is None:
                        lines, self.mark = [], None  # (its text is not kept)
                    lines.extend(got[0])
                    n += len(got[0])
                    self.pos = got[1]
                elif lines is not None:
                    self.mark = self.pos
                    self.value()  # checked strictly; its text kept
                    kept[n] = self.buf[self.mark:self.pos].encode("utf-8")
                    self.mark = None
                    n += 1
            if lines is None:
                self._text_row(run, quotes, n, odd)
                n = self._n
            c = self.peek()
            if c not in (",", "]"):
                raise _Fallback
            if n >= self.rows or c == "]":
                if lines is not None:
                    lined[len(counts)] = (lines, kept)
                    chunks.append(None)
                else:
                    assert self.mark is not None
                    chunks.append(_pieces(self.buf[self.mark:self.pos].encode("utf-8")))
                counts.append(n)
                specials.append(odd)
                n, odd, lines, kept = 0, [], None, {}
                self.pos += 1
                if c == "]":
                    self.mark = None
                    return RawRows(chunks, counts, specials, quotes, lined)
                self.peek()
                self.mark = self.pos
            else:
                self.pos += 1

    def _text_row(self, run: re.Pattern[str], quotes: int, n: int,
                  odd: list[tuple[int, int, int]]) -> None:
        """A run of plain rows of a chunk kept as text, or one other row; the chunk's row
        count after it in ``_n``."""
        if quotes == PLAIN_RUNS["excluded"][1]:
            if not self.eof and len(self.buf) - self.pos < _TAIL:
                self.fill(grow=True)
            found = self.excluded_runs.take(self.buf, self.pos, self.rows - n)
            if found is not None:  # (exactly what the expression would match)
                self._n = n + found[0]
                self.pos = found[1]
                return
        m = run.match(self.buf, self.pos)
        if m is None and not self.eof and len(self.buf) - self.pos < _TAIL:
            self.fill(grow=True)  # a plain row cut by the end of the buffer: read on
            m = run.match(self.buf, self.pos)
        if m is not None:
            k = self.buf.count('"', self.pos, m.end()) // quotes
            if n + k > self.rows:  # end the run where the chunk is full
                m = run.match(self.buf, self.pos,
                              self._quote(quotes * (self.rows - n), m.end()))
                assert m is not None
                k = self.rows - n
            self._n = n + k
            self.pos = m.end()
        else:
            assert self.mark is not None
            start = self.pos - self.mark
            self.value()  # checked strictly, then let go; its place kept
            odd.append((n, start, self.pos - self.mark))
            self._n = n + 1


def load(f: BinaryIO, *, rows: int = ROWS, read_size: int = _READ) -> Any:
    """Parse the bundle in the binary file ``f`` strictly, as a stream (see the module).

    ``f`` must be seekable when the stream reader hands over to :func:`loads` (it reads the
    file again from the start); standard input should be spooled to a file first.
    """
    start = f.tell()
    s = _Stream(f, read_size, rows)
    try:
        if s.peek() != "{":
            raise _Fallback
        out = s.obj(())
        if s.peek() != "":
            raise _Fallback
        return StreamedBundle(out)
    except (_Fallback, UnicodeDecodeError):
        pass
    del s
    f.seek(start)
    return loads(f.read())
