"""Jobs in the browser: a large upload becomes a job; its page and JSON show the end state
(translated); a failed job is retried from its page; an export job's file downloads."""

from __future__ import annotations

import time
from collections.abc import Callable
from io import BytesIO
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.directories.samples import TARGET_HEADINGS_ZH, csv_bytes, target_rows


def _wait(client: FlaskClient, url: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        status = client.get(url)
        assert status.status_code == 200
        assert status.headers["Cache-Control"] == "no-store"
        data: dict[str, Any] = status.get_json()
        if data["finished"] or time.monotonic() > deadline:
            return data
        time.sleep(0.1)


def _upload(client: FlaskClient, data: bytes, name: str) -> Any:
    return client.post("/t/chongqing/directories/targets/upload",
                       data={"file": (BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_large_upload_runs_as_a_job(app: Flask,
                                    client_for: Callable[[str | None], FlaskClient]) -> None:
    app.config["SSJ_JOB_UPLOAD_BYTES"] = 0  # every upload is "large"
    client = client_for("cq_operator")
    started = _upload(client, csv_bytes(TARGET_HEADINGS_ZH, target_rows(3)), "t.csv")
    assert started.status_code == 303
    page_url = started.headers["Location"]
    assert "/t/chongqing/jobs/" in page_url
    page = client.get(page_url)
    assert page.status_code == 200 and "jobs.js" in page.get_data(as_text=True)
    status = _wait(client, page_url + ".json")
    assert status["state"] == "succeeded" and status["result"]["inserted"] == 3
    assert status["lines"] == ["已导入 3 行：新增 3，变更 0，未变 0。"]  # the page's language
    done = client.get(page_url).get_data(as_text=True)
    assert "job-succeeded" in done and "t.csv" in done and "已完成" in done
    # another tenant's staff do not see it; the public is asked to sign in
    assert client_for("miit_operator").get(
        page_url.replace("/t/chongqing/", "/t/miit/")).status_code == 404
    assert client_for(None).get(page_url + ".json").status_code in (302, 401)


def test_failed_job_shows_its_problems_and_is_retried(
        app: Flask, client_for: Callable[[str | None], FlaskClient]) -> None:
    app.config["SSJ_JOB_UPLOAD_BYTES"] = 0
    client = client_for("cq_operator")
    rows = target_rows(2)
    rows[1][0] = "oops"
    page_url = _upload(client, csv_bytes(TARGET_HEADINGS_ZH, rows), "bad.csv").headers["Location"]
    status = _wait(client, page_url + ".json")
    assert status["state"] == "failed"
    text = client.get(page_url).get_data(as_text=True)
    assert "oops" in text and "bad.csv" in text and "job_retry" not in text
    assert "/retry" in text
    viewer = client_for("cq_viewer")
    assert viewer.post(page_url + "/retry").status_code == 403
    again = client.post(page_url + "/retry")
    assert again.status_code == 303
    status = _wait(client, page_url + ".json")
    assert status["state"] == "failed" and status["attempts"] == 2
    # a finished job is not retried
    first = _upload(client, csv_bytes(TARGET_HEADINGS_ZH, target_rows(1)), "ok.csv")
    ok_url = first.headers["Location"]
    assert _wait(client, ok_url + ".json")["state"] == "succeeded"
    refused = client.post(ok_url + "/retry")
    assert refused.status_code == 409  # the job page again, saying why
    assert "只有失败的任务可以重试" in refused.get_data(as_text=True)
    assert 'id="job"' in refused.get_data(as_text=True)


def test_export_job_gives_a_file(app: Flask,
                                 client_for: Callable[[str | None], FlaskClient]) -> None:
    app.config["SSJ_JOB_UPLOAD_BYTES"] = 0
    client = client_for("cq_operator")
    _wait(client, _upload(client, csv_bytes(TARGET_HEADINGS_ZH, target_rows(3)),
                          "t.csv").headers["Location"] + ".json")
    started = client_for("cq_viewer").post("/t/chongqing/directories/targets/export",
                                           data={"format": "csv"})
    assert started.status_code == 303
    url = started.headers["Location"]
    assert _wait(client, url + ".json")["state"] == "succeeded"
    download = client.get(url + "/output")
    assert download.status_code == 200
    body = download.get_data().decode("utf-8-sig")
    assert "统一社会信用代码" in body and target_rows(3)[2][0] in body
    assert client.post("/t/chongqing/directories/nothing/export").status_code == 404
