"""tests/database_marks.py: the tests that use no test database are marked ``no_database``
(the PostgreSQL and MariaDB runs leave them out), and every test that may use one is not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.processes import unmeasured_env

ROOT = Path(__file__).resolve().parent.parent

PURE = "tests/kernel/test_streams.py"  # the kernel: no fixture reaches a database
APP = "tests/web/test_portal_results.py"  # `world` → `app` → the database fixture
BY_HAND = "tests/draws/test_selection_rows.py"  # names the test server in its module
MODULE_WORLD = "tests/api/test_endpoints.py"  # a module-scoped world made on the server


def _collected(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:randomly", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env=unmeasured_env())  # collection only: nothing to measure
    assert done.returncode in (0, 5), done.stdout + done.stderr  # 5: nothing collected
    return {line.split("::")[0] for line in done.stdout.splitlines() if "::" in line}


def test_only_the_tests_that_use_no_database_are_marked() -> None:
    files = (PURE, APP, BY_HAND, MODULE_WORLD)
    assert all((ROOT / f).is_file() for f in files)
    assert _collected("-m", "no_database", *files) == {PURE}
    assert _collected("-m", "not no_database", *files) == {APP, BY_HAND, MODULE_WORLD}
