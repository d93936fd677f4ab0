"""联合抽查 is declared by the divisions taking part, never inferred from the number of items
(issue #14 point 2; MIIT 第十条第二款)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask

from shuangsuiji.errors import UserError
from shuangsuiji.platform import Platform
from shuangsuiji.services import draws
from shuangsuiji.services import tenants as tenant_service

SEED = "dice 2-2-5-1-6-3"


def _task(platform: Platform, slug: str, code: str):  # type: ignore[no-untyped-def]
    with platform.db.session() as s:
        s.info["tenant_id"] = tenant_service.get(s, slug).id
        task = draws.find_task(s, code)
        s.expunge(task)
        return task


def test_two_items_of_one_division_are_not_joint_miit_art_10_2(
    platform: Platform, make_task: Callable[..., str],
) -> None:
    """MIIT 第十条第二款: 职能司局内不同处室在同一季度内…采取联合抽查…；不能采取联合抽查的，
    …排除其他处室已抽查过的检查对象. One division inspecting two items is no joint inspection,
    so the targets another division inspected this quarter are left out of its pool."""
    other = make_task("miit", "T-OTHER-DIV", division="电子信息处", item_codes=["SX-003"],
                      ratio_permille=1000, group_count=1, starts_on=date(2026, 4, 1))
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "miit")
        s.info["tenant_id"] = tenant.id
        drawn = draws.draw(s, platform, tenant, other, seed=SEED).selected_count
        s.commit()
    two_items = make_task("miit", "T-TWO-ITEMS", division="综合执法处",
                          item_codes=["SX-001", "SX-002"], ratio_permille=100,
                          starts_on=date(2026, 4, 7))
    assert _task(platform, "miit", two_items).joint is False
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "miit")
        s.info["tenant_id"] = tenant.id
        pool = draws.prepare(s, platform, tenant, two_items).pool
    rules = {e.rule_code for e in pool.excluded}
    assert rules == {"same_quarter_other_divisions"} and drawn > 0
    # declared joint with the other division: the quarter rule gives way to the joint visit
    joint = make_task("miit", "T-JOINT", division="综合执法处", joint=True,
                      joint_divisions=["电子信息处"], item_codes=["SX-001", "SX-002"],
                      ratio_permille=100, starts_on=date(2026, 4, 8))
    task = _task(platform, "miit", joint)
    assert task.joint is True and task.joint_divisions == ["电子信息处"]
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "miit")
        s.info["tenant_id"] = tenant.id
        assert draws.prepare(s, platform, tenant, joint).pool.excluded == ()


def test_joint_declared_alone_is_refused_naming_the_participant(
    make_task: Callable[..., str],
) -> None:
    """A declaration with one participant is no joint inspection (MIIT 第十条第二款)."""
    with pytest.raises(UserError, match="at least two participants") as err:
        make_task("miit", "T-ALONE", division="综合执法处", joint=True,
                  joint_divisions=["综合执法处"], item_codes=["SX-001", "SX-002"])
    assert "综合执法处" in str(err.value)


def test_cli_declares_joint_with_the_divisions(
    app: Flask, platform: Platform, make_task: Callable[..., str],
) -> None:
    make_task("miit", "T-SEED")  # directories and the 2026 plan
    cli_runner = app.test_cli_runner()

    class _Runner:
        def invoke(self, _cli: object, args: list[str]):  # type: ignore[no-untyped-def]
            with app.app_context():
                return cli_runner.invoke(args=args)

    runner = _Runner()
    base = ["tasks", "create", "--tenant", "miit", "--plan-year", "2026", "--title", "联合检查",
            "--department", "综合执法处", "--division", "综合执法处", "--item", "SX-001",
            "--item", "SX-002", "--starts-on", "2026-05-06", "--ends-on", "2026-06-30",
            "--method", "on_site", "--ratio", "100"]
    made = runner.invoke(None, [*base, "--code", "T-CLI-J", "--joint",
                               "--joint-division", "电子信息处"])
    assert made.exit_code == 0, made.output
    plain = runner.invoke(None, [*base, "--code", "T-CLI-P"])
    assert plain.exit_code == 0, plain.output
    assert _task(platform, "miit", "T-CLI-J").joint is True
    assert _task(platform, "miit", "T-CLI-P").joint is False
    alone = runner.invoke(None, [*base, "--code", "T-CLI-A", "--joint"])
    assert alone.exit_code != 0 and "participants" in alone.output
    assert "Traceback" not in alone.output
