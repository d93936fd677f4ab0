"""`ssj pack new|check|diff`, through click as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

import shuangsuiji.models  # noqa: F401 - registers every table on Base.metadata
from shuangsuiji.cli.pack_dev import pack
from shuangsuiji_provinces import BUNDLED

VENV_BIN = Path(sys.executable).parent


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(pack, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_diff_miit_chongqing_shows_the_matrix_rows() -> None:
    code, out = _run("diff", "miit", "chongqing", "--as-of", "2026-05-01")
    assert code == 0
    lines = out.splitlines()

    def row(label: str) -> tuple[str, str]:
        i = next(i for i, line in enumerate(lines) if line.startswith(label + " "))
        return lines[i], lines[i + 1]

    # rules-matrix.md rows 3, 9, 10-12, 14, 15, 17, 18 — values and articles on both sides
    value, cites = row("publication_deadline.working_days")
    assert value.split()[1:] == ["30", "20"]
    assert "miit 2018 第十五条" in cites and "chongqing 2021 第十四条" in cites
    assert "testing, inspection, appraisal" in row("publication_deadline.excluded_periods")[0]
    assert row("recusal_rule.modes")[0].split(None, 1)[1].split() == ["swap,", "withdraw",
                                                                      "withdraw"]
    assert "(none)" in row("risk_rules[abnormal_operations]")[0]
    assert "第十条第二款" in row("risk_rules[abnormal_operations]")[1]
    assert "work_id" in row("on_site_rule.credentials")[0]
    assert "work_id" in row("eligibility.credentials")[0]
    assert "testing" in row("methods.methods")[0]
    assert row("exclusion_policy.same_quarter_other_divisions")[0].split()[1:] == ["yes", "no"]
    assert row("report_rule.required")[0].split()[1:] == ["yes", "no"]
    # CQ 第五条: general items each carry their own cap, set on the item list; no pack ceiling
    assert row("item_categories[general].cap_required")[0].split()[1:] == ["no", "yes"]
    assert not any(line.startswith("item_categories[general].cap_permille ") for line in lines)
    assert "batch_order=yes" in row("item_categories[key]")[0]
    assert "A = miit: miit 2018, as of 2026-05-01" in out


def test_diff_of_two_versions_of_one_pack() -> None:
    code, out = _run("diff", "example-province@2019", "example-province@2023")
    assert code == 0
    assert "as of 2019-07-01" in out and "as of 2023-05-01" in out
    assert "publication_deadline.working_days" in out
    assert "recusal_rule" not in out  # both versions: withdraw only


def test_diff_unknown_version_is_a_message() -> None:
    code, out = _run("diff", "chongqing@2019", "miit")
    assert code == 1 and "has no version '2019' (versions: 2021)" in out
    assert "Traceback" not in out


def test_check_installed_pack_and_province_file() -> None:
    code, out = _run("check", "chongqing")
    assert code == 0 and "conforms to contract 1.0" in out
    code, out = _run("check", str(BUNDLED / "example-province.toml"))
    assert code == 0 and "ok   draw" in out


def test_check_bad_file_lists_problems_with_lines(tmp_path: Path) -> None:
    bad = tmp_path / "atlantis.toml"
    bad.write_text((BUNDLED / "example-province.toml").read_text(encoding="utf-8")
                   .replace("working_days = 15", "working_days = 0")
                   .replace('modes = ["withdraw"]', 'modes = ["swap", "skip"]'),
                   encoding="utf-8")
    code, out = _run("check", str(bad))
    assert code == 1 and "Traceback" not in out
    text = bad.read_text(encoding="utf-8").splitlines()
    days_line = text.index("working_days = 0") + 1
    assert f"{bad}:{days_line}: versions[1].rules.publication_deadline.working_days: 0 is " \
           "below the minimum 1" in out
    assert "'skip' is not one of swap, withdraw" in out


def test_check_unknown_pack_names_installed_ones() -> None:
    code, out = _run("check", "atlantis")
    assert code == 1 and "'atlantis'" in out and "chongqing" in out


def test_new_refuses_bad_name_and_nonempty_dir(tmp_path: Path) -> None:
    code, out = _run("new", "Bad Name", "--dir", str(tmp_path / "x"))
    assert code == 1 and "lower case" in out
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "f").write_text("x")
    code, out = _run("new", "ok", "--dir", str(tmp_path / "full"))
    assert code == 1 and "not empty" in out


def ssj(env: dict[str, str], *args: str) -> str:
    """Run the installed ``ssj`` as a user would; fail the test with its output if it fails."""
    done = subprocess.run([str(VENV_BIN / "ssj"), *args], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, f"ssj {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _governs_a_draw_and_a_deadline(env: dict[str, str], name: str, tmp: Path) -> None:
    """Assign the scaffolded pack to a new tenant, import its directories, draw, and count a
    deadline: the pack's rules (20 working days, withdraw-only) govern both."""
    from shuangsuiji.demo import generate as gen

    ssj(env, "tenants", "create", "newprov", "--name", "新省工业和信息化厅", "--pack", name)
    files = {
        "items": gen.to_csv(gen.ITEM_HEADINGS, gen.item_rows(("general",), "执法处")),
        "targets": gen.to_csv(gen.TARGET_HEADINGS, gen.target_rows(400, seed=5), "gbk"),
        "inspectors": gen.to_csv(gen.INSPECTOR_HEADINGS,
                                 gen.inspector_rows(12, ("执法处",), seed=6)),
    }
    for kind, data in files.items():
        path = tmp / f"{kind}.csv"
        path.write_bytes(data)
        ssj(env, "import", kind, "--tenant", "newprov", str(path))
    ssj(env, "items", "approve", "--tenant", "newprov", "--version", "1", "--approver", "厅领导",
        "--on", "2026-03-01", "--document", "新工信发〔2026〕1号")
    ssj(env, "items", "publish", "--tenant", "newprov", "--version", "1")
    ssj(env, "plans", "create", "--tenant", "newprov", "--year", "2026", "--title", "2026年计划",
        "--made-on", "2026-02-01")
    ssj(env, "tasks", "create", "--tenant", "newprov", "--plan-year", "2026", "--code", "NP-1",
        "--title", "电信业务经营许可情况检查", "--department", "执法处", "--item", "SX-001",
        "--starts-on", "2026-04-01", "--ends-on", "2026-05-29", "--method", "on_site",
        "--ratio", "50", "--groups", "2")
    drawn = ssj(env, "draw", "--tenant", "newprov", "--task", "NP-1", "--seed", "骰子 6-2-5")
    assert f"rules {name} " in drawn and "pool digest" in drawn
    bundle = tmp / "bundle.json"
    bundle.write_text(ssj(env, "draw", "export", "--tenant", "newprov", "NP-1"),
                      encoding="utf-8")
    assert "verified" in ssj(env, "verify", str(bundle))
    # 20 working days after 2026-09-25 across National Day 2026 (MIIT's 30 would be later)
    deadline = ssj(env, "deadline", "--tenant", "newprov", "--end", "2026-09-25")
    assert "2026-10-29" in deadline and "20" in deadline


@pytest.mark.slow
@pytest.mark.own_database
def test_new_pack_installs_lists_and_passes_its_own_tests(tmp_path: Path) -> None:
    name = f"ssjtest-{uuid.uuid4().hex[:8]}"
    project = tmp_path / "project"
    code, out = _run("new", name, "--dir", str(project))
    assert code == 0, out
    # Installed into a folder of its own on the path of the processes this test starts, not
    # into the shared virtualenv: the other pytest-xdist workers would otherwise find its
    # entry point while it is installed, and fail to import it.
    site = tmp_path / "site"
    env = {**os.environ, "SSJ_DATABASE_URL": f"sqlite:///{tmp_path / 'ssj.sqlite'}",
           "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    subprocess.run([str(VENV_BIN / "python"), "-m", "pip", "install", "-q", "--no-deps",
                    "--target", str(site), str(project)],
                   check=True, capture_output=True, env=env, timeout=300)
    ssj(env, "db", "upgrade")
    listed = ssj(env, "packs", "list")
    assert f"{name} — " in listed
    _governs_a_draw_and_a_deadline(env, name, tmp_path)
    tests = subprocess.run([str(VENV_BIN / "python"), "-m", "pytest", "-q", "-p",
                            "no:cacheprovider"], cwd=project, capture_output=True,
                           text=True, env=env, timeout=300)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "10 passed" in tests.stdout  # nine conformance checks and the pack's own test
