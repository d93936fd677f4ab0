"""Participants of a joint task on the organisation tree (issue #15 item 4): each is a unit
of the tree, none below another; a participant's inspectors are those of its unit and the
units below it, and the draw takes a quota of each (MIIT 第十条第二款: 职能司局内不同处室…
采取联合抽查的方式一次性查完)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from shuangsuiji.demo.orgs import TREES
from shuangsuiji.errors import UserError
from shuangsuiji.platform import Platform
from shuangsuiji.services import draws, joint, units
from shuangsuiji.services import tenants as tenant_service

DEPT, OWN, OTHER = "信息通信管理局", "安全生产处", "电子信息处"


@pytest.fixture
def task(platform: Platform, make_task: Callable[..., str]) -> str:
    make_task("miit", "T-SETUP", item_codes=["SX-001"], starts_on=date(2026, 1, 5),
              ends_on=date(2026, 1, 30))
    with platform.db.session() as s:
        s.info["tenant_id"] = tenant_service.get(s, "miit").id
        units.replace_tree(s, TREES["miit"], actor="test")
        s.commit()
    return make_task("miit", "T-JT", department="", division=OTHER,
                     item_codes=["SX-001", "SX-002"], ratio_permille=30, group_count=1)


def _plan(platform: Platform, code: str, plans: list[joint.ParticipantPlan]) -> object:
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "miit")
        s.info["tenant_id"] = tenant.id
        out = joint.plan(s, tenant, code, plans)
        s.commit()
        return out


@pytest.mark.parametrize(("plans", "match"), [
    ([joint.ParticipantPlan(OTHER, ("SX-001",)), joint.ParticipantPlan("不存在的处", ("SX-002",))],
     "not a unit of the organisation tree"),
    ([joint.ParticipantPlan(OTHER, ("SX-001",)), joint.ParticipantPlan(DEPT, ("SX-002",))],
     f"{OTHER} is a unit of participant {DEPT}"),
])
def test_participants_must_be_units_side_by_side(
    platform: Platform, task: str, plans: list[joint.ParticipantPlan], match: str,
) -> None:
    with pytest.raises(UserError, match=match):
        _plan(platform, task, plans)


def test_the_units_below_a_participant_bring_their_inspectors(
    platform: Platform, task: str,
) -> None:
    """The 司局 电子信息司 has no inspectors of its own here: its participant is short and
    named; 电子信息处 and 信息通信管理局's other 处室 side by side are drawn."""
    _plan(platform, task, [joint.ParticipantPlan(OTHER, ("SX-001",)),
                           joint.ParticipantPlan("电子信息司", ("SX-002",))])
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "miit")
        s.info["tenant_id"] = tenant.id
        with pytest.raises(UserError, match=r"电子信息司.*0 eligible"):
            draws.prepare(s, platform, tenant, task)
        found = {p.code: p.units for p in joint.kernel_participants(s, joint.get_task(s, task))}
    assert found["电子信息司"] == ("电子信息司", "电子信息司综合处")
