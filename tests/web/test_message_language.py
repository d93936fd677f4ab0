"""Service messages on pages and in the API are in the reader's language: a bad import row,
a refused action and an API error read in Chinese on a Chinese page (the default) and in
English on an English one, with the row and column they concern."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask, session
from flask.testing import FlaskClient
from flask_babel import refresh

from shuangsuiji.web.localise import localise
from tests.web.conftest import TenantWorld

Client = Callable[[str | None], FlaskClient]
BAD_TARGETS = Path(__file__).resolve().parents[1] / "data" / "targets_bad.csv"


def _upload_bad_targets(client: FlaskClient) -> str:
    response = client.post("/t/chongqing/directories/targets/upload",
                           data={"file": (io.BytesIO(BAD_TARGETS.read_bytes()), "名录.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    return response.get_data(as_text=True)


def _problem_rows(page: str) -> list[tuple[str, str]]:
    """(row number, problem) of each line of the import's problem table."""
    return [(row, problem) for row, problem in re.findall(
        r'<td class="row-no">(\d+)</td><td>[^<]*</td><td><code>[^<]*</code></td>'
        r"<td>([^<]*)</td>", page)]


def test_import_problems_are_in_the_page_language(client_for: Client) -> None:
    client = client_for("cq_operator")
    chinese = _upload_bad_targets(client)
    assert _problem_rows(chinese) == [
        ("3", "校验码错误：第 18 位应为 U，而不是 0（代码是否录入有误？）"),
        ("4", "文件内重复：第 2 行的统一社会信用代码与此相同"),
    ]
    assert "发现 2 个问题，未导入任何数据" in chinese
    assert "请更正所列各行后重新导入整个文件" in chinese
    assert "bad check character" not in chinese

    client.post("/language", data={"lang": "en", "next": "/login"})
    english = _upload_bad_targets(client)
    assert _problem_rows(english) == [
        ("3", "bad check character: the 18th character should be U, not 0 "
              "(a typing error in the code?)"),
        ("4", "duplicate in the file: row 2 has the same 统一社会信用代码"),
    ]
    assert "2 problems found; nothing was imported" in english
    assert "校验码错误" not in english


def test_a_refused_action_is_explained_in_the_page_language(
    client_for: Client, world: dict[str, TenantWorld],
) -> None:
    """A second annual plan for the same year: the service's Conflict, on the plans page."""
    client = client_for("cq_admin")
    form = {"year": "2026", "title": "2026年度抽查工作计划（重复）"}
    chinese = client.post("/t/chongqing/plans", data=form)
    assert chinese.status_code == 422
    text = chinese.get_data(as_text=True)
    assert "辖区 chongqing 已有 2026 年度抽查工作计划" in text
    assert "already has an annual plan" not in text

    client.post("/language", data={"lang": "en", "next": "/login"})
    english = client.post("/t/chongqing/plans", data=form).get_data(as_text=True)
    assert "tenant chongqing already has an annual plan for 2026" in english


def test_an_error_page_translates_where_and_what_to_do(
    client_for: Client, world: dict[str, TenantWorld],
) -> None:
    """Publishing a task whose work has not ended: the error page's message and hint."""
    w = world["chongqing"]
    client = client_for("cq_admin")
    response = client.post(f"/t/chongqing/tasks/{w.task_id}/publish", data={"confirm": "y"})
    text = response.get_data(as_text=True)
    assert response.status_code == 409, text[-2000:]  # a state conflict
    assert "的抽查工作尚未结束" in text and "has not ended" not in text


def test_a_kernel_refusal_is_translated_where_it_is_shown(app: Flask) -> None:
    """The pure kernel says why it refuses a draw in a message too (the draw page shows it)."""
    from shuangsuiji.kernel.errors import InvalidInput
    from shuangsuiji.kernel.model import Sampling
    from shuangsuiji.kernel.ratio import validate_sampling

    with pytest.raises(InvalidInput) as refused:
        validate_sampling(Sampling(ratio_permille=100, min_count=5, max_count=2))
    assert str(refused.value) == ("max_count=2 is below min_count=5: raise max_count or lower "
                                  "min_count")
    with app.test_request_context():
        session["lang"] = "zh_CN"
        assert localise(refused.value) == (
            "最多抽取数 2 小于最少抽取数 5：请调高最多抽取数或调低最少抽取数")
        session["lang"] = "en"
        refresh()  # the locale is cached per request
        assert localise(refused.value) == str(refused.value)


def test_a_plan_made_outside_its_window_warns_in_the_page_language(
    client_for: Client, world: dict[str, TenantWorld],
) -> None:
    """The warning is flashed when the plan is made and shown on the plan's page; the plan
    keeps it as English text, and the page translates it."""
    client = client_for("cq_admin")
    made = client.post("/t/chongqing/plans", data={"year": "2030", "title": "2030年度计划"},
                       follow_redirects=True)
    page = made.get_data(as_text=True)
    assert made.status_code == 200
    assert page.count("2030 年度抽查工作计划于") == 2  # the flash and the plan's badge
    assert "不在规定的编制期间 2030-01-01–2030-03-31 内" in page
    assert "outside the window" not in page

    client.post("/language", data={"lang": "en", "next": "/login"})
    english = client.get("/t/chongqing/plans/2030").get_data(as_text=True)
    assert "outside the window 2030-01-01–2030-03-31" in english
