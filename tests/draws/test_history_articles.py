"""The history the draw service hands the kernel, article by article (issue #14, points 1
and 12): special work is outside the 办法, and exclusions look back from the start."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from shuangsuiji.models.draws import Draw
from shuangsuiji.platform import Platform
from shuangsuiji.services import draws
from shuangsuiji.services import tenants as tenant_service

SEED = "dice 6-1-4-2-5-3"


def _draw(platform: Platform, slug: str, task: str) -> Draw:
    with platform.db.session() as s:
        tenant = tenant_service.get(s, slug)
        s.info["tenant_id"] = tenant.id
        record = draws.draw(s, platform, tenant, task, seed=SEED)
        s.commit()
        return record


def test_special_inspection_is_outside_the_rules_miit_art_19_3(
    platform: Platform, make_task: Callable[..., str],
) -> None:
    """MIIT 第十九条第三款: 需要实施专项检查或者拉网式检查的，不适用本办法 — a dragnet
    inspection of every target for an item does not exclude them from that item's random
    draw later in the year (once a year, 第十条第一款)."""
    dragnet = make_task("miit", "T-DRAGNET", special=True, special_trigger="complaint",
                        ratio_permille=1000, starts_on=date(2026, 3, 2))
    assert _draw(platform, "miit", dragnet).selected_count == 300
    regular = make_task("miit", "T-RANDOM", starts_on=date(2026, 4, 1))
    record = _draw(platform, "miit", regular)
    assert record.excluded_count == 0 and record.pool_size == 300


def test_special_inspection_is_outside_the_rules_cq_art_17_2(
    platform: Platform, make_task: Callable[..., str],
) -> None:
    """CQ 第十七条第二款: 上级机关交办…需要实施专项检查…的，不适用本办法 — nor does it
    count for the same-quarter or any other rule of a later random task."""
    special = make_task("chongqing", "T-ASSIGNED", special=True,
                        special_trigger="assigned_from_above", ratio_permille=1000,
                        item_codes=["SX-003"], group_count=1, starts_on=date(2026, 4, 1))
    _draw(platform, "chongqing", special)
    regular = make_task("chongqing", "T-LATER", ratio_permille=1000, item_codes=["SX-003"],
                        group_count=1, starts_on=date(2026, 4, 2))
    assert _draw(platform, "chongqing", regular).excluded_count == 0
    # the same work as a random task would have excluded all of them (the control)
    random_first = make_task("chongqing", "T-RANDOM-1", ratio_permille=1000,
                             item_codes=["SX-003"], group_count=1, starts_on=date(2026, 4, 3))
    _draw(platform, "chongqing", random_first)
    random_second = make_task("chongqing", "T-RANDOM-2", ratio_permille=1000,
                              item_codes=["SX-003"], group_count=1,
                              starts_on=date(2026, 4, 6))
    assert _draw(platform, "chongqing", random_second).excluded_count > 0


def test_a_task_planned_later_and_drawn_first_excludes_nobody_earlier(
    platform: Platform, make_task: Callable[..., str],
) -> None:
    """MIIT 第十条第一款 counts inspections already made in the year: a September task,
    drawn first, does not take targets from a January task's pool; the January task's
    inspections do exclude from the September one."""
    september = make_task("miit", "T-SEP", ratio_permille=1000, group_count=1,
                          starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 30))
    _draw(platform, "miit", september)
    january = make_task("miit", "T-JAN", ratio_permille=1000, group_count=1,
                        starts_on=date(2026, 1, 15), ends_on=date(2026, 2, 27))
    assert _draw(platform, "miit", january).excluded_count == 0
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "miit")
        s.info["tenant_id"] = tenant.id
        again = draws.prepare(s, platform, tenant, "T-SEP").pool
    assert {e.trigger_task_id for e in again.excluded} == {"T-JAN"}
