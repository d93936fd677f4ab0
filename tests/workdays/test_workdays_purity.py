"""The working-day package stays pure: no Flask, no database, no clock."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import shuangsuiji.workdays
from tests.processes import unmeasured_env

PACKAGE = Path(shuangsuiji.workdays.__file__).parent
FORBIDDEN_IMPORTS = {"flask", "sqlalchemy", "time"}
CLOCK_CALLS = {"today", "now", "utcnow"}


def test_no_framework_import_and_no_clock() -> None:
    found: list[str] = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            found += [
                f"{path.name}:{node.lineno} imports {n}"
                for n in names
                if n.split(".")[0] in FORBIDDEN_IMPORTS
            ]
            if isinstance(node, ast.Attribute) and node.attr in CLOCK_CALLS:
                found.append(f"{path.name}:{node.lineno} reads the clock (.{node.attr})")
    assert found == []


def test_importing_pulls_in_neither_flask_nor_sqlalchemy() -> None:
    code = (
        "import sys, shuangsuiji.workdays; "
        "print(sorted(m for m in ('flask', 'sqlalchemy') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env=unmeasured_env()).stdout
    assert out.strip() == "[]"
