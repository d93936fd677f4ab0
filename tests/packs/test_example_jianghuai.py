"""The second example pack (docs/examples/jianghuai), tested as a third-party pack would be:
installed from its own folder with pip (into a folder of its own, with ``--target``, so the
shared environment is untouched), found through its entry point, conformant, and shown by
``ssj pack rules`` with its whole chain."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "docs" / "examples" / "jianghuai"
VENV_BIN = Path(sys.executable).parent


#: The pack is checked by its own processes, on no test database: once, in the SQLite run.
pytestmark = pytest.mark.own_database


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """(a copy of the project, the environment in which the pack is installed)."""
    base = tmp_path_factory.mktemp("jianghuai")
    project = base / "project"
    shutil.copytree(SOURCE, project, ignore=shutil.ignore_patterns("build", "*.egg-info",
                                                                    "__pycache__"))
    site = base / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                           "--target", str(site), str(project)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(site), *filter(None, [os.environ.get("PYTHONPATH")])])}
    return project, env


def ssj(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([str(VENV_BIN / "ssj"), *args], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, f"ssj {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_installed_with_pip_it_is_found_and_conforms(installed: tuple[Path, dict]) -> None:
    _, env = installed
    out = ssj(env, "pack", "check", "jianghuai")
    assert "pack 'jianghuai' (versions 2025, 2027) conforms to contract 1.0" in out
    assert "FAIL" not in out and "leaves out" not in out  # 2027 subclasses 2025


def test_pack_rules_shows_its_chain_with_citations(installed: tuple[Path, dict]) -> None:
    _, env = installed
    out = ssj(env, "pack", "rules", "jianghuai", "--as-of", "2027-02-01")
    assert "chain: miit 2018 → jianghuai 2027" in out
    lines = out.splitlines()

    def block(label: str) -> list[str]:
        i = next(i for i, line in enumerate(lines) if line.startswith(label + "  ("))
        return lines[i:i + 9]

    general = block("item_categories[general]")
    assert "(jianghuai 2027 第五条第二款)" in general[0] and "    cap_permille = 80" in general
    assert "    working_days = 15" in block("publication_deadline")
    assert "    modes = withdraw" in block("recusal_rule")
    assert "    credentials = enforcement_certificate" in block("eligibility")
    assert "testing" not in block("methods")[1]
    assert "    multiplier = 2" in block("risk_rules[bad_credit]")
    assert "    params = days=90; categories=general; exempt_flags=complaints" in block(
        "extra_exclusions[general_within_90_days]")
    assert "(miit 2018 第四条)  [from miit]" in block("org_roles")[0]
    before = ssj(env, "pack", "rules", "jianghuai", "--as-of", "2026-06-01")
    assert "chain: miit 2018 → jianghuai 2025" in before and "cap_permille = 50" in before


def test_the_2027_revision_changes_only_the_general_cap(installed: tuple[Path, dict]) -> None:
    _, env = installed
    out = ssj(env, "pack", "diff", "jianghuai@2025", "jianghuai@2027")
    assert "1 difference(s):" in out
    assert "item_categories[general].cap_permille" in out


@pytest.mark.slow
def test_its_own_test_suite_passes(installed: tuple[Path, dict]) -> None:
    project, env = installed
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-p", "no:randomly"], cwd=project, capture_output=True, text=True,
                          env=env, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "11 passed" in done.stdout  # nine conformance checks and its two own tests
