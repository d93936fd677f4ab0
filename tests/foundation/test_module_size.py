"""No module of platform/ or plugins/ over 400 lines without a reason written at its top.

A module that is better whole says why in a comment in its header (after its docstring,
before its first import)::

    # whole-module: <why splitting it would make it harder to read, in a sentence or more>

(the reason at least 40 characters). Migrations are exempt (one revision, one file).
docs/testing.md ("Module size") describes the rule.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 400
MARKER = re.compile(r"^#\s*whole-module:\s*(?P<reason>.+)$")


def reason(text: str) -> str | None:
    """The reason a module gives at its top for staying whole, if any."""
    lines = text.splitlines()
    header = next((i for i, line in enumerate(lines) if line.startswith(("import ", "from "))),
                  len(lines))
    lines = lines[:header]
    for i, line in enumerate(lines):
        found = MARKER.match(line.strip())
        if found:
            parts = [found["reason"]]
            for more in lines[i + 1:]:  # the reason may go on over comment lines
                if not more.startswith("#") or MARKER.match(more):
                    break
                parts.append(more.lstrip("# "))
            return " ".join(parts).strip()
    return None


def modules() -> list[Path]:
    found = []
    for top in ("platform", "plugins"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" in path.parts or ".venv" in path.parts:
                continue
            found.append(path)
    return found


def oversized() -> list[str]:
    """Modules over the limit without a reason: ``path (lines)``."""
    out = []
    for path in modules():
        text = path.read_text(encoding="utf-8")
        count = len(text.splitlines())
        rel = path.relative_to(ROOT).as_posix()
        if count <= LIMIT:
            continue
        given = reason(text)
        if given is None or len(given) < 40:
            out.append(f"{rel} ({count} lines)")
    return out


def test_the_rule_reads_the_marker() -> None:
    assert reason("'''doc'''\n# whole-module: one state machine, its transitions read "
                  "together\n# and checked\nimport x\n") == (
        "one state machine, its transitions read together and checked")
    assert reason("import x\n# whole module: no\n") is None
    assert len(modules()) > 100  # the tree is really walked


def test_no_module_passes_400_lines_without_a_reason() -> None:
    assert oversized() == [], (
        "split these along their seams, or say at the top why they are better whole "
        "(# whole-module: <reason>; docs/testing.md, Module size)")
