"""``ssj-verify.pyz`` speaks Chinese by the locale or ``--lang zh``, English otherwise, and
its usage line names the file that runs, run with the standard library alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shuangsuiji import standalone
from tests.kernel.test_bundle import bundle_with_recusals


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pyz")
    (root / standalone.FILENAME).write_bytes(standalone.build())
    good = bundle_with_recusals()
    (root / "good.json").write_text(json.dumps(good, ensure_ascii=False), encoding="utf-8")
    good["final"]["groups"][0]["members"].reverse()
    (root / "bad.json").write_text(json.dumps(good, ensure_ascii=False), encoding="utf-8")
    return root


def run(root: Path, *args: str, lang: str = "C.UTF-8") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    env |= {"LANG": lang, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-I", "-S", standalone.FILENAME, *args],
                          capture_output=True, text=True, cwd=root, env=env, check=False)


def test_chinese_by_the_locale(files: Path) -> None:
    ok = run(files, "good.json", lang="zh_CN.UTF-8")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("抽取数据包核验通过：抽查任务 T-2025-7") and "3 步回避" in ok.stdout
    bad = run(files, "bad.json", lang="zh_CN.UTF-8")
    assert bad.returncode == 1
    assert bad.stderr.startswith(
        "抽取数据包核验未通过：第一个不一致之处在 final.groups[0].members[0]")


def test_chinese_by_the_option_and_english_otherwise(files: Path) -> None:
    zh = run(files, "--lang", "zh", "bad.json")
    assert zh.returncode == 1 and zh.stderr.startswith("抽取数据包核验未通过")
    en = run(files, "bad.json")
    assert en.returncode == 1 and en.stderr.startswith("bundle does NOT verify")
    forced = run(files, "--lang=en", "good.json", lang="zh_CN.UTF-8")
    assert forced.returncode == 0 and forced.stdout.startswith("bundle OK")


def test_usage_and_unreadable_files_name_the_verifier_and_the_file(files: Path) -> None:
    usage = run(files, lang="zh_CN.UTF-8")
    assert usage.returncode == 2
    assert usage.stderr.startswith(f"用法：python3 {standalone.FILENAME} [--lang zh|en] ")
    english = run(files, "--help")
    assert english.stderr.startswith(f"usage: python3 {standalone.FILENAME} [--lang zh|en] ")
    assert " verify.py" not in english.stderr and "-m shuangsuiji" not in english.stderr
    assert run(files, "--lang", "fr", "good.json").returncode == 2
    missing = run(files, "--lang", "zh", "nothere.json")
    assert missing.returncode == 2 and missing.stderr.startswith("nothere.json：无法读取抽取数据包")
    (files / "broken.json").write_text("{", encoding="utf-8")
    broken = run(files, "--lang", "zh", "broken.json")
    assert broken.returncode == 2 and broken.stderr.startswith("broken.json：")
    assert "抽取数据包" in broken.stderr and "JSON" in broken.stderr


def test_a_v2_bundle_prints_its_notes_in_the_language_asked(files: Path) -> None:
    import re

    spec = (Path(__file__).resolve().parents[2] / "docs" / "draw-spec.md").read_text("utf-8")
    found = re.search(r"<!-- vector: bundle2 -->\n```json\n(.*?)```", spec, re.S)
    assert found
    (files / "v2.json").write_text(found.group(1), encoding="utf-8")
    en = run(files, "v2.json")
    assert en.returncode == 0, en.stderr
    lines = en.stdout.splitlines()
    assert lines[0].startswith("bundle OK") and len(lines) == 3
    assert "beacon round 1000" in lines[1] and "seed procedure commit_reveal+beacon" in lines[2]
    zh = run(files, "--lang", "zh", "v2.json").stdout.splitlines()
    assert zh[0].startswith("抽取数据包核验通过") and len(zh) == 3
    assert all(re.search("[\u4e00-\u9fff]", line) for line in zh[1:]), zh
