"""The class pages in the browser's terms: a staff upload (direct and as a background job)
with row-numbered problems and nothing saved; the draw pages showing strata by class name
in Chinese; the central admin comparing tenants by class coverage."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date
from io import BytesIO
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from shuangsuiji.demo import generate as gen
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.platform import Platform
from shuangsuiji.services import accounts, draws, lifecycle
from shuangsuiji.services import tenants as tenant_service
from tests.credit.conftest import HEADINGS, codes_of
from tests.web.conftest import PASSWORD, login


def _operator(platform: Platform, app: Flask) -> FlaskClient:
    with platform.db.session() as s:
        accounts.create_user(s, username="ex_operator", password=PASSWORD, role="operator",
                             tenant="example")
        s.commit()
    client = app.test_client()
    assert login(client, "ex_operator").status_code == 302
    return client


def _upload(client: FlaskClient, data: bytes, name: str = "classes.csv") -> Any:
    return client.post("/t/example/credit-classes/upload", data={"file": (BytesIO(data), name)},
                       content_type="multipart/form-data")


def _cells(html: str, marker: str) -> list[str]:
    row = re.search(rf'<tr {marker}[^>]*>(.*?)</tr>', html, re.S)
    assert row, marker
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>",
                                                                  row.group(1), re.S)]


def test_upload_lists_bad_rows_then_imports_and_counts_by_class(
    app: Flask, platform: Platform, users: dict[str, int], example: str,
    make_task: Callable[..., str],
) -> None:
    make_task(example)
    codes = codes_of(platform, example)[0]
    client = _operator(platform, app)
    bad = _upload(client, gen.to_csv(HEADINGS, [[codes[0], "D", "2026-01-01", ""],
                                                [codes[1], "X", "2026-01-01", ""]]))
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'id="import-problems"' in html and "信用风险分类" in html and ">3<" in html
    page = client.get("/t/example/credit-classes").get_data(as_text=True)
    assert _cells(page, 'data-class="D"')[2] == "0"  # nothing was written
    good = _upload(client, gen.to_csv(HEADINGS, [[c, "D", "2026-01-01", ""] for c in codes[:7]]
                                      + [[codes[7], "A", "2026-01-01", ""]]))
    assert good.status_code == 303
    page = client.get("/t/example/credit-classes").get_data(as_text=True)
    assert _cells(page, 'data-class="D"')[:3] == ["D类（高风险）", "300‰", "7"]
    assert _cells(page, 'data-class="A"')[:3] == ["A类（低风险）", "10‰", "1"]


def test_a_large_class_file_is_imported_by_a_background_job(
    app: Flask, platform: Platform, users: dict[str, int], example: str,
    make_task: Callable[..., str],
) -> None:
    make_task(example)
    codes = codes_of(platform, example)[0]
    client = _operator(platform, app)
    app.config["SSJ_JOB_UPLOAD_BYTES"] = 0
    started = _upload(client, gen.to_csv(HEADINGS, [[c, "C", "2026-01-01", ""]
                                                    for c in codes[:5]]))
    assert started.status_code == 303 and "/t/example/jobs/" in started.headers["Location"]
    url = started.headers["Location"] + ".json"
    deadline = time.monotonic() + 60
    while not (status := client.get(url).get_json())["finished"]:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert status["state"] == "succeeded" and status["result"]["rows"] == 5, status
    page = client.get("/t/example/credit-classes").get_data(as_text=True)
    assert _cells(page, 'data-class="C"')[2] == "5"


def test_draw_pages_show_strata_by_class_name_and_the_central_admin_compares_coverage(
    app: Flask, platform: Platform, users: dict[str, int],
    classed_task: tuple[str, dict[str, str]],
) -> None:
    task, expected = classed_task
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "example")
        s.info["tenant_id"] = tenant.id
        record = draws.draw(s, platform, tenant, task, seed="pages-seed")
        s.commit()
        draw_id = record.id
    public = app.test_client().get(f"/p/example/draws/{draw_id}").get_data(as_text=True)
    d = _cells(public, 'data-stratum="class:D"')
    assert d[0] == "D类（高风险）" and d[1] == "300‰"
    assert int(d[4]) == int(d[3]) > 0  # drawn = the stratum's size
    assert _cells(public, 'data-stratum="general"')[0] == "一般检查对象"
    staff = _operator(platform, app).get(f"/t/example/draws/{draw_id}").get_data(as_text=True)
    assert _cells(staff, 'data-stratum="class:A"')[0] == "A类（低风险）"

    central = app.test_client()
    assert login(central, "central").status_code == 302
    page = central.get("/t/miit/statistics/compare?year=2026").get_data(as_text=True)
    row = _cells(page, 'data-tenant="example" data-class="D"')
    # held on the day counted (today, or 2026-12-31 once past): the 40 D since 2025 and
    # the 10 whose D began on 2026-05-01, once it has
    later = 10 if lifecycle.today_in_china() >= date(2026, 5, 1) else 0
    held = sum(1 for k in expected.values() if k == "D") + later
    assert row[2:5] == ["D类（高风险）", "300‰", str(held)]
    assert int(row[5]) == int(d[4])
    assert 'data-tenant="miit"' not in page  # MIIT declares no classes and holds none
    # reading other tenants' classes is a central-admin act, recorded in the audit chain
    with platform.db.session() as s:
        s.info["tenant_id"] = tenant_service.get(s, "miit").id
        event = s.scalars(select(AuditEvent).where(
            AuditEvent.action == "credit_classes.cross_tenant_read")).one()
        assert "example" in event.payload["tenants"]
