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
from collections.abc import Iterator, Sequence
from itertools import compress, repeat
from operator import itemgetter, not_
from typing import Any

from shuangsuiji.kernel.model import MEMBER_PREFIX, Exclusion, FrozenPool

_ROWS = 16384  # member lines per chunk (the fast path's temporaries: a few MB)
_EXCLUDED_ROWS = 8192  # excluded rows per json call
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
#: The bytes JSON would escape, other than the TAB and LF that separate fields and lines
#: (deleted by ``bytes.translate``: a C pass several times faster than a regular expression)
_ESCAPED = bytes(range(9)) + bytes(range(11, 32)) + b'"\\'
_ROW = '["{}","{}","{}",{}]'.format  # an excluded row whose fields need no escaping
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


def _plain_members(lines: Sequence[bytes]) -> bytes | None:
    """``[code,name,[]]`` rows, comma-separated, of flagless member lines; None when the
    chunk is anything else (flags, a byte to escape)."""
    text = b"\n".join(lines)
    k = len(lines)
    if (not text.startswith(MEMBER_PREFIX) or not text.endswith(b"\t")
            or text.count(_JOIN) != k - 1 or text.count(b"\t") != 3 * k
            or _escapes(text)):
        return None
    body = text[_PREFIX:-1].replace(_JOIN, b'",[]],["').replace(b"\t", b'","')
    return b'["' + body + b'",[]]'


def _slow_members(lines: Sequence[bytes]) -> bytes:
    text = b"\n".join(lines).decode("utf-8")
    return _rows_json([[c, nm, fl.split(",") if fl else []]
                       for _, c, nm, fl in (row.split("\t") for row in text.split("\n"))])


def _run(lines: Sequence[bytes]) -> bytes:
    fast = _plain_members(lines)
    return _slow_members(lines) if fast is None else fast


def _members(lines: Sequence[bytes]) -> bytes:
    """The JSON rows of member lines, comma-separated (no brackets around them): the runs
    of flagless lines between flagged ones (a few in a hundred) each by the fast path."""
    flagged = list(compress(range(len(lines)), map(not_, map(bytes.endswith, lines,
                                                                repeat(b"\t")))))
    if not flagged:
        return _run(lines)
    parts: list[bytes] = []
    start = 0  # first line not yet written
    i = 0
    while i < len(flagged):
        j = i  # flagged[i..j] consecutive lines
        while j + 1 < len(flagged) and flagged[j + 1] == flagged[j] + 1:
            j += 1
        if flagged[i] > start:
            parts.append(_run(lines[start:flagged[i]]))
        parts.append(_slow_members(lines[flagged[i]:flagged[j] + 1]))
        start = flagged[j] + 1
        i = j + 1
    if start < len(lines):
        parts.append(_run(lines[start:]))
    return b",".join(parts)


def _excluded(rows: Sequence[Exclusion]) -> bytes:
    """The JSON rows ``[code, name, rule, trigger|null]`` of exclusions, comma-separated
    (the lines write "" for no trigger, read back as null)."""
    triggers = {t: "null" if not t else f'"{t}"' for t in set(map(_TRIGGER, rows))}
    codes, names, rules = map(_CODE, rows), map(_NAME, rows), map(_RULE, rows)
    fields = "".join(map(_CODE, rows)) + "".join(map(_NAME, rows)) + "".join(
        {*map(_RULE, rows), *(t for t in triggers if t)})
    if _escapes(fields.encode("utf-8")):
        return _rows_json([[e[0], e[1], e[2], e[4] or None] for e in rows])
    return ",".join(map(_ROW, codes, names, rules, map(triggers.__getitem__, map(
        _TRIGGER, rows)))).encode("utf-8")


def frozen_pool_json(pool: FrozenPool) -> Iterator[bytes]:
    """Canonical JSON of the bundle's ``pool`` object of ``pool``, in chunks."""
    yield b'{"excluded":['
    ex = pool.excluded
    for start in range(0, len(ex), _EXCLUDED_ROWS):
        yield (b"," if start else b"") + _excluded(ex[start:start + _EXCLUDED_ROWS])
    yield b'],"strata":['
    for i, s in enumerate(pool.strata):
        yield (b"," if i else b"") + b'{"members":['
        lines = s.lines
        for start in range(0, len(lines), _ROWS):
            yield (b"," if start else b"") + _members(lines[start:start + _ROWS])
        yield (b'],"name":' + _dumps(s.name).encode("utf-8")
               + b',"ratio_permille":%d,"size":%d}' % (s.ratio_permille, s.size))
    yield b"]}"
