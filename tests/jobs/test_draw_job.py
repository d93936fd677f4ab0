"""A draw in a tenant whose directory is large runs as a background job (issue 16, item 7):
the page goes to the job, which shows its phase by name, reloads itself without JavaScript
while it runs, links the result when done, and fails with the reason (nothing drawn) when
the draw is refused; a queued job's page refreshes itself."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from shuangsuiji.db import set_tenant
from shuangsuiji.models.draws import Draw
from shuangsuiji.services import jobs
from tests.web.conftest import TenantWorld, world  # noqa: F401 - fixture

Client = Callable[[str | None], FlaskClient]
CQ = "/t/chongqing"


def _wait(client: FlaskClient, url: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        data: dict[str, Any] = client.get(url).get_json()
        if data["finished"] or time.monotonic() > deadline:
            return data
        time.sleep(0.1)


def _draws(app: Flask, w: TenantWorld) -> int:
    with app.extensions["shuangsuiji"].db.session() as s:
        set_tenant(s, w.tenant_id)
        return int(s.scalar(select(func.count()).select_from(Draw)) or 0)


def _redraw_form(client: FlaskClient, w: TenantWorld) -> dict[str, str]:
    page = client.get(f"{CQ}/tasks/{w.task_id}/draw").get_data(as_text=True)
    digest = re.search(r'id="pool-digest"><code>([0-9a-f]{64})<', page)
    assert digest, page[-2000:]
    return {"seed_source": "ceremony", "seed": "271828", "witnesses": "公证员 王五",
            "pool_digest": digest.group(1), "confirm": "y"}


def test_a_large_draw_runs_as_a_job_and_links_its_result(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,  # noqa: F811
) -> None:
    w = world["chongqing"]
    admin = client_for("cq_admin")
    assert admin.post(f"{CQ}/draws/{w.require_draw()}/void",
                      data={"reason": "见证人未到场，重新抽取", "confirm": "y"}).status_code == 302
    app.config["SSJ_JOB_DRAW_TARGETS"] = 1  # every directory is "large"
    client = client_for("cq_operator")
    before = _draws(app, w)
    # a stale pool digest: the job fails with the reason, and nothing is drawn
    stale = client.post(f"{CQ}/tasks/{w.task_id}/draw",
                        data={**_redraw_form(client, w), "pool_digest": "0" * 64})
    assert stale.status_code == 303 and "/jobs/" in stale.headers["Location"]
    failed = _wait(client, stale.headers["Location"] + ".json")
    assert failed["state"] == "failed" and _draws(app, w) == before
    assert any("抽取池在公布其摘要后已发生变化" in line for line in failed["lines"])

    started = client.post(f"{CQ}/tasks/{w.task_id}/draw", data=_redraw_form(client, w))
    assert started.status_code == 303
    url = started.headers["Location"]
    status = _wait(client, url + ".json")
    assert status["state"] == "succeeded", status
    draw_id = status["result"]["draw_id"]
    assert _draws(app, w) == before + 1
    assert status["phase_label"] == "已结束"
    page = client.get(url).get_data(as_text=True)
    assert f"/t/chongqing/draws/{draw_id}" in page and "查看抽取结果" in page
    assert 'http-equiv="refresh"' not in page  # finished: no more reloading
    result = client.get(f"{CQ}/draws/{draw_id}").get_data(as_text=True)
    assert "271828" in result


def test_a_waiting_job_page_reloads_itself_and_names_its_phase(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,  # noqa: F811
) -> None:
    w = world["chongqing"]
    with app.extensions["shuangsuiji"].db.session() as s:
        set_tenant(s, w.tenant_id)
        job = jobs.submit(s, w.tenant_id, "draw", {"task_id": w.task_id}, actor="cq_operator")
        s.commit()
        job_id = job.id
    page = client_for("cq_viewer").get(f"{CQ}/jobs/{job_id}").get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert "排队等待执行" in page and ">queued<" not in page
    assert f"/t/chongqing/tasks/{w.task_id}" in page  # back to the task, not the directories
