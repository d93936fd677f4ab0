"""Every history-based exclusion looks back from the task's start, never forward
(issue #14 point 12; docs/draw-spec.md §3.1).

MIIT 第十条第一款 / CQ 第十条第一款 limit inspections "在同一年度内"; MIIT 第十条第二款 excludes
targets "其他处室已抽查过的" (already inspected); a pack's ``recently_inspected`` rule looks
``days`` before the start. A task planned for later in the year, even one drawn first, has
not inspected anybody yet when this task starts.
"""

from __future__ import annotations

from datetime import date

from shuangsuiji.kernel import (
    CandidateText,
    Inspection,
    Sampling,
    TaskInspections,
    freeze_pool,
)
from shuangsuiji.rules import Citation, ExclusionRule
from tests.kernel.builders import policy, pool_rules, targets, task, uscc

START = date(2026, 1, 15)
RECENT = ExclusionRule("recent-180", "recently_inspected", (("days", 180),),
                       Citation("p", "1", "第三条"))


def _ins(i: int, day: date, *, item: str = "ITEM-A", division: str = "DIV-1",
         task_id: str = "T-OTHER") -> Inspection:
    return Inspection(uscc(i), item, day, division, task_id, "ongoing")


def _excluded(pool) -> dict[str, tuple[str, str | None]]:
    return {e.credit_code: (e.rule_code, e.trigger_task_id) for e in pool.excluded}


def test_recently_inspected_ignores_tasks_starting_after_the_start() -> None:
    """A task starting 2026-01-15 keeps targets of tasks starting March–September."""
    history = [_ins(1, date(2026, 3, 2), item="ITEM-Z", task_id="T-MAR"),
               _ins(2, date(2026, 9, 1), item="ITEM-Z", task_id="T-SEP"),
               _ins(3, date(2025, 12, 1), item="ITEM-Z", task_id="T-DEC")]
    rules = pool_rules(exclusion_policy=policy(False, False), extra_exclusions=(RECENT,))
    pool = freeze_pool(targets(5), history, task(start_date=START), Sampling(500), rules)
    assert _excluded(pool) == {uscc(3): ("recent-180", "T-DEC")}


def test_once_per_year_miit_art_10_1_counts_only_inspections_up_to_the_start() -> None:
    """MIIT 第十条第一款: 在同一年度内…抽查次数原则上不超过1次 — counted from what was
    already inspected; a same-day task drawn first counts, a later one does not."""
    history = [_ins(1, date(2026, 1, 5), task_id="T-JAN"),
               _ins(2, START, task_id="T-SAME-DAY"),
               _ins(3, date(2026, 6, 1), task_id="T-JUN")]
    pool = freeze_pool(targets(5), history, task(start_date=START), Sampling(500), pool_rules())
    assert _excluded(pool) == {uscc(1): ("once_per_year", "T-JAN"),
                               uscc(2): ("once_per_year", "T-SAME-DAY")}


def test_same_quarter_miit_art_10_2_only_already_inspected_targets() -> None:
    """MIIT 第十条第二款: 排除其他处室已抽查过的检查对象 — a later task of another division
    in the same quarter has inspected nobody yet."""
    history = [_ins(1, date(2026, 1, 2), item="ITEM-Z", division="DIV-9", task_id="T-EARLY"),
               _ins(2, date(2026, 3, 30), item="ITEM-Z", division="DIV-9", task_id="T-LATE")]
    pool = freeze_pool(targets(5), history, task(start_date=START), Sampling(500), pool_rules())
    assert _excluded(pool) == {uscc(1): ("same_quarter_other_divisions", "T-EARLY")}


def test_task_records_and_text_pages_look_back_the_same_way() -> None:
    """The cheap forms (task records, text pages) decide as the loose inspections do."""
    later = TaskInspections("T-LATER", ("ITEM-A",), date(2026, 4, 1), "DIV-1", "ongoing",
                            [uscc(1), uscc(2)])
    before = TaskInspections("T-BEFORE", ("ITEM-A",), date(2026, 1, 3), "DIV-1", "completed",
                             [uscc(3)])
    text = "".join(f"{t.credit_code}\t{t.name}\n" for t in targets(6))[:-1]
    rules = pool_rules(extra_exclusions=(RECENT,))
    by_text = freeze_pool([CandidateText(text, 6, {})], [later, before], task(start_date=START),
                          Sampling(500), rules)
    by_targets = freeze_pool(targets(6), [later, before], task(start_date=START),
                             Sampling(500), rules)
    assert _excluded(by_text) == _excluded(by_targets) == {uscc(3): ("once_per_year",
                                                                     "T-BEFORE")}
    assert by_text.digest == by_targets.digest
