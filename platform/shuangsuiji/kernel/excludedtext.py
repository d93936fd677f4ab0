"""A ``/3`` file's excluded lines (docs/draw-spec.md §16) as the bundle's excluded rows,
cut into columns a chunk at a time: ``excluded<TAB>code<TAB>name<TAB>rule<TAB>article<TAB>
trigger`` lines become the ``[code, name, rule code, trigger or null]`` rows of §6 without
a list per row. The article is left out, as in the rows: it is the rule's citation's, and
the pool rebuilt from the rows writes it again (a wrong one no longer hashes to the text).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import repeat
from typing import Any, overload

from shuangsuiji.kernel.errors import BundleFormatError
from shuangsuiji.kernel.strictjson import ROWS
from shuangsuiji.messages import msg

_FIELDS = 6


class ExcludedText(Sequence[list[Any]]):
    """The excluded lines of a pool's text, in chunks of :data:`ROWS`; ``first``: the pool
    line number of the first (to name a bad one)."""

    def __init__(self, lines: list[bytes], first: int) -> None:
        #: each chunk's text (its lines, each with its LF): the digest lines they are, so
        #: the exclusions made of them share these bytes (no line is held as an object)
        self.texts = [b"\n".join(lines[i:i + ROWS]) + b"\n"
                      for i in range(0, len(lines), ROWS)]
        self.counts = [min(ROWS, len(lines) - i) for i in range(0, len(lines), ROWS)]
        self.first = first
        #: each chunk's columns once cut, and its articles (read twice: the rule checks,
        #: then the exclusions; let go by :meth:`forget`)
        self._cut: dict[int, tuple[list[list[Any]], list[str]] | None] = {}

    def __len__(self) -> int:
        return sum(self.counts)

    def __bool__(self) -> bool:
        return bool(self.counts)

    def columns(self, k: int) -> list[list[Any]] | None:
        """Chunk ``k`` as the rows' four columns (one decode and one split), or None when a
        line there is not six fields of UTF-8 text starting ``excluded``."""
        if k not in self._cut:
            self._cut[k] = self._columns(k)
        cut = self._cut[k]
        return None if cut is None else [list(c) for c in cut[0]]

    def text_if(self, k: int, articles: list[str]) -> bytes | None:
        """Chunk ``k``'s lines as the text they are, when its articles are ``articles``
        (those of the rules its rows name): the digest lines the rows would be written as
        again; None when not."""
        cut = self._cut.get(k)
        if cut is None or cut[1] != articles:
            return None
        return self.texts[k]

    def forget(self) -> None:
        """Let the columns cut go."""
        self._cut = {}

    def chunk(self, k: int) -> list[bytes]:
        """Chunk ``k``'s lines (without their LF)."""
        return self.texts[k].split(b"\n")[:-1]

    def lines(self) -> Iterator[bytes]:
        """Every line, in order."""
        for k in range(len(self.texts)):
            yield from self.chunk(k)

    def _columns(self, k: int) -> tuple[list[list[Any]], list[str]] | None:
        chunk = self.chunk(k)
        # five TABs on every line (one short and one long would add up when joined)
        if set(map(bytes.count, chunk, repeat(b"\t"))) != {_FIELDS - 1}:
            return None
        try:
            fields = b"\t".join(chunk).decode("utf-8").split("\t")
        except UnicodeDecodeError:
            return None
        n = len(chunk)
        if len(fields) != _FIELDS * n or fields[0::_FIELDS] != ["excluded"] * n:
            return None
        triggers = [t or None for t in fields[5::_FIELDS]]
        return ([fields[1::_FIELDS], fields[2::_FIELDS], fields[3::_FIELDS], triggers],
                fields[4::_FIELDS])

    def rows(self, k: int) -> list[list[Any]]:
        """Chunk ``k``'s rows, a line at a time: a bad line is named (``pool line N``)."""
        start = self.first + sum(self.counts[:k])
        return [_row(line, start + j) for j, line in enumerate(self.chunk(k))]

    @overload
    def __getitem__(self, i: int) -> list[Any]: ...
    @overload
    def __getitem__(self, i: slice) -> list[list[Any]]: ...

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        k, j = divmod(i, ROWS)
        return _row(self.chunk(k)[j], self.first + i)

    def __iter__(self) -> Iterator[list[Any]]:
        for k in range(len(self.texts)):
            yield from self.rows(k)


def _row(line: bytes, n: int) -> list[Any]:
    try:
        fields = line.decode("utf-8").split("\t")
    except UnicodeDecodeError:
        raise BundleFormatError(f"pool line {n}", msg("not UTF-8 text")) from None
    if fields[0] != "excluded":
        raise BundleFormatError(f"pool line {n}", msg(
            "expected a stratum line, a member line of the stratum before it, or an "
            "excluded line"))
    if len(fields) != _FIELDS:
        raise BundleFormatError(f"pool line {n}", msg(
            "expected excluded<TAB>code<TAB>name<TAB>rule<TAB>article<TAB>trigger"))
    _, code, name, rule, _article, trigger = fields
    return [code, name, rule, trigger or None]
