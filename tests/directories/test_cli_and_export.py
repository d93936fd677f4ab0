"""`ssj import` / `ssj export` through the app's CLI runner, and export → import round trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shuangsuiji.models.directories import Target
from shuangsuiji.services import audit, exports
from shuangsuiji.services.imports import import_file
from tests.directories.conftest import counts
from tests.directories.samples import (
    INSPECTOR_HEADINGS,
    INSPECTOR_ROWS,
    ITEM_HEADINGS,
    ITEM_ROWS,
    TARGET_HEADINGS_ZH,
    bad_check,
    csv_bytes,
    target_rows,
)


def _run(app: Flask, *args: str) -> Result:
    """Run ``ssj ARGS`` in the app; ``output`` holds what the terminal would show."""
    return app.test_cli_runner().invoke(args=list(args))


def test_cli_import_ok(app: Flask, tenant_tree: dict[str, int], tmp_path: Path,
                       cq: Session) -> None:
    path = tmp_path / "名录.csv"
    path.write_bytes(csv_bytes(TARGET_HEADINGS_ZH, target_rows(), "gbk"))
    result = _run(app, "import", "targets", "--tenant", "chongqing", str(path))
    assert result.exit_code == 0, result.output
    assert "imported 3 targets rows" in result.output and "3 new" in result.output
    assert cq.scalar(select(func.count()).select_from(Target)) == 3


def test_cli_bad_file_exits_nonzero_lists_rows_writes_nothing(
        app: Flask, tenant_tree: dict[str, int], tmp_path: Path, cq: Session) -> None:
    rows = target_rows()
    rows[2][0] = bad_check(rows[2][0])
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(TARGET_HEADINGS_ZH, rows))
    chain = audit.count(cq, tenant_tree["chongqing"])
    before = counts(cq)
    result = _run(app, "import", "targets", "--tenant", "chongqing", str(path))
    assert result.exit_code == 1
    assert "row 4, column 统一社会信用代码" in result.output
    assert "nothing was imported" in result.output
    assert "Traceback" not in result.output
    assert counts(cq) == before
    assert audit.count(cq, tenant_tree["chongqing"]) == chain


def test_cli_unreadable_file_and_unknown_tenant(app: Flask, tenant_tree: dict[str, int],
                                                tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes("统一社会信用代码,企业名称\n".encode() + b"\xff\xfe\xfa,x\n")
    result = _run(app, "import", "targets", "--tenant", "chongqing", str(path))
    assert result.exit_code == 1 and "line 2" in result.output
    assert "Traceback" not in result.output
    result = _run(app, "import", "targets", "--tenant", "nowhere", str(path))
    assert result.exit_code == 1 and "no tenant 'nowhere'" in result.output


def test_cli_dry_run(app: Flask, tenant_tree: dict[str, int], tmp_path: Path,
                     cq: Session) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(csv_bytes(TARGET_HEADINGS_ZH, target_rows()))
    before = counts(cq)
    result = _run(app, "import", "targets", "--tenant", "chongqing", "--dry-run", str(path))
    assert result.exit_code == 0 and "would import 3" in result.output
    assert counts(cq) == before


def test_cli_items_use_the_tenant_pack(app: Flask, tenant_tree: dict[str, int],
                                       tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_bytes(csv_bytes(ITEM_HEADINGS, ITEM_ROWS))
    result = _run(app, "import", "items", "--tenant", "chongqing", str(path))
    assert result.exit_code == 0 and "version 1" in result.output
    result = _run(app, "import", "items", "--tenant", "miit", str(path))
    assert result.exit_code == 1 and "unknown category" in result.output


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_export_reimports_unchanged(app: Flask, tenant_tree: dict[str, int], tmp_path: Path,
                                    cq: Session, suffix: str, lang: str) -> None:
    tid = tenant_tree["chongqing"]
    import_file(cq, tid, "targets", csv_bytes(TARGET_HEADINGS_ZH, target_rows()), "t.csv")
    import_file(cq, tid, "inspectors", csv_bytes(INSPECTOR_HEADINGS, INSPECTOR_ROWS), "i.csv")
    import_file(cq, tid, "items", csv_bytes(ITEM_HEADINGS, ITEM_ROWS), "items.csv")
    cq.commit()
    for kind in ("targets", "inspectors", "items"):
        out = tmp_path / f"{kind}{suffix}"
        result = _run(app, "export", kind, "--tenant", "chongqing", "--lang", lang, str(out))
        assert result.exit_code == 0, result.output
        heads, _ = exports.export_table(cq, kind, lang)
        report = import_file(cq, tid, kind, out)
        assert (report.inserted, report.updated, report.unchanged) == (0, 0, report.rows), kind
        assert report.rows == (2 if kind == "items" else 3)
        assert out.read_bytes()  # written by the command
        if kind == "targets":
            assert heads[0] == ("统一社会信用代码" if lang == "zh" else "credit_code")
