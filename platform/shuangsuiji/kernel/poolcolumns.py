"""Candidates as columns: canonical text checked in bulk, text chunks from the database
split into rows, flags put at their positions."""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice, repeat
from operator import eq, itemgetter

from shuangsuiji.kernel.canonical import canonical_text
from shuangsuiji.kernel.errors import InvalidInput
from shuangsuiji.kernel.memberlines import CandidateLines
from shuangsuiji.kernel.model import (
    MEMBER_PREFIX,
    Candidates,
    CandidateText,
    Target,
    line_code,
)
from shuangsuiji.messages import msg

_CHUNK = 65536  # members per chunk: bounded temporaries, few calls

Chunks = Iterable[Target] | Iterable[Candidates | CandidateText | CandidateLines]


def candidate_chunks(candidates: Chunks,
                     ) -> Iterator[Candidates | CandidateText | CandidateLines]:
    """``candidates`` as :class:`Candidates` or :class:`CandidateText` chunks (passed
    through when they already are, as a verifier's :class:`CandidateLines` are)."""
    codes: list[str] = []
    names: list[str] = []
    flags: dict[int, frozenset[str]] = {}
    for item in candidates:
        if isinstance(item, Candidates | CandidateText | CandidateLines):
            if codes:
                yield Candidates(codes, names, flags)
                codes, names, flags = [], [], {}
            yield item
            continue
        code, name, f = item
        if f:
            flags[len(codes)] = f
        codes.append(code)
        names.append(name)
        if len(codes) >= _CHUNK:
            yield Candidates(codes, names, flags)
            codes, names, flags = [], [], {}
    if codes:
        yield Candidates(codes, names, flags)


def _canonical_columns(
    codes: Sequence[str], names: Sequence[str]
) -> tuple[Sequence[str], Sequence[str], str, bool, bool]:
    """Codes and names in canonical text (NFC, stripped); checked in bulk, in C, first.

    Returns them with the codes joined by LF (for further bulk checks by the caller),
    whether they were canonical as given, and whether no code or name holds a TAB or LF
    (which would make the digest lines ambiguous).
    """
    joined = "\n".join(codes)
    ok_codes = _canonical_joined(joined, codes)
    if not ok_codes:
        codes = [canonical_text(c) for c in codes]
        joined = "\n".join(codes)
    names_joined = "\n".join(names)
    ok_names = _canonical_joined(names_joined, names)
    if not ok_names:
        names = [canonical_text(n) for n in names]
        names_joined = "\n".join(names)
    lfs = max(len(codes) - 1, 0)
    separable = (
        "\t" not in joined and joined.count("\n") == lfs
        and "\t" not in names_joined and names_joined.count("\n") == lfs
    )
    return codes, names, joined, ok_codes and ok_names, separable


def _canonical_joined(text: str, fields: Sequence[str]) -> bool:
    """Whether every one of ``fields`` (joined by LF in ``text``) is canonical text.

    NFC: LF never composes with a neighbour, so the joined test is exact. Stripped: no
    field is shortened by ``str.strip`` (which returns the field itself when it is not).
    """
    total = len(text) - max(len(fields) - 1, 0)  # the fields' lengths, without the LFs
    return (text.isascii() or unicodedata.is_normalized("NFC", text)) and total == sum(
        map(len, map(str.strip, fields))
    )



def _text_rows(text: str, count: int) -> tuple[list[str], int] | None:
    """The rows of a CandidateText chunk and the width of their codes, if a few passes over
    the whole text show that its ``count`` rows are each a code of that width and a name,
    in canonical text, with one TAB between; else None (the exact path decides, and names
    what is wrong).

    ``str.isprintable`` is false for every white space but the space and for every control
    character, so a printable text with no space beside a TAB or LF has no field to strip,
    no stray separator and no character below TAB (which would change the sort order).
    """
    if count <= 0 or text.count("\t") != count:
        return None
    rows = text.split("\n")
    if len(rows) != count:
        return None
    if not (text.isascii() or unicodedata.is_normalized("NFC", text)):
        return None
    if not "".join(rows).replace("\t", "").isprintable():  # the rows joined: no LF left
        return None
    if " " in text and (text[0] == " " or text[-1] == " " or any(
        edge in text for edge in (" \t", "\t ", " \n", "\n ")
    )):
        return None
    # every row's first TAB at the same place, and as many TABs as rows: one in each
    ends = set(map(str.find, rows, repeat("\t", count)))
    if len(ends) != 1 or ends == {0}:
        return None
    return rows, ends.pop()


def _text_columns(text: str, count: int, flags: Mapping[str, frozenset[str]]) -> Candidates:
    """A CandidateText chunk as columns, for the exact path."""
    rows = text.split("\n") if text else []
    if len(rows) != count:
        raise InvalidInput(msg(
            "the database counted %(count)s candidates but gave %(lines)s lines: a name or "
            "credit code holds a line break, or is missing; fix the directory",
            count=count, lines=len(rows),
        ))
    codes: list[str] = []
    names: list[str] = []
    for row in rows:
        code, tab, name = row.partition("\t")
        if not tab or "\t" in name:
            raise InvalidInput(msg(
                "candidate %(row)r is not a credit code and a name separated by one tab: "
                "a name or credit code holds a tab; fix the directory", row=row[:80],
            ))
        codes.append(code)
        names.append(name)
    return _columns(codes, names, flags)


def _columns(codes: list[str], names: list[str],
             flags: Mapping[str, frozenset[str]]) -> Candidates:
    """Columns with the flags given by credit code put at their positions."""
    at = dict(zip(codes, range(len(codes)), strict=True)) if flags else {}
    tagged: dict[int, frozenset[str]] = {}
    for code, f in flags.items():
        if code not in at:
            raise InvalidInput(msg(
                "risk flags were given for %(code)r, which is not among the candidates",
                code=code,
            ))
        if f:
            tagged[at[code]] = f
    return Candidates(codes, names, tagged)


def no_duplicates(plain: list[bytes], probe: list[str], *, low: bool, width: int | None,
                  adjacent: bool = True) -> None:
    """Duplicate codes among the plain members (adjacent once sorted), and between them
    and the members handled one by one (``probe``: only those without history can be plain
    too). ``width``: the one length of every code, when all are ASCII; ``low``: some code holds
    a character below TAB (the lines are sorted by code, not as bytes); ``adjacent``: False
    when the caller knows the plain members' codes rise strictly (none twice)."""
    if not adjacent:
        dup = False
    elif width is not None:
        key = itemgetter(slice(0, len(MEMBER_PREFIX) + width + 1))
        # sorted: a duplicate starts with the code (and TAB) of the line before it
        dup = any(map(bytes.startswith, islice(plain, 1, None), map(key, plain)))
    else:
        codes = list(map(line_code, plain))
        dup = any(map(eq, codes, islice(codes, 1, None)))
        del codes
    if dup:
        a, b = next(
            (a, b)
            for a, b in zip(plain, islice(plain, 1, None), strict=False)
            if line_code(a) == line_code(b)
        )
        raise InvalidInput(msg(
            "credit code %(code)r occurs twice among the candidates (%(first)r, "
            "%(second)r): merge the duplicate entries in the directory",
            code=line_code(a).decode(), first=a.decode().split(chr(9))[2],
            second=b.decode().split(chr(9))[2],
        ))
    if not probe:
        return
    if low:
        for code in probe:
            key_bytes = code.encode()
            i = bisect_left(plain, key_bytes, key=line_code)
            if i < len(plain) and line_code(plain[i]) == key_bytes:
                duplicate(code)
        return
    # sorted as bytes: the lines of a code start with MEMBER_PREFIX + code + TAB; the
    # searches run as C loops over all probes at once
    keys = [MEMBER_PREFIX + c + b"\t" for c in map(str.encode, probe)]
    at = list(map(bisect_left, repeat(plain, len(keys)), keys))
    end = len(plain)
    hits = [plain[i] if i < end else b"" for i in at]
    if any(map(bytes.startswith, hits, keys)):
        i = next(i for i, (h, k) in enumerate(zip(hits, keys, strict=True)) if h.startswith(k))
        duplicate(probe[i])

def duplicate(code: str) -> None:
    raise InvalidInput(msg(
        "credit code %(code)r occurs twice among the candidates: merge the duplicate "
        "entries in the directory", code=code,
    ))
