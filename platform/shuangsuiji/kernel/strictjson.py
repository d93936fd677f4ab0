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
from collections.abc import Iterator, Sequence
from typing import Any, BinaryIO, overload

from shuangsuiji.kernel.errors import BundleFormatError
from shuangsuiji.messages import msg

#: The largest integer every JSON reader represents exactly (an IEEE double's 53 bits).
SAFE_INTEGER = 2**53 - 1
ROWS = 16384  # member rows per chunk of a stream-read stratum
_READ = 1 << 20
scanstring = json.decoder.scanstring  # type: ignore[attr-defined]
_NONWS = re.compile(r"[^ \t\n\r]")


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


class RawRows(Sequence[Any]):
    """A stratum's member rows as their JSON text, a chunk of rows at a time; parsed again
    (strictly checked already) when rows are asked for, one chunk at a time."""

    def __init__(self, chunks: list[bytes], counts: list[int]) -> None:
        self.raw: list[bytes | None] = list(chunks)
        self.counts = counts
        self._total = sum(counts)
        self._cached: tuple[int, list[Any]] | None = None
        #: chunks whose text was let go: their rows as digest lines, and the other rows
        self._lines: dict[int, tuple[list[bytes], dict[int, Any]]] = {}

    def forget(self, k: int, lines: list[bytes], others: dict[int, Any]) -> None:
        """Let chunk ``k``'s text go: its rows are ``others`` (by position) and, in between,
        the rows of ``lines`` (digest lines of canonical rows without flags, which give
        their rows back exactly)."""
        self.raw[k] = None
        self._lines[k] = (lines, others)

    def __len__(self) -> int:
        return self._total

    def chunk(self, k: int) -> list[Any]:
        """The rows of chunk ``k``."""
        if self._cached is not None and self._cached[0] == k:
            return self._cached[1]
        raw = self.raw[k]
        if raw is None:
            lines, others = self._lines[k]
            plain = iter(lines)
            rows = [others[i] if i in others else _row_of_line(next(plain))
                    for i in range(self.counts[k])]
        else:
            rows = _DECODER.decode("[" + raw.decode("utf-8") + "]")
        self._cached = (k, rows)
        return rows

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
        for k, n in enumerate(self.counts):
            if i < n:
                return self.chunk(k)[i]
            i -= n
        raise IndexError(i)

    def __iter__(self) -> Iterator[Any]:
        for _, rows in self.chunks():
            yield from rows

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RawRows | list):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other,
                                                                          strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


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
        if path in (("pool", "strata", "*", "members"), ("pool", "excluded")) and c == "[":
            return self.members()
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

    def members(self) -> RawRows:
        self.expect("[")
        chunks: list[bytes] = []
        counts: list[int] = []
        if self.peek() == "]":
            self.pos += 1
            return RawRows(chunks, counts)
        n = 0
        self.mark = self.pos
        while True:
            self.value()  # checked strictly, then let go: its text is kept
            n += 1
            c = self.peek()
            if c not in (",", "]"):
                raise _Fallback
            if n == self.rows or c == "]":
                assert self.mark is not None
                chunks.append(self.buf[self.mark:self.pos].encode("utf-8"))
                counts.append(n)
                n = 0
                self.pos += 1
                if c == "]":
                    self.mark = None
                    return RawRows(chunks, counts)
                self.peek()
                self.mark = self.pos
            else:
                self.pos += 1


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
