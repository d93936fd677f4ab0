"""A refused draw job shows its reason back on the draw form (issue #16 item 7's remainder):
the job page sends the person back to the form (a link; the page's script goes there
itself), and the form says why the job was refused, with the seed and witnesses typed kept;
once a later draw job of the task did not fail, the form no longer shows the old refusal."""

from __future__ import annotations

import html
import re

from flask import Flask

from tests.jobs.test_draw_job import CQ, Client, _redraw_form, _wait
from tests.web.conftest import TenantWorld, world  # noqa: F401 - fixture


def test_a_refused_draw_job_is_shown_on_the_draw_form_with_the_input_kept(
    app: Flask, world: dict[str, TenantWorld], client_for: Client,  # noqa: F811
) -> None:
    w = world["chongqing"]
    admin = client_for("cq_admin")
    assert admin.post(f"{CQ}/draws/{w.require_draw()}/void",
                      data={"reason": "见证人未到场，重新抽取", "confirm": "y"}).status_code == 302
    app.config["SSJ_JOB_DRAW_TARGETS"] = 1  # every directory is "large": the draw is a job
    client = client_for("cq_operator")
    form_url = f"{CQ}/tasks/{w.task_id}/draw"
    assert '<div class="problem"' not in client.get(form_url).get_data(as_text=True)

    stale = client.post(form_url, data={**_redraw_form(client, w), "pool_digest": "0" * 64,
                                        "witnesses": "公证员 王五\n监督员 赵六"})
    job_url = stale.headers["Location"]
    job_id = int(job_url.rsplit("/", 1)[1])
    assert _wait(client, job_url + ".json")["state"] == "failed"
    job_page = client.get(job_url).get_data(as_text=True)
    assert f'data-refused-url="{form_url}"' in job_page  # where jobs.js goes once it failed
    assert f'id="back-to-draw" href="{form_url}"' in job_page  # ... and without JavaScript

    page = client.get(form_url).get_data(as_text=True)
    problem = re.search(r'<div class="problem" role="alert">(.*?)</div>', page, re.S)
    assert problem, page[-3000:]
    text = html.unescape(problem.group(1))
    assert "抽取池在公布其摘要后已发生变化" in text
    assert f"第 {job_id} 号抽取后台任务" in text  # which job said so
    assert "ssj " not in text
    assert 'value="271828"' in page  # the seed typed
    assert "公证员 王五\n监督员 赵六</textarea>" in page  # the witnesses typed

    drawn = client.post(form_url, data=_redraw_form(client, w))
    assert _wait(client, drawn.headers["Location"] + ".json")["state"] == "succeeded"
    assert "抽取池在公布其摘要后已发生变化" not in client.get(form_url).get_data(as_text=True)
