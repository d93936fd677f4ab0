"""`ssj credit-classes import|list`: a good file imported and listed; a bad one refused with
its rows, exit status 1, no traceback, nothing written; --dry-run writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask

from shuangsuiji.demo import generate as gen
from shuangsuiji.platform import Platform
from tests.credit.conftest import HEADINGS, codes_of
from tests.draws.test_draw_cli import Runner


def test_import_and_list_from_the_cli(app: Flask, platform: Platform, example: str,
                                      make_task: Callable[..., str], tmp_path: Path) -> None:
    make_task(example)
    codes = codes_of(platform, example)[0]
    ssj = Runner(app)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(gen.to_csv(HEADINGS, [[codes[0], "D", "2026-01-01", ""],
                                          [codes[0], "A", "2026-03-01", ""]], encoding="gbk"))
    out = ssj("credit-classes", "import", "--tenant", "example", str(bad))
    assert out.exit_code == 1, out.output
    assert "row 3, column 生效日期" in out.output and "row 2" in out.output
    assert "Traceback" not in out.output
    good = tmp_path / "good.csv"
    good.write_bytes(gen.to_csv(HEADINGS, [[codes[0], "D", "2026-01-01", "2026-03-01"],
                                           [codes[0], "A", "2026-03-01", ""],
                                           [codes[1], "C", "2026-01-01", ""]]))
    dry = ssj("credit-classes", "import", "--tenant", "example", str(good), "--dry-run")
    assert dry.exit_code == 0 and "would import 3" in dry.output, dry.output
    listed = ssj("credit-classes", "list", "--tenant", "example")
    assert codes[0] not in listed.output  # the dry run wrote nothing
    out = ssj("credit-classes", "import", "--tenant", "example", str(good))
    assert out.exit_code == 0 and "imported 3" in out.output, out.output
    listed = ssj("credit-classes", "list", "--tenant", "example", "--on", "2026-04-01")
    assert listed.exit_code == 0, listed.output
    assert f"{codes[0]}  A  2026-03-01–open" in listed.output
    assert f"{codes[0]}  D" not in listed.output  # ended on 2026-03-01
    assert "class D (D类（高风险）, 300 ‰): 0 targets on 2026-04-01" in listed.output
    assert "class A (A类（低风险）, 10 ‰): 1 targets on 2026-04-01" in listed.output
