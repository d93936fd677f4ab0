"""Publication deadlines against the real PRC calendar, through the services and the CLI.

Expected dates are counted by hand from the State Council's 2026 notice (国办发明电〔2025〕
N号 as shipped in chinesecalendar): 春节 15–23 Feb with 14 and 28 Feb worked; 中秋 25–27
Sep; 国庆 1–7 Oct with 20 Sep and 10 Oct worked.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from shuangsuiji.errors import UserError
from shuangsuiji.services import calendars as calendar_service
from shuangsuiji.services import deadlines as deadline_service
from shuangsuiji.services import plans as plan_service
from shuangsuiji.services import records as record_service

from .conftest import CODES, counts, drawn_task, record_all

DATA = Path(__file__).parent / "data"


def test_chongqing_20_working_days_across_national_day(world_for):
    w = world_for("chongqing")
    d = deadline_service.compute(w.session, w.platform, w.tenant, date(2026, 9, 18))
    # 20 Sep (Sunday, worked) counts; 25–27 Sep and 1–7 Oct do not; 10 Oct (Saturday) counts.
    assert d.due == date(2026, 10, 22)
    assert date(2026, 9, 20) in d.counted and date(2026, 10, 10) in d.counted
    assert date(2026, 10, 1) not in d.counted and date(2026, 9, 25) not in d.counted
    assert not d.provisional
    assert (d.cite.pack, d.cite.article) == ("chongqing", "第十四条")


def test_chongqing_leaves_testing_periods_out(world_for):
    w = world_for("chongqing")
    s = w.session
    d = deadline_service.compute(s, w.platform, w.tenant, date(2026, 9, 18), excluded_days=3)
    assert d.due == date(2026, 10, 27)
    # the same three working days recorded as a testing period of the task (12–14 Oct)
    task = drawn_task(w, starts_on=date(2026, 8, 1), ends_on=date(2026, 9, 30))
    record_service.add_excluded_period(s, w.tenant, task.id, kind="testing",
                                       starts_on=date(2026, 10, 12), ends_on=date(2026, 10, 14),
                                       credit_code=CODES[0], note="样品送检")
    record_all(w, task, on=date(2026, 9, 10))
    plan_service.end_work(s, w.tenant, task.id, date(2026, 9, 18))
    due = deadline_service.task_deadline(s, w.platform, w.tenant, task.id).due
    assert due == date(2026, 10, 27)


def test_miit_30_working_days_across_spring_festival(world_for):
    w = world_for("miit")
    d = deadline_service.compute(w.session, w.platform, w.tenant, date(2026, 2, 6))
    # 14 and 28 Feb (Saturdays) are worked and count; 15–23 Feb do not.
    assert d.due == date(2026, 3, 26)
    assert date(2026, 2, 28) in d.counted and date(2026, 2, 16) not in d.counted
    assert (d.working_days, d.cite.article) == (30, "第十五条")


def test_miit_refuses_excluded_days_citing_article_15(world_for):
    w = world_for("miit")
    with pytest.raises(UserError, match="miit 2018 第十五条"):
        deadline_service.compute(w.session, w.platform, w.tenant, date(2026, 2, 6),
                                 excluded_days=2)


def test_2027_is_provisional_without_a_calendar_and_exact_with_one(world_for,
                                                                   calendar_until_2026):
    w = world_for("miit")
    s = w.session
    end = date(2026, 12, 10)
    rough = deadline_service.compute(s, w.platform, w.tenant, end)
    # no calendar knows 2027: 1 Jan counts as a plain Friday
    assert rough.provisional and rough.uncovered_years == (2027,)
    assert rough.due == date(2027, 1, 21)
    assert rough.warning and "2027" in rough.warning

    imported = calendar_service.import_calendar(
        s, w.tenant, (DATA / "holidays-2027.csv").read_bytes(), "holidays-2027.csv")
    s.commit()
    assert [(y.year, y.holidays, y.workdays) for y in imported] == [(2027, 5, 1)]
    exact = deadline_service.compute(s, w.platform, w.tenant, end)
    assert not exact.provisional and exact.warning is None
    assert exact.due == date(2027, 1, 22)  # 元旦 1 Jan is off: one day later
    assert [c.coverage for c in calendar_service.coverage(s) if c.year == 2027] == ["tenant"]


def test_a_bad_calendar_file_imports_nothing(world_for):
    w = world_for("miit")
    before = counts(w.session, w.tenant.id)
    bad = "日期,类型,名称,来源\n2027-02-30,休假,春节,示例\n2027-02-22,调休上班,春节,示例\n"
    with pytest.raises(UserError) as err:
        calendar_service.import_calendar(w.session, w.tenant, bad.encode(), "bad.csv")
    assert "line 2" in str(err.value) and "line 3" in str(err.value)
    w.session.rollback()
    assert calendar_service.tenant_years(w.session) == []
    assert counts(w.session, w.tenant.id) == before


def test_board_lists_overdue_and_due_soon(world_for):
    w = world_for("chongqing")
    s = w.session
    task = drawn_task(w, starts_on=date(2026, 8, 1), ends_on=date(2026, 9, 30))
    record_all(w, task, on=date(2026, 9, 10))
    plan_service.end_work(s, w.tenant, task.id, date(2026, 9, 18))
    s.commit()
    [early] = deadline_service.board(s, w.platform, w.tenant, today=date(2026, 9, 21))
    assert (early.status, early.due) == ("pending", date(2026, 10, 22))
    assert deadline_service.alerts(s, w.platform, w.tenant, today=date(2026, 9, 21)) == []
    [soon] = deadline_service.alerts(s, w.platform, w.tenant, today=date(2026, 10, 19))
    assert soon.status == "due_soon"
    [late] = deadline_service.alerts(s, w.platform, w.tenant, today=date(2026, 10, 23))
    assert late.status == "overdue"
