"""A bundle's pool rows read back: members as columns (checked in bulk, a chunk at a time),
the lines the pool builder kept per chunk joined per stratum."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, compress
from operator import itemgetter
from typing import Any

from shuangsuiji.kernel.codec import (
    BundleFormatError,
    Reader,
)
from shuangsuiji.kernel.errors import InvalidInput
from shuangsuiji.kernel.memberlines import CandidateLines, code_width
from shuangsuiji.kernel.model import (
    MEMBER_PREFIX,
    Candidates,
    Exclusion,
    Target,
    line_code,
)
from shuangsuiji.kernel.strictjson import ROWS, KeptRow, RawRows, kept_value
from shuangsuiji.messages import msg

_HEAD = len(MEMBER_PREFIX)


def _rows_of(rows: list[Any], width: int) -> bool:
    """All of ``rows`` are lists of ``width`` entries (checked in C)."""
    return set(map(type, rows)) <= {list} and set(map(len, rows)) <= {width}


def _twice(code: str) -> None:
    raise InvalidInput(msg(
        "credit code %(code)r occurs twice among the candidates: merge the duplicate "
        "entries in the directory", code=code,
    ))


def _member_rows(s: Reader) -> Sequence[Any]:
    """A stratum's member rows: a list, or a stream-read stratum's :class:`RawRows`."""
    found = s.obj.get("members")
    return found if isinstance(found, RawRows) else s.array("members")


def _chunked(rows: Sequence[Any]) -> Iterator[tuple[int, list[Any]]]:
    """(offset, rows) chunks of a stratum's rows."""
    if isinstance(rows, RawRows):
        yield from rows.chunks()
        return
    for start in range(0, len(rows), ROWS):
        yield start, list(rows[start:start + ROWS])
    if not rows:
        yield 0, []


def member_chunks(rows: Sequence[Any], path: str,
                  ) -> Iterator[tuple[int, Candidates | CandidateLines,
                                      dict[int, Any] | list[Any]]]:
    """(offset, members, rows by position) of each chunk of a stratum's member rows. A
    chunk the stream reader made into lines is given as those lines and its other rows
    (:class:`~shuangsuiji.kernel.memberlines.CandidateLines`); another stream-read chunk's
    columns are cut from its text (:meth:`RawRows.columns`). Either when its rows not plain
    are well-typed members; the rows given are then only those (the ones with flags among
    them); else the chunk is parsed and read as :func:`_members` reads it, which names a
    bad row."""
    if not isinstance(rows, RawRows):
        for offset, part in _chunked(rows):
            yield offset, _members(part, path, offset), part
        return
    offset = 0
    for k, n in enumerate(rows.counts):
        lined = rows.lines(k)
        if lined is not None:
            given = _lined_members(*lined)
            if given is not None:
                yield offset, given[0], given[1]
                offset += n
                continue
        cut = rows.columns(k)
        c = _cut_members(cut) if cut is not None else None
        if c is not None:
            assert cut is not None
            yield offset, c, cut[1]
        else:
            part = rows.chunk(k)
            yield offset, _members(part, path, offset), part
        offset += n
    rows.forget_cache()


def _lined_members(lines: list[bytes], kept: dict[int, KeptRow],
                   ) -> tuple[CandidateLines, dict[int, Any]] | None:
    """A chunk the reader made into lines, its other rows parsed (checked strictly
    already) and given as columns; None when one of those is not ``[code, name, [flags]]``
    of strings (then the chunk is read as rows, which names the bad one)."""
    odd = {i: kept_value(row) for i, row in kept.items()}
    positions = sorted(odd)
    others = _cut_members(([[], []], {j: odd[i] for j, i in enumerate(positions)}))
    if others is None:
        return None
    return CandidateLines(lines, code_width(lines) if lines else None, others, positions), odd


def chunk_size(c: Candidates | CandidateLines) -> int:
    """The number of members of a chunk."""
    if isinstance(c, CandidateLines):
        return len(c.lines) + len(c.positions)
    return len(c.codes)


def chunk_codes(c: Candidates | CandidateLines) -> Iterable[str | bytes]:
    """The credit codes of a chunk's members: str, or (of its lines) UTF-8."""
    if not isinstance(c, CandidateLines):
        return c.codes
    width = c.width
    codes: Iterable[bytes] = (map(itemgetter(slice(_HEAD, _HEAD + width)), c.lines)
                              if width is not None else map(line_code, c.lines))
    return chain(codes, map(str.encode, c.others.codes))


def _cut_members(cut: tuple[list[list[Any]], dict[int, Any]]) -> Candidates | None:
    """The columns of a chunk cut from its text, its rows not plain put in their places;
    None when one of those is not ``[code, name, [flags]]`` of strings."""
    (codes, names), odd = cut
    flags: dict[int, frozenset[str]] = {}
    for i in sorted(odd):  # ascending: each goes where it was, the ones before it in place
        row = odd[i]
        if not (type(row) is list and len(row) == 3 and type(row[0]) is str
                and type(row[1]) is str and type(row[2]) is list
                and all(type(f) is str for f in row[2])):
            return None
        codes.insert(i, row[0])
        names.insert(i, row[1])
        if row[2]:
            flags[i] = frozenset(row[2])
    return Candidates(codes, names, flags)


def _by_stratum(entries: list[Any], layout: list[tuple[int, int]],
                n: int) -> list[tuple[list[bytes], list[int]] | None]:
    """The lines stratify kept per chunk, joined per stratum (positions shifted)."""
    out: list[tuple[list[bytes], list[int]] | None] = [([], []) for _ in range(n)]
    at = [0] * n
    for entry, (k, size) in zip(entries, layout, strict=True):
        joined = out[k]
        if joined is not None:
            if entry is None:
                out[k] = None
            else:
                lines, others = entry
                joined[0].extend(lines)
                joined[1].extend(at[k] + i for i in others)
        at[k] += size
    return out


def _members(rows: list[Any], path: str, offset: int = 0) -> Candidates:
    """Read ``[code, name, [flags]]`` rows as columns; type checks run in bulk, in C, when
    all is well, and row by row (naming the bad one) when not. ``offset``: the first row's
    index in its stratum."""
    if _rows_of(rows, 3):
        codes = list(map(itemgetter(0), rows))
        names = list(map(itemgetter(1), rows))
        flags = list(map(itemgetter(2), rows))
        flagged = list(compress(range(len(flags)), flags))
        if (
            set(map(type, codes)) <= {str}
            and set(map(type, names)) <= {str}
            and set(map(type, flags)) <= {list}
            and all(type(x) is str for i in flagged for x in flags[i])
        ):
            return Candidates(codes, names, {i: frozenset(flags[i]) for i in flagged})
    targets = [_member(row, f"{path}[{offset + i}]") for i, row in enumerate(rows)]
    return Candidates(
        [t[0] for t in targets],
        [t[1] for t in targets],
        {i: t[2] for i, t in enumerate(targets) if t[2]},
    )



def _member(row: Any, path: str) -> Target:
    ok = (
        isinstance(row, list)
        and len(row) == 3
        and isinstance(row[0], str)
        and isinstance(row[1], str)
        and isinstance(row[2], list)
        and all(isinstance(f, str) for f in row[2])
    )
    if not ok:
        raise BundleFormatError(path, msg("expected [credit code, name, [flags]]"))
    return Target(row[0], row[1], frozenset(row[2]))


class FoundExcluded:
    """A stream-read bundle's excluded rows, replaced once read by the exclusions made of
    them (which give the rows back exactly): the rows' lists are let go."""

    def __init__(self, excluded: Sequence[Exclusion]) -> None:
        self.excluded = excluded

    def rows(self) -> list[list[Any]]:
        return [[e.credit_code, e.name, e.rule_code, e.trigger_task_id] for e in self.excluded]
