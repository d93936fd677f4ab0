"""Shared rules and calendars for the working-day tests.

The two rules mirror what the MIIT and Chongqing packs return (MIIT Art. 15: 30 working
days; CQ Art. 14: 20 working days, except 检验、检测、鉴定); they are built here so these
tests exercise the calendar alone, whatever the packs' other hooks do.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from shuangsuiji.rules import Citation, DeadlineRule
from shuangsuiji.workdays import NamedDay, YearCalendar

SOURCE_2027 = "示例：2027年部分节假日安排（测试用）"


@pytest.fixture
def data_dir() -> Path:
    return Path(__file__).parent / "data"


@pytest.fixture
def calendar_2027() -> YearCalendar:
    """The illustrative 2027 calendar of data/holidays-2027.{csv,toml}, written out by hand.

    Not the real 2027 notice: 元旦 1–3 January, 春节 6–14 February, 20 February worked.
    """
    return YearCalendar(
        year=2027,
        holidays=(
            *(NamedDay(date(2027, 1, d), "元旦") for d in (1, 2, 3)),
            *(NamedDay(date(2027, 2, d), "春节") for d in range(6, 15)),
        ),
        workdays=(NamedDay(date(2027, 2, 20), "春节"),),
        source=SOURCE_2027,
    )


@pytest.fixture
def miit_rule() -> DeadlineRule:
    return DeadlineRule(
        working_days=30,
        start_event="work_end",
        excluded_periods=(),
        channels=("portal", "credit_publicity"),
        per_target_results=True,
        cite=Citation("miit", "2018", "第十五条"),
    )


@pytest.fixture
def cq_rule() -> DeadlineRule:
    return DeadlineRule(
        working_days=20,
        start_event="work_end",
        excluded_periods=("testing", "inspection", "appraisal"),
        channels=("portal", "credit_publicity"),
        per_target_results=False,
        cite=Citation("chongqing", "2021", "第十四条"),
    )
