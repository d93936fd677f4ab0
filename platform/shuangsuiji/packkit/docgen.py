"""Generate the parts of docs/plugins.md that must agree with the code.

Two blocks of docs/plugins.md are generated, each between ``<!-- BEGIN GENERATED: X -->``
and ``<!-- END GENERATED: X -->``: ``hook-reference`` from the hookspecs' signatures and
docstrings, and ``province-schema`` from :mod:`shuangsuiji_provinces.schema`. A test
regenerates both and fails when the file differs; to update the file run::

    python -m shuangsuiji.packkit.docgen docs/plugins.md
"""

from __future__ import annotations

import inspect
import re
import sys
from functools import partial
from pathlib import Path

from shuangsuiji import hookspecs
from shuangsuiji.packkit.conformance import HOOK_NAMES


def hook_reference() -> str:
    """Markdown reference of every hook, in hookspecs.py order."""
    lines = [f"Contract version **{hookspecs.CONTRACT_VERSION}**.", ""]
    for name in HOOK_NAMES:
        spec = getattr(hookspecs, name)
        opts = getattr(spec, f"{hookspecs.PROJECT}_spec", {})
        kind = "first answer wins" if opts.get("firstresult") else "every pack contributes"
        signature = str(inspect.signature(spec)).replace("'", "")
        doc = inspect.getdoc(spec) or "(undocumented)"
        lines += [f"### `{name}`", "", f"```python\n{name}{signature}\n```", "",
                  f"*{kind}.* {doc}", ""]
    return "\n".join(lines).rstrip() + "\n"


def province_schema() -> str:
    from shuangsuiji_provinces.schema import schema_markdown

    return schema_markdown()


BLOCKS = {"hook-reference": hook_reference, "province-schema": province_schema}


def _between_markers(match: re.Match[str], content: str) -> str:
    return match.group(1) + content + match.group(2)


def render(text: str) -> str:
    """``text`` with every generated block replaced by its current content."""
    for name, make in BLOCKS.items():
        pattern = re.compile(
            rf"(<!-- BEGIN GENERATED: {name} -->\n).*?(<!-- END GENERATED: {name} -->)", re.S
        )
        if not pattern.search(text):
            raise ValueError(f"docs: the markers of block {name!r} are missing")
        text = pattern.sub(partial(_between_markers, content=make()), text)
    return text


def main(argv: list[str]) -> int:
    path = Path(argv[0] if argv else "docs/plugins.md")
    path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"regenerated {', '.join(BLOCKS)} in {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
