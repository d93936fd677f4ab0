"""Runs of plain excluded rows found in a bundle's text by C string methods, not a regular
expression.

A plain excluded row is four strings without escapes or control characters (docs/
draw-spec.md §3.3's ``[code, name, rule code, triggering task]``); the stream reader keeps
runs of them as text and cuts their columns at the quotes later (:mod:`.strictjson`). Here a
run written ``["c","n","r","t"],["c","n","r","t"]`` (canonical JSON, or ``json.dump``'s
``", "`` layout) is split at its row separators and each piece checked to hold exactly six
quotes, all in its three field separators: then every piece is four strings, and the run is
exactly what the regular expression :data:`.strictjson.PLAIN_RUNS` accepts. Another layout,
or a row that is not plain, is left to that expression and the scanner.
"""

from __future__ import annotations

import re
from itertools import repeat

from shuangsuiji.kernel.memberlines import row_layout

#: By the field separator a run's first row shows: (row separator, a row whose trigger is
#: null: not plain).
_LAYOUTS = {'","': ('"],["', '",null]'), '", "': ('"], ["', '", null]')}
_CONTROL = re.compile("[\x00-\x1f]")
_MAX_WINDOW = 1 << 18  # characters looked at for one run, at most
_MIN_WINDOW = 1 << 10  # ... and after a row that is not plain, at least


class ExcludedRuns:
    """Finds runs of plain excluded rows; the text looked at for one run grows while runs
    fill it and shrinks to about the run found when a row that is not plain ends one, so
    each such row costs about as much text again as the run before it."""

    def __init__(self) -> None:
        self.window = _MAX_WINDOW

    def take(self, text: str, pos: int, limit: int) -> tuple[int, int] | None:
        """How many plain excluded rows (at most ``limit``) start at ``text[pos]`` (a row's
        ``[``), each followed by another row, and where the last one ends; None when
        none."""
        found = row_layout(text, pos)
        if found is None:
            return None
        field, quote = found
        row_sep, null_row = _LAYOUTS[field]
        end = min(len(text), pos + self.window)
        stop = text.find(null_row, quote, end)
        last = text.rfind(row_sep, pos, end if stop < 0 else stop)
        if last < 0:
            self.window = max(_MIN_WINDOW, self.window // 2)
            return None
        parts = text[pos + 2:last].split(row_sep, limit)[:limit]
        quotes = list(map(str.count, parts, repeat('"')))
        fields = list(map(str.count, parts, repeat(field)))
        n = len(parts)
        if quotes.count(6) != n or fields.count(3) != n:  # the run ends at the first other
            six = list(map((6).__eq__, quotes))
            n = six.index(False) if False in six else n
            three = list(map((3).__eq__, fields[:n]))
            n = three.index(False) if False in three else n
            del parts[n:]
        run = row_sep.join(parts)
        bad = run.find("\\")  # an escape or a control character: the scanner decides
        control = None if run.isprintable() else _CONTROL.search(run)
        if control is not None and (bad < 0 or control.start() < bad):
            bad = control.start()
        if bad >= 0:  # the run ends before that row
            n = run.count(row_sep, 0, bad)
            run = row_sep.join(parts[:n])
        if stop >= 0 or n < len(quotes):
            self.window = max(_MIN_WINDOW, 2 * (len(run) + 2))
        elif end < len(text):
            self.window = min(_MAX_WINDOW, 2 * self.window)
        if not n:
            return None
        return n, pos + 2 + len(run) + 2
