"""Earlier inspections given per task (``TaskInspections``) freeze the same pool as the
same inspections given one by one."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.kernel import EmptyPool, Sampling, TaskInspections, freeze_pool
from shuangsuiji.rules import Citation, ExclusionRule
from tests.kernel.builders import policy, pool_rules, risk, targets, task, uscc

RECENT = ExclusionRule(
    "recent-60", "recently_inspected", (("days", 60),), Citation("p", "1", "第三条")
)

records = st.lists(
    st.builds(
        TaskInspections,
        task_id=st.sampled_from(["T-A", "T-B", "T-C", "T-Ä", "T-NEW"]),
        item_codes=st.lists(st.sampled_from(["ITEM-A", "ITEM-B", "ITEM-Z"]), min_size=1,
                            max_size=2, unique=True).map(tuple),
        date=st.dates(date(2024, 11, 1), date(2025, 12, 31)),
        division=st.sampled_from(["DIV-1", "DIV-9"]),
        status=st.sampled_from(["completed", "ongoing", "voided"]),
        credit_codes=st.lists(st.integers(0, 29).map(uscc), max_size=8),
    ),
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(
    history=records,
    once=st.booleans(),
    quarter=st.booleans(),
    exempt=st.booleans(),
    recent=st.booleans(),
    joint=st.booleans(),
)
def test_task_records_and_single_inspections_freeze_the_same_pool(
    history: list[TaskInspections], once: bool, quarter: bool, exempt: bool, recent: bool,
    joint: bool,
) -> None:
    rules = pool_rules(
        exclusion_policy=policy(once, quarter, frozenset({"complaints"} if exempt else ())),
        risk_rules=(risk("complaints"),),
        extra_exclusions=(RECENT,) if recent else (),
    )
    ts = targets(30, {3: frozenset({"complaints"}), 7: frozenset({"complaints"})})
    t = task(task_id="T-NEW", joint=joint)
    one_by_one = [ins for r in history for ins in r.inspections()]
    try:
        expected = freeze_pool(ts, one_by_one, t, Sampling(300), rules)
    except EmptyPool:
        return
    got = freeze_pool(ts, history, t, Sampling(300), rules)
    assert got.digest == expected.digest
    assert got.excluded == expected.excluded


def test_the_earliest_matching_task_triggers_and_rule_one_wins() -> None:
    history = [
        TaskInspections("T-LATE", ("ITEM-A",), date(2025, 3, 1), "DIV-1", "completed",
                        [uscc(1), uscc(2)]),
        TaskInspections("T-EARLY", ("ITEM-A", "ITEM-Z"), date(2025, 1, 5), "DIV-1", "ongoing",
                        [uscc(2)]),
        TaskInspections("T-Q", ("ITEM-Z",), date(2025, 4, 2), "DIV-9", "completed",
                        [uscc(1), uscc(3)]),
        TaskInspections("T-VOID", ("ITEM-A",), date(2025, 1, 1), "DIV-1", "voided", [uscc(1)]),
    ]
    pool = freeze_pool(targets(5), history, task(), Sampling(500), pool_rules())
    got = {e.credit_code: (e.rule_code, e.trigger_task_id) for e in pool.excluded}
    assert got == {
        uscc(1): ("once_per_year", "T-LATE"),
        uscc(2): ("once_per_year", "T-EARLY"),
        uscc(3): ("same_quarter_other_divisions", "T-Q"),
    }
