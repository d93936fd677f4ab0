"""Working-day messages in the page's language: a holiday calendar file's problems (file, line,
column and what is wrong) and a provisional deadline's warning, on the pages that show them.
``str()`` stays English (the CLI, logs, the service's error text)."""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from datetime import date

from flask.testing import FlaskClient

from shuangsuiji.db import set_tenant
from shuangsuiji.platform import Platform
from shuangsuiji.services import audit
from shuangsuiji.services import plans as plan_service
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.workdays import CalendarImportError, parse_calendar
from tests.web.conftest import TenantWorld

Client = Callable[[str | None], FlaskClient]
CQ = "/t/chongqing"
BAD = ("日期,类型,名称\n"
       "2027-01-01,休假,元旦\n"
       "2027-02-30,休假,春节\n"  # line 3: no such day
       "2027-02-08,调休上班,春节\n").encode()  # line 4: a Monday is no make-up workday


def _upload(client: FlaskClient) -> str:
    response = client.post(f"{CQ}/calendars", data={"file": (io.BytesIO(BAD), "holidays-2027.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    return html.unescape(response.get_data(as_text=True))


def test_a_bad_calendar_file_is_explained_line_by_line_in_the_page_language(
    world: dict[str, TenantWorld], client_for: Client,
) -> None:
    client = client_for("cq_admin")
    chinese = _upload(client)
    assert "节假日日历中有 2 个问题，未导入任何数据" in chinese
    assert ("holidays-2027.csv 第 3 行，“日期”列：'2027-02-30' 不是日期"
            "（请写作 YYYY-MM-DD，例如 2027-02-06）") in chinese
    assert ("holidays-2027.csv 第 4 行，“日期”列：'2027-02-08' 是周一；"
            "调休上班日应为周六或周日——请对照通知核对日期") in chinese
    assert "is not a date" not in chinese and "problems in the holiday calendar" not in chinese

    client.post("/language", data={"lang": "en", "next": "/login"})
    english = _upload(client)
    assert "2 problems in the holiday calendar; nothing imported" in english
    assert ("holidays-2027.csv line 3, column 日期: '2027-02-30' is not a date "
            "(write it as YYYY-MM-DD, e.g. 2027-02-06)") in english


def test_the_calendar_error_is_english_text_that_keeps_its_messages() -> None:
    try:
        parse_calendar(BAD, "holidays-2027.csv")
    except CalendarImportError as exc:
        assert str(exc).splitlines() == [
            "2 problems in the holiday calendar; nothing imported",
            "holidays-2027.csv line 3, column 日期: '2027-02-30' is not a date "
            "(write it as YYYY-MM-DD, e.g. 2027-02-06)",
            "holidays-2027.csv line 4, column 日期: '2027-02-08' is a 周一; a make-up workday "
            "(调休上班) is a Saturday or Sunday — check the date against the notice",
        ]
    else:
        raise AssertionError("the file was accepted")


def test_a_provisional_deadline_warns_in_the_page_language(
    platform: Platform, world: dict[str, TenantWorld], client_for: Client,
    calendar_until_2026: range,
) -> None:
    """Work ended on 10 Dec 2026: Chongqing's 20 working days run into 2027, which the
    calendar package does not know and no tenant calendar covers."""
    w = world["chongqing"]
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "chongqing")
        set_tenant(s, tenant.id)
        audit.set_actor(s, "chongqing_admin")
        # as recorded on that day; the records this test does not need are named missing
        task = plan_service.get_task(s, w.task_id)
        plan_service.end_work(s, tenant, w.task_id, date(2026, 12, 10),
                              today=date(2026, 12, 10),
                              missing_confirmed=plan_service.drawn_codes(s, task))
        s.commit()
    client = client_for("cq_viewer")
    chinese = html.unescape(client.get(f"{CQ}/tasks/{w.task_id}").get_data(as_text=True))
    assert "暂定时限 2027-" in chinese
    assert ("：尚无节假日日历覆盖 2027 年，该年度只跳过了周末，"
            "未计入 2027 年的法定节假日和调休上班日") in chinese
    assert "no holiday calendar covers" not in chinese
    board = html.unescape(client.get(f"{CQ}/deadlines").get_data(as_text=True))
    assert "尚无节假日日历覆盖 2027 年" in board and "no holiday calendar covers" not in board

    client.post("/language", data={"lang": "en", "next": "/login"})
    english = html.unescape(client.get(f"{CQ}/tasks/{w.task_id}").get_data(as_text=True))
    assert "no holiday calendar covers 2027, so only weekends were skipped there" in english
