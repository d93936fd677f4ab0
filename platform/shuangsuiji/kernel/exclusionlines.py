"""A pool's exclusions held as their digest lines (docs/draw-spec.md §3.3), not as tuples.

What a verifier reads from a bundle: a couple of hundred thousand excluded targets, already
in canonical order, whose digest lines are all the pool needs of them (the digest, the
Merkle leaves, their count). :class:`ExclusionLines` keeps only those lines, in chunks, and
makes an :class:`Exclusion` again when one is asked for; a pool built from it
(:func:`~shuangsuiji.kernel.pool.stratify`) uses the lines as its ``excluded_text``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from itertools import accumulate
from typing import Any, overload

from shuangsuiji.kernel.model import Exclusion
from shuangsuiji.rules import Citation

_EXCLUDED = "excluded\t{}\t{}\t{}\t{}\t{}\n".format


class ExclusionLines(Sequence[Exclusion]):
    """Exclusions in canonical order (by credit code, each code once), as the chunks of
    their digest lines; ``cites``: the citation of each rule code they name."""

    def __init__(self, text: tuple[bytes, ...], counts: Sequence[int],
                 cites: dict[str, Citation]) -> None:
        self.text = text
        self.counts = list(counts)
        self.cites = cites
        self._starts = [0, *accumulate(self.counts)]

    def __len__(self) -> int:
        return self._starts[-1]

    def _chunk(self, k: int) -> list[Exclusion]:
        out: list[Exclusion] = []
        for line in self.text[k].decode("utf-8").split("\n")[:-1]:
            _, code, name, rule, _, trigger = line.split("\t")
            out.append(Exclusion(code, name, rule, self.cites[rule], trigger or None))
        return out

    @overload
    def __getitem__(self, i: int) -> Exclusion: ...
    @overload
    def __getitem__(self, i: slice) -> list[Exclusion]: ...

    def __getitem__(self, i: int | slice) -> Exclusion | list[Exclusion]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        k = bisect_right(self._starts, i) - 1
        return self._chunk(k)[i - self._starts[k]]

    def __iter__(self) -> Iterator[Exclusion]:
        for k in range(len(self.text)):
            yield from self._chunk(k)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return len(self) == len(other) and all(
                a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


def lines_chunk(codes: list[str], names: list[str], rules: list[str], articles: list[str],
                triggers: list[Any]) -> bytes | None:
    """The digest lines of one chunk of exclusions (columns of strings; a trigger None or
    text), formatted in C; None when a field holds a TAB or LF (the lines would be
    ambiguous: the exact path names the field)."""
    text = "".join(map(_EXCLUDED, codes, names, rules, articles,
                       [t or "" for t in triggers]))
    if text.count("\t") != 5 * len(codes) or text.count("\n") != len(codes):
        return None
    return text.encode("utf-8")
