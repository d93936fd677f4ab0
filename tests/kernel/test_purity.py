"""The kernel is pure: no web framework, no ORM, no global random state, no clock."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import shuangsuiji.kernel
from tests.processes import unmeasured_env

KERNEL_DIR = Path(shuangsuiji.kernel.__file__).parent
FORBIDDEN_MODULES = ("flask", "sqlalchemy", "random", "werkzeug")


def test_importing_the_kernel_loads_no_framework_and_no_global_random() -> None:
    code = (
        "import json, sys; import shuangsuiji.kernel, shuangsuiji.kernel.verify; "
        f"print(json.dumps([m for m in {FORBIDDEN_MODULES!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env=unmeasured_env()).stdout
    assert json.loads(out) == []


def test_kernel_sources_never_read_the_clock_or_global_random() -> None:
    sources = sorted(KERNEL_DIR.glob("*.py"))
    assert len(sources) >= 10  # the glob found the package
    clock = re.compile(r"datetime\.now|date\.today|time\.time\(|utcnow|import random|from random")
    offenders = [
        f"{p.name}:{i}"
        for p in sources
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if clock.search(line)
    ]
    assert offenders == []


def test_kernel_imports_only_stdlib_and_rules() -> None:
    # shuangsuiji.messages: translatable error messages, itself standard library only
    allowed_local = {"shuangsuiji.rules", "shuangsuiji.messages"}
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    bad = []
    for p in KERNEL_DIR.glob("*.py"):
        for m in re.finditer(r"^(?:from|import) ([\w.]+)", p.read_text(encoding="utf-8"), re.M):
            name = m.group(1)
            if name.split(".")[0] in stdlib or name in allowed_local:
                continue
            if name.startswith("shuangsuiji.kernel"):
                continue
            bad.append(f"{p.name}: {name}")
    assert bad == []
