"""A bundle's member rows made into the pool's digest lines straight from their JSON text.

The reverse of :mod:`shuangsuiji.kernel.pooljson`: a run of members without flags, written
``["code","name",[]],["code","name",[]]`` (canonical JSON, or ``json.dump``'s ``", "``
layout), becomes ``member<TAB>code<TAB>name<TAB>`` lines (docs/draw-spec.md §3.3) by two
``bytes.replace`` and one ``split`` over the whole run, in C, instead of being parsed into
lists, cut into columns and formatted again — at a million members, most of a verifier's
work. Only what the exact path would make of the same rows is accepted:

* every string is its text between the quotes (no backslash, so no escape, and no control
  character: ``str.isprintable``, which is also false for every white space but the
  space), so every quote of the run delimits a string;
* once the row and field separators are replaced no quote is left, and every line holds
  exactly three TABs: the run is rows of exactly two strings and ``[]``, nothing else;
* the text is canonical (NFC, no field starting or ending with a space, no empty code), as
  the pool builder would keep it.

Anything else (a flagged member, an escape, another layout) is left to the stream reader's
exact path; :meth:`MemberRuns.take` answers None.
"""

from __future__ import annotations

import unicodedata
from itertools import repeat
from typing import NamedTuple

from shuangsuiji.kernel.model import MEMBER_PREFIX, Candidates

#: By the field separator a run's first row shows: (row separator, end of a row, start of
#: the flags of a row that has some).
_LAYOUTS = {
    '","': ('",[]],["', '",[]]', '",["'),
    '", "': ('", []], ["', '", []]', '", ["'),
}
_LINE_BREAK = b"\t\n" + MEMBER_PREFIX  # a row separator, once replaced
_HEAD = len(MEMBER_PREFIX)
_MAX_WINDOW = 1 << 20  # characters of text looked at for one run, at most
_MIN_WINDOW = 1 << 12  # ... and after a run failed its checks, at least


class CandidateLines(NamedTuple):
    """A chunk of members read from a bundle: the digest lines of those without flags (in
    canonical text, in the order found) and the others as columns, with their positions in
    the chunk (what the pool builder's exact path reads)."""

    lines: list[bytes]
    #: the one length in bytes of their credit codes (:func:`code_width`), or None
    width: int | None
    others: Candidates
    positions: list[int]


def row_layout(text: str, pos: int) -> tuple[str, int] | None:
    """The field separator of the row of strings that starts at ``text[pos]`` (``","``,
    canonical JSON, or ``", "``, ``json.dump``'s) and where its first string ends; None
    when the row does not start with two strings so written."""
    if not text.startswith('["', pos):
        return None
    quote = text.find('"', pos + 2)
    field = '", "' if text.startswith('", "', quote) else '","'
    if quote < 0 or not text.startswith(field, quote):
        return None
    return field, quote


class MemberRuns:
    """Takes runs of plain member rows from a stream reader's text as lines. The text looked
    at for one run grows while runs are whole and shrinks where one fails its checks (an
    awkward name), so a row left to the exact path costs about as much text again as the
    run before it, not the whole buffer."""

    def __init__(self, window: int = _MAX_WINDOW) -> None:
        self.window = window

    def take(self, text: str, pos: int, limit: int) -> tuple[list[bytes], int] | None:
        """The digest lines of the run of plain member rows that starts at ``text[pos]``
        (a row's ``[``), at most ``limit`` of them, and where the last one's text ends;
        None when there is no such run of at least one row followed by another row (the
        last row of the text, and any row that is not plain, are left to the exact
        path)."""
        found = row_layout(text, pos)
        if found is None:
            return None
        field, quote = found
        row_sep, row_end, flagged = _LAYOUTS[field]
        end = min(len(text), pos + self.window)
        stop = text.find(flagged, quote, end)
        while True:
            last = text.rfind(row_sep, pos, end if stop < 0 else stop)
            if last < 0:
                return None
            lines = _lines(text[pos:last + len(row_end)], field, row_sep, row_end)
            if lines is not None:
                break
            # a row there fails: look at half as much (or, where no row ends in the first
            # half, at one row less)
            half = pos + (last - pos) // 2
            stop = half if text.rfind(row_sep, pos, half) >= 0 else last
            self.window = max(_MIN_WINDOW, stop - pos)
        if stop < 0 and end < len(text):  # the window was all good: look further next
            self.window = min(_MAX_WINDOW, 2 * self.window)
        if len(lines) <= limit:
            return lines, last + len(row_end)
        del lines[limit:]
        # where the limit-th row ends: each row's text is its line's, the line's fixed
        # parts replaced by the row's, and one separator between rows
        per_row = len(field) + len(row_end) - _HEAD
        between = len(row_sep) - len(row_end) - 2
        length = sum(map(len, lines)) + limit * per_row + (limit - 1) * between
        return lines, pos + len(text[pos:last].encode("utf-8")[:length].decode("utf-8"))


def _lines(run: str, field: str, row_sep: str, row_end: str) -> list[bytes] | None:
    """The digest lines of ``run``, plain member rows in the layout of ``field``, or None
    when its text is not what the module's checks accept."""
    if "\\" in run or not run.isprintable():
        return None
    if not (run.isascii() or unicodedata.is_normalized("NFC", run)):
        return None
    data = run.encode("utf-8")
    body = data[2:-len(row_end)].replace(row_sep.encode(), _LINE_BREAK)
    del data
    whole = MEMBER_PREFIX + body.replace(field.encode(), b"\t") + b"\t"
    del body
    if (b'"' in whole or b"\t " in whole or b" \t" in whole
            or MEMBER_PREFIX + b"\t" in whole):
        return None
    lines = whole.split(b"\n")
    del whole
    if set(map(bytes.count, lines, repeat(b"\t"))) != {3}:
        return None
    return lines


def code_width(lines: list[bytes]) -> int | None:
    """The one length in bytes of the credit codes of ``lines``, None when they differ."""
    widths = set(map(bytes.find, lines, repeat(b"\t"), repeat(_HEAD)))
    return widths.pop() - _HEAD if len(widths) == 1 else None
