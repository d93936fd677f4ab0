"""Decompression bombs and huge uploads (#13.3): an XLSX that expands far beyond its size
is refused from its ZIP directory before anything is inflated; forged sheet dimensions,
too many rows or columns are refused naming the row; uploads beyond the configured limit
are a 413 page; a refused file records nothing (no import batch, no audit event)."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.models.directories import ImportBatch
from shuangsuiji.tabular import TabularError, limits, read_table
from tests.conftest import make_app
from tests.directories.samples import TARGET_HEADINGS_ZH, target_rows

SHEET = "xl/worksheets/sheet1.xml"


def _workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(TARGET_HEADINGS_ZH)
    for row in target_rows(3):
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _replace_sheet(xlsx: bytes, sheet_xml: Callable[[zipfile.ZipFile], None]) -> bytes:
    """``xlsx`` with its first worksheet written by ``sheet_xml`` (into the new archive)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename == SHEET:
                sheet_xml(target)
            else:
                target.writestr(info, source.read(info))
    return out.getvalue()


def bomb(expanded_mib: int = 64) -> bytes:
    """A real workbook whose sheet is ``expanded_mib`` MiB of identical rows (tens of KiB
    on disk): what a 1 MiB file expanding to 1 GiB is, smaller."""
    def write(target: zipfile.ZipFile) -> None:
        row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
        chunk = row * (1024 * 1024 // len(row))
        with target.open(SHEET, "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas'
                    b'.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            for _ in range(expanded_mib):
                f.write(chunk)
            f.write(b"</sheetData></worksheet>")
    return _replace_sheet(_workbook(), write)


def test_a_bomb_is_refused_before_it_is_inflated() -> None:
    data = bomb()
    assert len(data) < 1024 * 1024  # small on disk
    started = time.monotonic()
    with pytest.raises(TabularError, match="expands"):
        read_table(data, "bomb.xlsx")
    assert time.monotonic() - started < 2  # the directory is read, not the XML


def test_a_workbook_beyond_the_total_bound_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_UNCOMPRESSED_BYTES", 2048)
    with pytest.raises(TabularError, match="at most 0 MiB are read"):
        read_table(_workbook(), "big.xlsx")


def test_a_forged_dimension_does_not_pad_every_row() -> None:
    """A sheet claiming A1:XFD1048576 is read as the cells it holds, quickly."""
    original = zipfile.ZipFile(io.BytesIO(_workbook())).read(SHEET)
    start = original.index(b"<dimension ")
    end = original.index(b"/>", start) + 2
    forged = original[:start] + b'<dimension ref="A1:XFD1048576"/>' + original[end:]
    data = _replace_sheet(_workbook(), lambda t: t.writestr(SHEET, forged))
    started = time.monotonic()
    table = read_table(data, "forged.xlsx")
    rows = list(table.rows)
    assert time.monotonic() - started < 2
    assert len(rows) == 3 and rows[0][1][0] == target_rows(1)[0][0]


def test_too_many_columns_names_the_row(monkeypatch: pytest.MonkeyPatch) -> None:
    wide = "统一社会信用代码," + ",".join(f"c{i}" for i in range(300)) + "\n"
    with pytest.raises(TabularError, match="row 2 has 301 columns"):
        list(read_table((wide + wide).encode("utf-8"), "wide.csv").rows)
    monkeypatch.setattr(limits, "MAX_ROWS", 2)
    many = ",".join(TARGET_HEADINGS_ZH) + "\n" + "".join(
        ",".join(r) + "\n" for r in target_rows(3))
    with pytest.raises(TabularError, match="more than 2 data rows"):
        list(read_table(many.encode("utf-8"), "long.csv").rows)


def test_xml_is_parsed_defensively() -> None:
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML, "openpyxl parses XLSX XML through defusedxml when it is installed"


def _nothing_recorded(session: Session) -> tuple[int, int]:
    return (session.scalar(select(func.count()).select_from(ImportBatch)) or 0,
            session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_the_cli_refuses_a_bomb_and_records_nothing(app: Flask, tenant_tree: dict[str, int],
                                                    tmp_path: Path, cq: Session) -> None:
    before = _nothing_recorded(cq)
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb())
    result = app.test_cli_runner().invoke(args=["import", "targets", "--tenant", "chongqing",
                                                str(path)])
    assert result.exit_code != 0
    assert "expands" in result.output and "Traceback" not in result.output
    assert _nothing_recorded(cq) == before


@pytest.fixture
def admin(app: Flask, tenant_tree: dict[str, int]) -> FlaskClient:
    from shuangsuiji.services import accounts

    with app.extensions["shuangsuiji"].db.session() as s:
        accounts.create_user(s, username="cq_admin", password="correct horse battery",
                             role="tenant_admin", tenant="chongqing")
        s.commit()
    client = app.test_client()
    client.post("/login", data={"username": "cq_admin", "password": "correct horse battery"})
    return client


def test_the_web_upload_refuses_a_bomb_with_a_message(admin: FlaskClient, cq: Session) -> None:
    before = _nothing_recorded(cq)
    refused = admin.post("/t/chongqing/directories/targets/upload",
                         data={"file": (io.BytesIO(bomb()), "bomb.xlsx")},
                         content_type="multipart/form-data")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "不是正常的电子表格" in page
    assert _nothing_recorded(cq) == before


def test_an_upload_beyond_the_limit_is_a_413_page(database_url: str, tmp_path: Path,
                                                  admin: FlaskClient, cq: Session) -> None:
    before = _nothing_recorded(cq)
    app = make_app(database_url, str(tmp_path / "small"), SSJ_MAX_UPLOAD_MB=1)
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    client = app.test_client()
    client.post("/login", data={"username": "cq_admin", "password": "correct horse battery"})
    too_big = client.post("/t/chongqing/directories/targets/upload",
                          data={"file": (io.BytesIO(b"x" * (2 * 1024 * 1024)), "big.csv")},
                          content_type="multipart/form-data")
    assert too_big.status_code == 413
    assert "超过 1 MiB" in too_big.get_data(as_text=True)
    assert _nothing_recorded(cq)[0] == before[0]
