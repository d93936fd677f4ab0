"""A pool's exclusions held as their digest lines (docs/draw-spec.md §3.3), not as tuples.

What a verifier reads from a bundle: a couple of hundred thousand excluded targets, already
in canonical order, whose digest lines are all the pool needs of them (the digest, the
Merkle leaves, their count). :class:`ExclusionLines` keeps only those lines, in chunks, and
makes an :class:`Exclusion` again when one is asked for; a pool built from it
(:func:`~shuangsuiji.kernel.pool.stratify`) uses the lines as its ``excluded_text``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import accumulate
from typing import Any, overload

from shuangsuiji.kernel.errors import InvalidInput
from shuangsuiji.kernel.model import Exclusion
from shuangsuiji.messages import msg
from shuangsuiji.rules import Citation

_EXCLUDED = "excluded\t{}\t{}\t{}\t{}\t{}\n".format


class ExclusionLines(Sequence[Exclusion]):
    """Exclusions in canonical order (by credit code, each code once), as the chunks of
    their digest lines; ``cites``: the citation of each rule code they name."""

    def __init__(self, text: tuple[bytes, ...], counts: Sequence[int],
                 cites: dict[str, Citation], *, rule_counts: dict[str, int] | None = None
                 ) -> None:
        self.text = text
        self.counts = list(counts)
        self.cites = cites
        self._starts = [0, *accumulate(self.counts)]
        self._rule_counts = rule_counts  # as check_chunk found them, if it was run

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

    def rule_counts(self) -> dict[str, int]:
        """How many exclusions each rule code made, read from the lines in C."""
        if self._rule_counts is None:
            counts: Counter[str] = Counter()
            for chunk in self.text:
                counts.update(_rules_of(_EXCLUDED_LINE.findall(chunk)))
            self._rule_counts = dict(counts)
        return dict(self._rule_counts)


def rule_counts(excluded: Sequence[Exclusion]) -> dict[str, int]:
    """How many of ``excluded`` each rule code made (for a summary: 177,496 exclusions at a
    million targets are not made into tuples to be counted)."""
    if isinstance(excluded, ExclusionLines):
        return excluded.rule_counts()
    return dict(Counter(e.rule_code for e in excluded))


_FIELD = rb"[^\t\n]*"
#: an excluded digest line of six fields; the group is its rule code (the fourth)
_EXCLUDED_LINE = re.compile(
    rb"^excluded\t" + _FIELD + rb"\t" + _FIELD + rb"\t(" + _FIELD + rb")\t" + _FIELD + rb"\t"
    + _FIELD + rb"$", re.MULTILINE)


def check_chunk(chunk: bytes, cites: dict[str, Any]) -> Counter[str]:
    """Each line of ``chunk`` is an ``excluded`` digest line of six fields, in UTF-8, naming
    a rule of ``cites``; else InvalidInput naming the first line that is not. One regular
    expression and one decode over the chunk; line by line only to name the culprit.
    Returns how many lines name each rule."""
    found = _EXCLUDED_LINE.findall(chunk)
    if len(found) == chunk.count(b"\n") and _utf8(chunk):
        named = _rules_of(found)
        if named.keys() <= cites.keys():
            return named
    for line in chunk.split(b"\n")[:-1]:
        fields = line.decode("utf-8").split("\t") if _utf8(line) else []
        if len(fields) != 6 or fields[0] != "excluded" or fields[3] not in cites:
            raise InvalidInput(msg("stored pool: unexpected line %(line)r", line=line[:60]))
    raise AssertionError("check_chunk: the expression and the line-by-line check disagree")


def _rules_of(found: list[bytes]) -> Counter[str]:
    """How many of the rule codes :data:`_EXCLUDED_LINE` ``found`` are each code (UTF-8)."""
    return Counter({rule.decode("utf-8"): n for rule, n in Counter(found).items()})


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


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
