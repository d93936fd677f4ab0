"""A class-stratified draw verifies with `ssj verify` and the one-file verifier, and both
refuse a bundle whose class strata or counts were changed (the browser verifier:
tests/e2e/test_browser_classes.py)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from shuangsuiji import kernel, standalone
from shuangsuiji.cli import cli
from shuangsuiji.platform import Platform
from tests.credit.bundles import class_bundle, dump, tampered_class_bundles
from tests.credit.test_class_draw import _draw_bundle
from tests.kernel.test_standalone import run_pyz


def test_kernel_verifier_accepts_the_class_bundle_and_refuses_every_change() -> None:
    assert kernel.verify_bundle(class_bundle()).ok
    for name, bundle in tampered_class_bundles().items():
        assert not kernel.verify_bundle(bundle).ok, name


def test_one_file_verifier_on_class_bundles(tmp_path: Path) -> None:
    pyz = tmp_path / standalone.FILENAME
    pyz.write_bytes(standalone.build())
    good = tmp_path / "good.json"
    good.write_text(dump(class_bundle()), encoding="utf-8")
    ok = run_pyz(pyz, good)
    assert ok.returncode == 0 and ok.stdout.startswith("bundle OK"), ok.stderr
    for name, bundle in tampered_class_bundles().items():
        bad = tmp_path / "bad.json"
        bad.write_text(dump(bundle), encoding="utf-8")
        refused = run_pyz(pyz, bad)
        assert refused.returncode == 1, (name, refused.stdout, refused.stderr)


def test_a_class_stratified_draw_of_the_example_province_verifies_with_ssj_verify(
    platform: Platform, classed_task: tuple[str, dict[str, str]], tmp_path: Path,
) -> None:
    task, _ = classed_task
    bundle = _draw_bundle(platform, "example", task)
    assert any(s["name"] == "class:D" for s in bundle["pool"]["strata"])
    file = tmp_path / "draw.json"
    file.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(cli, ["verify", str(file)])
    assert result.exit_code == 0, result.output
    assert "bundle OK" in result.output
    changed = json.loads(file.read_text(encoding="utf-8"))
    d = next(s for s in changed["pool"]["strata"] if s["name"] == "class:D")
    d["size"] += 1
    file.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    refused = CliRunner().invoke(cli, ["verify", str(file)])
    assert refused.exit_code == 1, refused.output
