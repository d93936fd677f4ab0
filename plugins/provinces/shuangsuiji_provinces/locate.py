"""Find the line of a key or table in a TOML text, for error messages.

``tomllib`` gives values but no positions, and ``tomlkit`` keeps formatting but exposes no
line numbers. This scanner reads the text once and records, for every table header and
every ``key = value`` line, the path it defines (``("versions", 0, "rules",
"recusal_rule", "modes")``) and its 1-based line. It understands what the province files
use: comments, ``[table]`` and ``[[array.of.tables]]`` headers, dotted keys, and values
that span several lines (arrays, inline tables, multi-line strings), whose inner lines are
not mistaken for keys. It does not validate: ``tomllib`` has already accepted the text.
"""

from __future__ import annotations

import re

Path = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*(.+?)\s*(\]\]?)\s*(#.*)?$")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _split_dotted(key: str) -> tuple[str, ...]:
    """Split ``a."b.c".d`` into ``("a", "b.c", "d")``."""
    parts: list[str] = []
    buf = ""
    quote: str | None = None
    for ch in key:
        if quote:
            if ch == quote:
                quote = None
            else:
                buf += ch
        elif ch in "\"'":
            quote = ch
        elif ch == ".":
            parts.append(buf.strip())
            buf = ""
        else:
            buf += ch
    parts.append(buf.strip())
    return tuple(parts)


def _value_depth_change(text: str, state: dict[str, object]) -> None:
    """Track bracket depth and open multi-line strings across the value part of a line."""
    i = 0
    while i < len(text):
        ml = state.get("multiline")
        if ml:
            end = text.find(str(ml), i)
            if end < 0:
                return
            i = end + 3
            state["multiline"] = None
            continue
        ch = text[i]
        if text.startswith('"""', i) or text.startswith("'''", i):
            state["multiline"] = text[i : i + 3]
            i += 3
            continue
        if ch in "\"'":
            # a one-line string: skip to its closing quote (honouring \" in basic strings)
            j = i + 1
            while j < len(text) and text[j] != ch:
                j += 2 if (ch == '"' and text[j] == "\\") else 1
            i = j + 1
            continue
        if ch == "#":
            return
        if ch in "[{":
            state["depth"] = int(state["depth"]) + 1  # type: ignore[call-overload]
        elif ch in "]}":
            state["depth"] = int(state["depth"]) - 1  # type: ignore[call-overload]
        i += 1


class LineIndex:
    """Lines of the tables and keys of one TOML text."""

    def __init__(self, text: str) -> None:
        self.lines: dict[Path, int] = {}
        self._scan(text)

    def _scan(self, text: str) -> None:
        arrays: dict[Path, int] = {}  # array-of-tables path → index of its last element
        table: Path = ()
        state: dict[str, object] = {"depth": 0, "multiline": None}
        for number, line in enumerate(text.splitlines(), start=1):
            if state["multiline"] or int(state["depth"]) > 0:  # type: ignore[call-overload]
                _value_depth_change(line, state)
                continue
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            header = _HEADER.match(line)
            if header and header.group(1) == header.group(3)[::-1].replace("]", "["):
                table = self._header(header.group(2), header.group(1) == "[[", arrays)
                self.lines.setdefault(table, number)
                continue
            if "=" not in stripped:
                continue
            key, _, value = stripped.partition("=")
            path = table + _split_dotted(key)
            self.lines.setdefault(path, number)
            _value_depth_change(value, state)

    @staticmethod
    def _header(name: str, is_array: bool, arrays: dict[Path, int]) -> Path:
        path: Path = ()
        segments = _split_dotted(name)
        for i, segment in enumerate(segments):
            path = (*path, segment)
            last = i == len(segments) - 1
            if last and is_array:
                arrays[path] = arrays.get(path, -1) + 1
                # forget the nested arrays of the previous element
                for known in [p for p in arrays if len(p) > len(path) and p[: len(path)] == path]:
                    del arrays[known]
                path = (*path, arrays[path])
            elif path in arrays:
                path = (*path, arrays[path])
        return path

    def line(self, path: Path) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one; None if none does."""
        probe = tuple(path)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return None
