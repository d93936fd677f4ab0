"""Once a year across joint tasks hosted by a third tenant (issue #15 leftovers).

MIIT/CQ 第十条第一款: "在同一年度内因同一事项对同一检查对象的抽查次数，原则上不超过1次". Jiangbei
brings its item SX-001 to a joint task of Shapingba (the host: the task, its participants
and its draw's selections are Shapingba's rows). Every target that draw selected was
inspected by Jiangbei for SX-001 that year: Jiangbei's later draws — its own tasks, and
its part of a joint task hosted by Yuzhong — must see it in Jiangbei's history, the
trigger named ``shapingba/T-SPB``; its other item, a task starting before the joint one, a
voided joint draw, and Shapingba's own item do not count for Jiangbei. The joint task is of
no 司局 of Jiangbei: never a same-quarter trigger (MIIT 第十条第二款).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from shuangsuiji import kernel
from shuangsuiji.kernel import verify_bundle
from shuangsuiji.models.draws import Draw
from shuangsuiji.platform import Platform
from shuangsuiji.services import draws, joint, joint_tenants
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.services.draws.reading import load_history
from shuangsuiji.services.lifecycle import drawn_targets
from tests.draws.test_joint_tenants import GUEST, SEED, UNIT, _in
from tests.draws.test_joint_tenants import two as two  # the fixture
from tests.kernel.builders import pool_rules, targets, task

THIRD = "shapingba"
JOINT = f"{THIRD}/T-SPB"


@pytest.fixture
def hosted(platform: Platform, two: Callable[..., str], make_task: Callable[..., str]
           ) -> Callable[..., list[str]]:
    """Shapingba, a third district under Chongqing; returns a maker of joint tasks hosted
    by ``host`` with Jiangbei bringing ``items``, accepted and drawn: their targets."""
    with platform.db.session() as s:
        tenant_service.create(s, platform, slug=THIRD, name="沙坪坝区经济和信息化委员会",
                              pack=None, parent="chongqing", level="district")
        s.commit()

    def make(host: str = THIRD, code: str = "T-SPB", items: tuple[str, ...] = ("SX-001",),
             starts_on: date = date(2026, 4, 1), draw: bool = True) -> list[str]:
        make_task(host, code, item_codes=["SX-001"], ratio_permille=100, group_count=2,
                  starts_on=starts_on)
        _in(platform, host, lambda s, t: joint.plan(s, t, code, [
            joint.ParticipantPlan(UNIT, ("SX-001",)),
            joint.ParticipantPlan("@" + GUEST, items, 1)], platform))
        _in(platform, GUEST, lambda s, t: joint_tenants.answer(
            s, t, code, accept=True, actor="江北区", host_slug=host))
        if not draw:
            return []
        _in(platform, host, lambda s, t: draws.draw(s, platform, t, code, seed=SEED))
        return _in(platform, host, lambda s, t: [  # type: ignore[no-any-return]
            d.credit_code for d in drawn_targets(s, joint.get_task(s, code))])

    return make


def _excluded_by(platform: Platform, slug: str, code: str, trigger: str) -> dict[str, str]:
    pool = _in(platform, slug, lambda s, t: draws.prepare(s, platform, t, code).pool)
    return {e.credit_code: e.rule_code for e in pool.excluded if e.trigger_task_id == trigger}


def test_the_other_tenants_later_draw_sees_its_inspection_in_a_third_tenants_joint_task(
    platform: Platform, hosted: Callable[..., list[str]], make_task: Callable[..., str],
) -> None:
    drawn = hosted()
    assert drawn
    later = make_task(GUEST, "T-JB-LATER", item_codes=["SX-001"], starts_on=date(2026, 5, 4))
    by_joint = _excluded_by(platform, GUEST, later, JOINT)
    # every unflagged target of Shapingba's draw (flagged ones are exempt, CQ 第十条第二款)
    assert by_joint and set(by_joint) <= set(drawn) and len(by_joint) > len(drawn) // 2
    assert set(by_joint.values()) == {"once_per_year"}
    # the other side of the line: its other item, and a task that starts before the joint one
    other = make_task(GUEST, "T-JB-SX2", item_codes=["SX-002"], starts_on=date(2026, 5, 4))
    assert _excluded_by(platform, GUEST, other, JOINT) == {}
    before = make_task(GUEST, "T-JB-MARCH", item_codes=["SX-001"], starts_on=date(2026, 3, 16))
    assert _excluded_by(platform, GUEST, before, JOINT) == {}
    # the host's own history is unchanged: its own task, not <slug>/<code>
    own = _in(platform, THIRD, lambda s, t: [r.task_id for r in load_history(
        s, date(2026, 1, 1), date(2026, 12, 31), -1)])
    assert own == ["T-SPB"]


def test_a_voided_joint_draw_and_the_hosts_own_item_do_not_count(
    platform: Platform, hosted: Callable[..., list[str]], make_task: Callable[..., str],
) -> None:
    """Jiangbei brings SX-002 to the joint task: Shapingba's SX-001 there is Shapingba's
    item, not Jiangbei's; and once the draw is voided, nothing of it counts."""
    hosted(items=("SX-002",))
    sx1 = make_task(GUEST, "T-JB-SX1", item_codes=["SX-001"], starts_on=date(2026, 5, 4))
    assert _excluded_by(platform, GUEST, sx1, JOINT) == {}
    sx2 = make_task(GUEST, "T-JB-SX2", item_codes=["SX-002"], starts_on=date(2026, 5, 4))
    assert _excluded_by(platform, GUEST, sx2, JOINT)

    def void(s: Any, t: Any) -> None:
        record = s.scalar(select(Draw).where(Draw.task_id == joint.get_task(s, "T-SPB").id))
        draws.void(s, t, record.id, "抽取时名录库有误")

    _in(platform, THIRD, void)
    assert _excluded_by(platform, GUEST, sx2, JOINT) == {}


def test_a_refused_or_unanswered_invitation_is_no_inspection(
    platform: Platform, hosted: Callable[..., list[str]], make_task: Callable[..., str],
) -> None:
    """Only a joint task Jiangbei accepted and that was drawn counts: an invitation it has
    not answered yet (so the task cannot be drawn) is nothing in its history."""
    hosted(draw=False)
    history = _in(platform, GUEST, lambda s, t: [r.task_id for r in load_history(
        s, date(2026, 1, 1), date(2026, 12, 31), -1)])
    assert JOINT not in history


def test_its_part_of_another_joint_task_sees_it_and_the_bundle_verifies(
    platform: Platform, hosted: Callable[..., list[str]],
) -> None:
    """Yuzhong hosts a later joint task with Jiangbei's SX-001: Jiangbei's history read for
    it (in Jiangbei's own scope) holds its part of Shapingba's task; the excluded rows name
    it as ``jiangbei/shapingba/T-SPB`` (Jiangbei's inspection in Shapingba's task), the pool
    digest covers them, and the bundle verifies."""
    drawn = hosted()
    hosted(host="yuzhong", code="T-YZ", starts_on=date(2026, 5, 4), draw=False)
    trigger = joint_tenants.joint_code(GUEST, JOINT)
    by_joint = _excluded_by(platform, "yuzhong", "T-YZ", trigger)
    assert by_joint and set(by_joint) <= set(drawn)
    assert set(by_joint.values()) == {"once_per_year"}
    _in(platform, "yuzhong", lambda s, t: draws.draw(s, platform, t, "T-YZ", seed=SEED))

    def bundle(s: Any, t: Any) -> dict[str, Any]:
        record = s.scalar(select(Draw).where(Draw.task_id == joint.get_task(s, "T-YZ").id))
        return copy.deepcopy(draws.full_bundle(record))

    made = _in(platform, "yuzhong", bundle)
    rows = [r for r in made["pool"]["excluded"] if r[3] == trigger]
    assert {r[0] for r in rows} == set(by_joint)
    assert verify_bundle(made).ok
    # the joint task being drawn is not an earlier inspection of its own participants
    assert not any(r[3] and r[3].endswith("/T-YZ") for r in made["pool"]["excluded"])


def test_its_inspection_in_the_third_tenants_task_is_of_no_division_of_its_own(
    platform: Platform, hosted: Callable[..., list[str]],
) -> None:
    """The record in Jiangbei's history: its own item code, the host's slug as 司局 (never
    empty, which the kernel would read as the task's own 司局)."""
    drawn = hosted()
    found = _in(platform, GUEST, lambda s, t: [r for r in load_history(
        s, date(2026, 1, 1), date(2026, 12, 31), -1) if r.task_id == JOINT])
    assert len(found) == 1
    record = found[0]
    assert (record.item_codes, record.department, record.date) == (
        ("SX-001",), THIRD, date(2026, 4, 1))
    assert record.division.startswith(f"{THIRD}/") and sorted(record.credit_codes) == \
        sorted(drawn)


def test_the_kernel_excludes_it_once_a_year_but_never_as_the_same_quarter() -> None:
    """MIIT 第十条: a task of 司局 D1 / 处室 DIV-1 in the same quarter as the joint task. For
    the joint task's item the once-a-year rule excludes; for another item nothing does,
    though the same-quarter rule is on: the joint task is of no 处室 of D1."""
    pool_of = targets(4)
    seen = kernel.TaskInspections(JOINT, ("ITEM-A",), date(2025, 4, 1), f"{THIRD}/综合执法处",
                                  "completed", [pool_of[0].credit_code], THIRD)
    for items, rule in ((("ITEM-A",), "once_per_year"), (("ITEM-B",), None)):
        frozen = kernel.freeze_pool(pool_of, [seen], task(item_codes=items),
                                    kernel.Sampling(500), pool_rules())
        assert [(e.rule_code, e.trigger_task_id) for e in frozen.excluded] == (
            [(rule, JOINT)] if rule else [])
    # without the host's slug as its 司局 the same record would read as D1's (§3.1)
    unknown = kernel.TaskInspections(JOINT, ("ITEM-A",), date(2025, 4, 1), "X", "completed",
                                     [pool_of[0].credit_code], "")
    frozen = kernel.freeze_pool(pool_of, [unknown], task(item_codes=("ITEM-B",)),
                                kernel.Sampling(500), pool_rules())
    assert [e.rule_code for e in frozen.excluded] == ["same_quarter_other_divisions"]
