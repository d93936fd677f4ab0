"""The hand-over to the credit publicity system (issue #14 point 7).

MIIT 第十五条: "将抽查情况报告在工业和信息化部门户网站、有关信用信息公示系统予以公开…对单个
检查对象的抽查结果一并公开"; CQ 第十四条 the same two channels. The platform writes the file
the credit publicity system takes, records who handed it over, and the channel is pending
until a user confirms it was published there.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from shuangsuiji.errors import Conflict, UserError
from shuangsuiji.services import credit_publicity, publication
from shuangsuiji.services import plans as plan_service
from shuangsuiji.services import records as record_service
from tests.lifecycle.conftest import CODES, NAMES, drawn_task, record_all

HEADINGS = ["统一社会信用代码", "企业名称", "抽查事项", "检查日期", "检查结果", "检查实施机关"]


def _published(w):  # type: ignore[no-untyped-def]
    task = drawn_task(w)
    record_all(w, task)
    plan_service.end_work(w.session, w.tenant, task.id, date(2026, 6, 30))
    rules = w.platform.policy_for(w.tenant).rules(date(2026, 6, 30))
    if rules.report_rule.required:
        record_service.write_report(w.session, w.platform, w.tenant, task.id, {
            "period": "2026年4月", "target_count": 3, "content": "c", "findings": "f",
            "handling": "h", "suggestions": "s"})
    publication.publish(w.session, w.platform, w.tenant, task.id,
                        at=datetime(2026, 7, 10, 2, tzinfo=UTC))
    w.session.commit()
    return task


def test_cq_art_14_not_published_cannot_be_handed_over(world_for) -> None:
    w = world_for("chongqing")
    task = drawn_task(w)
    with pytest.raises(UserError, match="not published yet"):
        credit_publicity.hand_over(w.session, w.tenant, task.id, "csv", actor="operator")


def test_miit_art_15_the_file_has_the_systems_columns_per_target(world_for) -> None:
    w = world_for("miit")
    task = _published(w)
    assert credit_publicity.status(w.session, task.id) == "not_handed_over"
    made = credit_publicity.hand_over(w.session, w.tenant, task.id, "csv", actor="张三")
    w.session.commit()
    rows = list(csv.reader(io.StringIO(made.data.decode("utf-8-sig"))))
    assert rows[0] == HEADINGS
    body = {r[0]: r for r in rows[1:]}
    assert set(body) == set(CODES)
    first = body[CODES[0]]
    assert first[1] == NAMES[0] and first[2] == "无线电发射设备销售备案检查"
    assert first[3] == "2026-05-10" and first[4] == "发现问题已责令改正"
    assert first[5] == w.tenant.name
    assert made.record.handed_over_by == "张三" and made.record.rows == 3
    assert credit_publicity.status(w.session, task.id) == "pending"
    xlsx = credit_publicity.hand_over(w.session, w.tenant, task.id, "xlsx", actor="张三")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == HEADINGS
    assert sheet.max_row == 4


def test_the_channel_is_pending_until_a_user_confirms(world_for) -> None:
    w = world_for("chongqing")
    task = _published(w)
    with pytest.raises(UserError, match="never handed over"):
        credit_publicity.confirm(w.session, w.tenant, task.id, actor="李四")
    credit_publicity.hand_over(w.session, w.tenant, task.id, "xlsx", actor="李四")
    with pytest.raises(UserError, match="after today"):
        credit_publicity.confirm(w.session, w.tenant, task.id, actor="李四",
                                 published_on=date(2026, 7, 20), today=date(2026, 7, 15))
    done = credit_publicity.confirm(w.session, w.tenant, task.id, actor="李四",
                                    published_on=date(2026, 7, 14), today=date(2026, 7, 15))
    assert (done.confirmed_by, done.confirmed_on) == ("李四", date(2026, 7, 14))
    assert credit_publicity.status(w.session, task.id) == "confirmed"
    with pytest.raises(Conflict, match="already confirmed"):
        credit_publicity.confirm(w.session, w.tenant, task.id, actor="李四")
