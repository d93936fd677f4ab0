"""The organisation tree in the kernel (issue #15 items 1–3): MIIT 第十条第二款 on the tree,
the inspector scopes of 第八条第二款 and CQ 第六条, and the bundle's ``units`` check.

The article: 职能司局内不同处室在同一季度内对同一检查对象的多个抽查事项，采取联合抽查的方式
一次性查完；不能采取联合抽查的，……应当排除其他处室已抽查过的检查对象。鼓励不同司局对同一检查
对象的多个抽查事项进行联合抽查。
"""

from __future__ import annotations

from datetime import date

import pytest

from shuangsuiji.kernel import Sampling, TaskInspections, freeze_pool
from shuangsuiji.kernel.errors import InvalidInput
from shuangsuiji.kernel.model import Inspector
from shuangsuiji.kernel.orgtree import OrgTree, Unit, tree_problems, units_check
from shuangsuiji.kernel.people import in_scope
from tests.kernel.builders import pool_rules, targets, task, uscc

# 工业和信息化部: two 司局, each with 处室; one 司局 with a subordinate authority
TREE = OrgTree([
    Unit("AQS", "安全生产司", "department"),
    Unit("AQS-1", "综合处", "division", "AQS"),
    Unit("AQS-2", "监督检查处", "division", "AQS"),
    Unit("AQS-SUB", "省通信管理局", "subordinate", "AQS"),
    Unit("DZS", "电子信息司", "department"),
    Unit("DZS-1", "综合处", "division", "DZS"),
])
Q2 = date(2025, 5, 12)


def _earlier(code: int, unit: str, *, task_id: str = "T-EARLY", item: str = "ITEM-Z",
             day: date = date(2025, 4, 2)) -> TaskInspections:
    return TaskInspections(task_id, (item,), day, unit, "completed", (uscc(code),),
                           TREE.department_of(unit))


def _excluded(history: list[TaskInspections], *, joint: bool = False,
              item: str = "ITEM-A") -> dict[str, tuple[str, str | None]]:
    pool = freeze_pool(targets(5), history,
                       task(department="AQS", division="AQS-1", start_date=Q2, joint=joint,
                            item_codes=(item,)),
                       Sampling(500), pool_rules())
    return {e.credit_code: (e.rule_code, e.trigger_task_id) for e in pool.excluded}


def test_other_division_of_the_same_department_excludes() -> None:
    """职能司局内不同处室 … 应当排除其他处室已抽查过的检查对象."""
    assert _excluded([_earlier(1, "AQS-2")]) == {uscc(1): ("same_quarter_other_divisions",
                                                           "T-EARLY")}


def test_joint_inspection_is_the_alternative() -> None:
    """采取联合抽查的方式一次性查完: a declared joint task excludes nobody by this rule."""
    assert _excluded([_earlier(1, "AQS-2")], joint=True) == {}


def test_another_department_in_the_same_quarter_does_not_exclude() -> None:
    """鼓励不同司局 … 联合抽查: encouraged only, never an exclusion."""
    assert _excluded([_earlier(1, "DZS-1"), _earlier(2, "DZS")]) == {}


def test_same_division_is_left_to_the_once_a_year_rule() -> None:
    """Same 处室: not this rule; the same item in the year is the once-a-year rule
    (第十条第一款)."""
    assert _excluded([_earlier(1, "AQS-1")]) == {}
    assert _excluded([_earlier(1, "AQS-1", item="ITEM-A")]) == {
        uscc(1): ("once_per_year", "T-EARLY")}


def test_another_quarter_does_not_exclude() -> None:
    assert _excluded([_earlier(1, "AQS-2", day=date(2025, 3, 31))]) == {}


def test_the_department_itself_is_another_unit_of_the_department() -> None:
    """A task the 司局 leads itself is not the task's 处室: it excludes."""
    assert set(_excluded([_earlier(3, "AQS")])) == {uscc(3)}


def test_history_without_department_keeps_the_old_reading() -> None:
    """A record whose 司局 is not known ("") is treated as of the task's own 司局."""
    record = TaskInspections("T-OLD", ("ITEM-Z",), date(2025, 4, 2), "X", "completed",
                             (uscc(4),))
    assert set(_excluded([record])) == {uscc(4)}


def test_scopes_on_the_tree_miit_art_8_2_and_cq_art_6() -> None:
    def person(unit: str) -> Inspector:
        return Inspector("P", "张三", TREE.department_of(unit), unit, TREE.subordinate(unit))

    own, sub, other = person("AQS-2"), person("AQS-SUB"), person("DZS-1")
    dept = TREE.department_of("AQS-1")
    assert [in_scope(p, "within_department", dept) for p in (own, sub, other)] == [
        True, False, False]
    assert [in_scope(p, "with_subordinates", dept) for p in (own, sub, other)] == [
        True, True, False]
    for scope in ("across_departments", "unified"):
        assert all(in_scope(p, scope, dept) for p in (own, sub, other))


def test_tree_problems_name_the_row() -> None:
    units = [Unit("A", "甲", "department", "C"), Unit("B", "乙", "division", "A"),
             Unit("C", "丙", "division", "B"), Unit("D", "丁", "division", "ZZ"),
             Unit("D", "丁", "team")]
    found = [(i, str(m)) for i, m in tree_problems(units)]
    assert any(i == 0 and "cycle" in m for i, m in found)
    assert any(i == 3 and "'ZZ'" in m for i, m in found)
    assert any(i == 4 and "twice" in m for i, m in found)
    assert any(i == 4 and "'team'" in m for i, m in found)
    with pytest.raises(InvalidInput, match="cycle"):
        OrgTree(units[:3])


def _bundle(excluded: list[list[object]], triggers: list[list[str]]) -> dict[str, object]:
    return {
        "task": {"department": "AQS", "division": "AQS-1"},
        "inspectors": [{"department": "AQS", "division": "AQS-SUB", "subordinate": True}],
        "pool": {"excluded": excluded},
        "units": {"tree": TREE.rows(), "triggers": triggers},
    }


def test_units_check_rechecks_the_same_quarter_exclusions() -> None:
    row = ["X", "企业", "same_quarter_other_divisions", "T-EARLY"]
    assert units_check(_bundle([row], [["T-EARLY", "AQS", "AQS-2"]])) is None
    # another 司局's task named as the trigger: refused, citing the article
    problem = units_check(_bundle([row], [["T-EARLY", "DZS", "DZS-1"]]))
    assert problem is not None and "第十条第二款" in problem[3]
    # the same 处室: not this rule
    assert units_check(_bundle([row], [["T-EARLY", "AQS", "AQS-1"]])) is not None
    # a trigger claimed of a 司局 the tree does not put its unit in
    assert units_check(_bundle([row], [["T-EARLY", "AQS", "DZS-1"]])) is not None
    # not listed at all
    assert units_check(_bundle([row], []))[0] == "pool.excluded[0][3]"  # type: ignore[index]


def test_units_check_rechecks_inspectors_and_task_against_the_tree() -> None:
    bundle = _bundle([], [])
    bundle["inspectors"] = [{"department": "AQS", "division": "AQS-SUB", "subordinate": False}]
    assert units_check(bundle)[0] == "inspectors[0].subordinate"  # type: ignore[index]
    bundle = _bundle([], [])
    bundle["task"] = {"department": "DZS", "division": "AQS-1"}
    assert units_check(bundle)[0] == "task.department"  # type: ignore[index]
    bundle = _bundle([], [])
    bundle["units"] = {"tree": list(reversed(TREE.rows())), "triggers": []}
    assert units_check(bundle)[0] == "units.tree"  # type: ignore[index]


def units_bundle() -> dict[str, object]:
    """A draw of a task of 处室 AQS-1 with same-quarter exclusions triggered by AQS-2 (same
    司局), none by DZS-1 (another 司局), inspectors of three units drawn 本司局内, and the
    bundle's ``units``."""
    from shuangsuiji.kernel import Credential, DrawParams, draw, make_bundle
    from shuangsuiji.kernel.orgtree import units_object
    from tests.kernel.builders import draw_rules

    history = [_earlier(1, "AQS-2", task_id="T-AQS2"), _earlier(2, "DZS-1", task_id="T-DZS"),
               _earlier(3, "AQS-2", task_id="T-AQS2b", day=date(2025, 4, 9))]
    pool = freeze_pool(targets(12), history,
                       task(department="AQS", division="AQS-1", start_date=Q2),
                       Sampling(500), pool_rules())
    cred = (Credential("enforcement_certificate", date(2030, 1, 1)),)
    people = [Inspector(f"P{i:03d}", f"检查员{i}", TREE.department_of(u), u, TREE.subordinate(u),
                        cred)
              for i, u in enumerate(["AQS-1", "AQS-2", "AQS-SUB", "DZS-1", "AQS-2", "AQS"])]
    result = draw(pool, "dice 1-2-3-4-5-6", rules=draw_rules(),
                  params=DrawParams(scope="within_department", group_count=1),
                  inspectors=people, experts=[])
    triggers = {"T-AQS2": ("AQS", "AQS-2"), "T-AQS2b": ("AQS", "AQS-2")}
    return make_bundle(result, units=units_object(TREE, triggers))


def test_a_bundle_with_units_verifies_and_a_forged_trigger_does_not() -> None:
    import copy

    from shuangsuiji.kernel import verify_bundle

    bundle = units_bundle()
    excluded = bundle["pool"]["excluded"]  # type: ignore[index]
    assert {r[3] for r in excluded} == {"T-AQS2", "T-AQS2b"}  # not T-DZS
    assert sorted(bundle["result"]["eligible_inspectors"]) == [  # type: ignore[index]
        "P000", "P001", "P004", "P005"]  # 本司局内: not the subordinate authority, not DZS
    assert verify_bundle(bundle).ok, str(verify_bundle(bundle))
    forged = copy.deepcopy(bundle)
    forged["units"]["triggers"][0][1:] = ["DZS", "DZS-1"]  # type: ignore[index]
    report = verify_bundle(forged)
    assert not report.ok and report.path == "pool.excluded[0]", str(report)
    assert "第十条第二款" in str(report)
