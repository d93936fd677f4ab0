"""The bundle's ``pool`` value as canonical JSON straight from a frozen pool, for the public
bundle stored at commit: the same bytes as :func:`~shuangsuiji.kernel.bundlestream.pool_json`
of the pool's lines, without writing the lines out twice and parsing them back.

Most members have no flags; for a run of such lines, whose fields hold no character JSON
escapes (``"``, ``\\``, controls), the JSON is made by a few C passes over the run's bytes
(``member<TAB>code<TAB>name<TAB>`` → ``["code","name",[]]``). Flagged lines and any run
that holds such a character take the ordinary path (fields split, ``json`` encodes them),
so an awkward name is slower, never different. ``tests/kernel/test_pool_json.py`` checks
the bytes against ``pool_json``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from itertools import repeat
from operator import itemgetter, mod
from typing import Any

from shuangsuiji.kernel.model import MEMBER_PREFIX, Exclusion, FrozenPool

_ROWS = 16384  # member lines per chunk (the fast path's temporaries: a few MB)
_EXCLUDED_ROWS = 8192  # excluded rows per json call
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
#: The bytes JSON would escape, other than the TAB and LF that separate fields and lines
#: (deleted by ``bytes.translate``: a C pass several times faster than a regular expression)
_ESCAPED = bytes(range(9)) + bytes(range(11, 32)) + b'"\\'
_ROW = '["%s","%s","%s",%s]'  # an excluded row whose fields need no escaping
_JOIN = b"\t\n" + MEMBER_PREFIX  # end of a flagless line, start of the next
_PREFIX = len(MEMBER_PREFIX)
# fields of an Exclusion
_CODE: Any = itemgetter(0)
_NAME: Any = itemgetter(1)
_RULE: Any = itemgetter(2)
_TRIGGER: Any = itemgetter(4)


def _rows_json(rows: list[Any]) -> bytes:
    return _dumps(rows)[1:-1].encode("utf-8")


def _escapes(text: bytes) -> bool:
    """Whether ``text`` holds a byte JSON escapes (TAB and LF aside)."""
    return len(text.translate(None, _ESCAPED)) != len(text)


def _plain_parts(lines: Sequence[bytes]) -> list[bytes | memoryview] | None:
    """``[code,name,[]]`` rows, comma-separated, of flagless member lines, as parts to be
    joined (no copy made to cut or frame the text); None when the chunk is anything else
    (flags, a byte to escape).

    A member line holds exactly three TABs (the pool builder refuses a TAB or LF in any
    field), so lines that each end with a TAB, LF-joined, are flagless exactly when the
    line ends (TAB, LF, ``member``, TAB) number one fewer than the lines."""
    text = b"\n".join(lines)
    if (not text.startswith(MEMBER_PREFIX) or not text.endswith(b"\t")
            or text.count(_JOIN) != len(lines) - 1 or _escapes(text)):
        return None
    body = text.replace(_JOIN, b'",[]],["').replace(b"\t", b'","')
    # body: code","name",[]],["code","name"," — its first _PREFIX bytes "member"," dropped
    return [b'["', memoryview(body)[_PREFIX + 2:-2], b",[]]"]


def _plain_members(lines: Sequence[bytes]) -> bytes | None:
    """:func:`_plain_parts` joined."""
    parts = _plain_parts(lines)
    return None if parts is None else b"".join(parts)


def _slow_members(lines: Sequence[bytes]) -> bytes:
    text = b"\n".join(lines).decode("utf-8")
    return _rows_json([[c, nm, fl.split(",") if fl else []]
                       for _, c, nm, fl in (row.split("\t") for row in text.split("\n"))])


def _run(lines: Sequence[bytes]) -> list[bytes | memoryview]:
    fast = _plain_parts(lines)
    return [_slow_members(lines)] if fast is None else fast


#: bytes.translate table: a line's last byte TAB (flagless) -> 0, anything else -> 1
_FLAGGED = bytes(1 if b != 9 else 0 for b in range(256))
_RUNS = re.compile(b"\x01+")  # consecutive flagged lines
_LAST: Any = itemgetter(-1)


def _members(lines: Sequence[bytes]) -> list[bytes | memoryview]:
    """The JSON rows of member lines, comma-separated (no brackets around them), as parts:
    the runs of flagless lines between flagged ones (a few in a hundred) each by the fast
    path. The flagged lines are found from the lines' last bytes, one C pass."""
    marks = bytes(map(_LAST, lines)).translate(_FLAGGED)
    parts: list[bytes | memoryview] = []
    start = 0  # first line not yet written
    for run in _RUNS.finditer(marks):
        if run.start() > start:
            parts += _run(lines[start:run.start()])
            parts.append(b",")
        parts += [_slow_members(lines[run.start():run.end()]), b","]
        start = run.end()
    if start < len(lines):
        parts += _run(lines[start:])
    elif parts:
        parts.pop()  # the last comma
    return parts


def _excluded(rows: Sequence[Exclusion]) -> bytes:
    """The JSON rows ``[code, name, rule, trigger|null]`` of exclusions, comma-separated
    (the lines write "" for no trigger, read back as null).

    Written by one ``%`` format per row in C, then checked as a whole: as many quotes as the
    format writes (so no field holds one), no backslash, and nothing ``str.isprintable``
    refuses (it refuses every control character, and more): else ``json`` writes them."""
    triggers = {t: "null" if not t else f'"{t}"' for t in set(map(_TRIGGER, rows))}
    nulls = sum(1 for t in map(_TRIGGER, rows) if not t)
    out = ",".join(map(mod, repeat(_ROW), zip(map(_CODE, rows), map(_NAME, rows), map(
        _RULE, rows), map(triggers.__getitem__, map(_TRIGGER, rows)), strict=True)))
    if out.count('"') != 8 * len(rows) - 2 * nulls or "\\" in out or not out.isprintable():
        return _rows_json([[e[0], e[1], e[2], e[4] or None] for e in rows])
    return out.encode("utf-8")


def frozen_pool_json(pool: FrozenPool) -> Iterator[bytes | memoryview]:
    """Canonical JSON of the bundle's ``pool`` object of ``pool``, in chunks (bytes or
    views of them: ``b"".join`` them, or hand them to ``zlib``)."""
    yield b'{"excluded":['
    ex = pool.excluded
    for start in range(0, len(ex), _EXCLUDED_ROWS):
        yield (b"," if start else b"") + _excluded(ex[start:start + _EXCLUDED_ROWS])
    yield b'],"strata":['
    for i, s in enumerate(pool.strata):
        yield (b"," if i else b"") + b'{"members":['
        lines = s.lines
        for start in range(0, len(lines), _ROWS):
            if start:
                yield b","
            yield from _members(lines[start:start + _ROWS])
        yield (b'],"name":' + _dumps(s.name).encode("utf-8")
               + b',"ratio_permille":%d,"size":%d}' % (s.ratio_permille, s.size))
    yield b"]}"
