"""Exports in the page's language (issue 16, item 1): Chinese headings and values in zh_CN,
English ones in the English UI; tenants by name, not slug."""

from __future__ import annotations

import io
import time
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from tests.web.conftest import TenantWorld

Client = Callable[[str | None], FlaskClient]


def _sheet(data: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_statistics_export_follows_the_page_language(
    world: dict[str, TenantWorld], client_for: Client,
) -> None:
    client = client_for("cq_viewer")
    rows = _sheet(client.get("/t/chongqing/statistics.xlsx?year=2026").data)
    assert rows[0][:3] == ["辖区", "年度", "抽查任务数"]
    assert rows[1][0] == "重庆市经济和信息化委员会"  # the name, not the slug
    client.post("/language", data={"lang": "en", "next": "/login"})
    rows = _sheet(client.get("/t/chongqing/statistics.xlsx?year=2026").data)
    assert rows[0][:3] == ["Jurisdiction", "Year", "Tasks"]
    assert rows[1][0] != "chongqing"


def test_a_directory_export_is_in_the_page_language_unless_asked(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,
) -> None:
    client = client_for("cq_viewer")

    def export(**form: str) -> str:
        url = client.post("/t/chongqing/directories/targets/export",
                          data={"format": "csv", **form}).headers["Location"]
        deadline = time.monotonic() + 60
        while not client.get(url + ".json").get_json()["finished"]:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        return client.get(url + "/output").get_data().decode("utf-8-sig")

    assert export().startswith("统一社会信用代码")
    client.post("/language", data={"lang": "en", "next": "/login"})
    english = export()
    assert not english.startswith("统一社会信用代码") and "credit_code" in english.split("\n")[0]
    assert export(lang="zh").startswith("统一社会信用代码")
