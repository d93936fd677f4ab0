"""The bench/ scripts still run: they are not timed in the suite (docs/performance.md holds
their figures), but a script that no longer starts, or builds a database the services now
refuse, would go unnoticed until the next measurement."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
SCRIPTS = sorted(p.name for p in BENCH.glob("*.py"))


def test_every_script_is_found() -> None:
    assert {"draw.py", "http_load.py", "pages.py", "per_request.py", "kept.py"} <= set(SCRIPTS)


@pytest.mark.parametrize("script", [s for s in SCRIPTS if s != "kept.py"])
def test_a_script_starts_and_explains_itself(script: str) -> None:
    # run as a user runs it: bench/ first on sys.path, so a module named like the standard
    # library's (bench/http.py once shadowed `http`) would break the imports here
    done = subprocess.run([sys.executable, str(BENCH / script), "--help"],
                          capture_output=True, text=True, timeout=120, cwd=BENCH.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage:"), done.stdout


def test_the_per_request_bench_builds_its_database_and_measures() -> None:
    # it builds http_load's demo-sized database through the services (items approved and
    # published, tasks planned, some drawn) and times each endpoint in process
    done = subprocess.run(
        [sys.executable, str(BENCH / "per_request.py"), "--targets", "200", "--batches", "1",
         "--requests", "5"],
        capture_output=True, text=True, timeout=300, cwd=BENCH.parent)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "tasks drawn" in done.stdout
    for endpoint in ("portal task list", "API targets list", "staff task list",
                     "bare Flask hello"):
        assert endpoint in done.stdout, done.stdout
