"""A bundle's excluded rows, read a chunk at a time: a list (a bundle parsed whole) or the
stream reader's :class:`~shuangsuiji.kernel.strictjson.RawRows` (their JSON text, parsed
again a chunk at a time), so a couple of hundred thousand excluded targets never exist as
that many parsed lists at once.

The exclusions made of them share one string per rule code and per triggering task (a
bundle names a few of each), not one per row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import islice, repeat
from operator import is_, itemgetter, lt
from typing import Any, TypeGuard

from shuangsuiji.kernel.codec import BundleFormatError
from shuangsuiji.kernel.excludedtext import ExcludedText
from shuangsuiji.kernel.exclusionlines import ExclusionLines, lines_chunk
from shuangsuiji.kernel.model import Exclusion
from shuangsuiji.kernel.strictjson import ROWS, RawRows
from shuangsuiji.messages import msg
from shuangsuiji.rules import Citation

Problem = tuple[str, Any, Any, str]
#: An excluded row's trigger is a task id or null, never "": both would give one digest
#: line (§3.3 writes no trigger as empty), so "" would be a second bundle of the same pool.
EMPTY_TRIGGER = msg("the trigger is a task id, or null when no task triggered the exclusion; "
                    "an empty string is refused (it gives the digest line of null)")
_new_tuple: Any = tuple.__new__


def parts(rows: Sequence[Any]) -> Iterator[tuple[int, list[Any]]]:
    """(offset of its first row, rows) of each chunk of ``rows``."""
    if isinstance(rows, RawRows):
        yield from rows.chunks()
        return
    if isinstance(rows, ExcludedText):
        for k in range(len(rows.counts)):
            yield sum(rows.counts[:k]), rows.rows(k)
        return
    for start in range(0, len(rows), ROWS):
        yield start, list(rows[start:start + ROWS])


def column_parts(rows: Sequence[Any]) -> Iterator[tuple[int, list[list[Any]] | None,
                                                        list[Any] | None]]:
    """(offset, the four columns or None, the rows or None) of each chunk of ``rows``: the
    columns when every row of the chunk is a list of four, the rows when not (a stream-read
    chunk's columns are cut from its text, :meth:`RawRows.columns`, its rows then not
    parsed)."""
    if isinstance(rows, ExcludedText):  # a /3 file's lines: columns cut from their text
        offset = 0
        for k, n in enumerate(rows.counts):
            cols = rows.columns(k)
            yield offset, cols, None if cols is not None else rows.rows(k)
            offset += n
        return
    if not isinstance(rows, RawRows):
        for offset, part in parts(rows):
            yield offset, _columns_of(part), part
        return
    offset = 0
    for k, n in enumerate(rows.counts):
        cut = rows.columns(k)
        cols = _cut_columns(cut) if cut is not None else None
        if cols is not None:
            yield offset, cols, None
        else:
            part = rows.chunk(k)
            yield offset, _columns_of(part), part
        offset += n
    rows.forget_cache()


def _columns_of(part: list[Any]) -> list[list[Any]] | None:
    if set(map(type, part)) <= {list} and set(map(len, part)) <= {4}:
        return [list(map(itemgetter(k), part)) for k in range(4)]
    return None


def _cut_columns(cut: tuple[list[list[Any]], dict[int, Any]]) -> list[list[Any]] | None:
    cols, odd = cut
    for i in sorted(odd):  # ascending: each goes where it was, the ones before it in place
        row = odd[i]
        if not (type(row) is list and len(row) == 4):
            return None
        for col, x in zip(cols, row, strict=True):
            col.insert(i, x)
    return cols


def is_rows(value: Any) -> TypeGuard[Sequence[Any]]:
    return isinstance(value, list | RawRows | ExcludedText)


def rule_problem(excluded: Sequence[Any], enabled: set[str], triggered: set[str],
                 untriggered: set[str]) -> Problem | bool | None:
    """The first excluded row whose rule the bundle's policy does not enable, whose rule
    looks back at earlier inspections (``triggered``: the built-in rules and
    ``recently_inspected``) but names no triggering task, or whose ``flag`` rule
    (``untriggered``) names one; False when a row is malformed (the structural reading
    names it); None when all is well. Checked in C, a chunk at a time."""
    for offset, cols, _ in column_parts(excluded):
        if cols is None:
            return False
        codes, triggers = cols[2], cols[3]
        if not set(map(type, codes)) <= {str}:
            return False
        if _rules_hold(codes, triggers, enabled, triggered, untriggered):
            continue
        for i, (code, trigger) in enumerate(zip(codes, triggers, strict=True), offset):
            if code not in enabled:
                return (f"pool.excluded[{i}][2]", sorted(c for c in enabled if isinstance(
                    c, str)), code, msg("exclusion rule %(code)r is not enabled by the "
                                        "bundle's policy", code=code))
            if trigger == "":
                return (f"pool.excluded[{i}][3]", "a task id or null", trigger, EMPTY_TRIGGER)
            if code in triggered and not trigger:
                return (f"pool.excluded[{i}][3]", "a task id", trigger, msg(
                    "an exclusion by %(code)s names the earlier inspection that triggered "
                    "it", code=code))
            if code in untriggered and trigger is not None:
                return (f"pool.excluded[{i}][3]", None, trigger, msg(
                    "an exclusion by the flag rule %(code)s has no triggering task: its "
                    "trigger is null", code=code))
    return None


def _rules_hold(codes: list[str], triggers: list[Any], enabled: set[str],
                triggered: set[str], untriggered: set[str]) -> bool:
    """Whether every row of a chunk (its rule codes and triggers) keeps the rules of
    :func:`rule_problem`: in C when the chunk's rules are all of one kind (the usual case:
    a history's exclusions name their trigger), a row at a time otherwise."""
    named = set(codes)
    if not named <= enabled or "" in triggers:
        return False
    if named <= triggered:
        return all(triggers)  # (truthy: a task id; a wrong type is named where it fails)
    if named <= untriggered:
        return triggers.count(None) == len(triggers)
    pairs = list(zip(codes, triggers, strict=True))
    return all(t for c, t in pairs if c in triggered) and all(
        t is None for c, t in pairs if c in untriggered)


def read_excluded(rows: Sequence[Any], cites: dict[str, Any]) -> list[Exclusion]:
    """The exclusions of ``[code, name, rule code, trigger|null]`` rows, a chunk at a time;
    checked in bulk when all is well, row by row (naming the bad one) when not."""
    codes_of = {c: c for c in cites}  # one string per rule code
    tasks: dict[Any, Any] = {}  # ... and per triggering task
    out: list[Exclusion] = []
    for offset, cols, part in column_parts(rows):
        if (
            cols is not None
            and set(map(type, cols[0])) <= {str}
            and set(map(type, cols[1])) <= {str}
            and set(map(type, cols[2])) <= {str}
            and set(map(type, cols[3])) <= {str, type(None)}
            and "" not in cols[3]
            and set(cols[2]) <= cites.keys()
        ):
            rules = list(map(codes_of.__getitem__, cols[2]))
            out.extend(map(_new_tuple, repeat(Exclusion), zip(
                cols[0], cols[1], rules, map(cites.__getitem__, rules),
                map(tasks.setdefault, cols[3], cols[3]), strict=True)))
            continue
        if part is None:
            assert isinstance(rows, RawRows | ExcludedText)
            part = rows[offset:offset + len(cols[0])] if cols else []
        for i, row in enumerate(part, offset):
            path = f"pool.excluded[{i}]"
            ok = (
                isinstance(row, list)
                and len(row) == 4
                and all(isinstance(x, str) for x in row[:3])
                and (row[3] is None or isinstance(row[3], str))
            )
            if not ok:
                raise BundleFormatError(
                    path, msg("expected [credit code, name, rule code, task id|null]")
                )
            if row[2] not in cites:
                raise BundleFormatError(
                    f"{path}[2]", msg("unknown exclusion rule code %(code)r", code=row[2])
                )
            if row[3] == "":
                raise BundleFormatError(f"{path}[3]", EMPTY_TRIGGER)
            out.append(Exclusion(row[0], row[1], row[2], cites[row[2]], row[3]))
    return out


def exclusion_lines(rows: Sequence[Any], cites: dict[str, Citation],
                    ) -> tuple[ExclusionLines, set[str]] | None:
    """The exclusions of ``rows`` as their digest lines, and their credit codes, when the
    exact path (:func:`read_excluded`, then the pool's sort by code) would make of them the
    very rows read: each ``[code, name, rule code, trigger|null]`` of strings, of a rule
    ``cites`` knows, no trigger empty, no field holding a TAB or LF, the codes in strictly
    increasing order (so each once). None when not: the exact path decides, and names what
    is wrong. No exclusion tuple is made."""
    articles = {code: cite.article for code, cite in cites.items()}
    if any("\t" in a or "\n" in a for a in articles.values()):
        return None
    text: list[bytes] = []
    counts: list[int] = []
    codes_seen: set[str] = set()
    last: str | None = None
    for k, (_, cols, _) in enumerate(column_parts(rows)):
        if cols is None:
            return None
        codes, names, rules, triggers = cols
        if not (
            set(map(type, codes)) <= {str}
            and set(map(type, names)) <= {str}
            and set(map(type, rules)) <= {str}
            and set(map(type, triggers)) <= {str, type(None)}
            and set(rules) <= cites.keys()
            and "" not in triggers
        ):
            return None
        if not codes:
            continue
        if (last is not None and not last < codes[0]) or not all(
                map(lt, codes, islice(codes, 1, None))):
            return None
        cited = list(map(articles.__getitem__, rules))
        # a /3 file's lines are already the digest lines, when their articles are the rules'
        found = rows.text_if(k, cited) if isinstance(rows, ExcludedText) else None
        lines = found if found is not None else lines_chunk(codes, names, rules, cited,
                                                            triggers)
        if lines is None:
            return None
        text.append(lines)
        counts.append(len(codes))
        codes_seen.update(codes)
        last = codes[-1]
    if isinstance(rows, ExcludedText):
        rows.forget()
    return ExclusionLines(tuple(text), counts, cites), codes_seen


def same_exclusions(expected: Sequence[Exclusion], found: Sequence[Exclusion]) -> bool:
    """Whether the recomputed pool's exclusions are the very ones read (the pool builder
    keeps the objects it is given, sorted): then their rows are equal, without a list of
    rows made on either side."""
    if isinstance(expected, ExclusionLines) or isinstance(found, ExclusionLines):
        return expected is found
    return len(expected) == len(found) and all(map(is_, expected, found))
