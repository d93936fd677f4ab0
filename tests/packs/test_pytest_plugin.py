"""The pytest plugin as a pack author meets it: `pytest --ssj-pack NAME_OR_FILE`."""

from __future__ import annotations

from pathlib import Path

import pytest

from shuangsuiji_provinces import BUNDLED

pytest_plugins = ("pytester",)


def test_ssj_pack_option_runs_one_test_per_check(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess("--ssj-pack", str(BUNDLED / "example-province.toml"),
                                          "-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=9)
    result.stdout.fnmatch_lines(["*ssj-pack*example-province.toml*::draw PASSED*"])


def test_ssj_pack_option_reports_problems_without_traceback(pytester: pytest.Pytester,
                                                            tmp_path: Path) -> None:
    bad = tmp_path / "atlantis.toml"
    bad.write_text((BUNDLED / "example-province.toml").read_text(encoding="utf-8")
                   .replace('name = "example-province"', 'name = "atlantis"')
                   .replace('contract = "1.0"', 'contract = "7.0"'), encoding="utf-8")
    result = pytester.runpytest_inprocess("--ssj-pack", str(bad), "-p", "no:cacheprovider")
    result.assert_outcomes(failed=9)
    line = bad.read_text(encoding="utf-8").splitlines().index('contract = "7.0"') + 1
    result.stdout.fnmatch_lines([f"*{bad}:{line}: contract: written for contract 7.0*"])
    assert "Traceback" not in result.stdout.str()
