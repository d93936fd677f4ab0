"""A tenant with directories imported from generated files, and a task ready to draw."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from shuangsuiji.demo import generate as gen
from shuangsuiji.models.plans import Task
from shuangsuiji.platform import Platform
from shuangsuiji.services import imports, plans
from shuangsuiji.services import items as item_service
from shuangsuiji.services import tenants as tenant_service

DEPARTMENTS = ("综合执法处", "电子信息处")


def load_directories(platform: Platform, slug: str, *, targets: int = 300, seed: int = 1) -> None:
    """Import items, targets, inspectors and experts through the real import path."""
    with platform.db.session() as s:
        tenant = tenant_service.get(s, slug)
        s.info["tenant_id"] = tenant.id
        cats = tuple(c.code for c in platform.policy_for(tenant).rules(date(2026, 3, 1))
                     .item_categories)
        files = {
            "items": gen.to_csv(gen.ITEM_HEADINGS, gen.item_rows(cats, DEPARTMENTS[0])),
            "targets": gen.to_csv(gen.TARGET_HEADINGS, gen.target_rows(targets, seed=seed)),
            "inspectors": gen.to_csv(gen.INSPECTOR_HEADINGS,
                                     gen.inspector_rows(16, DEPARTMENTS, seed=seed + 1)),
            "experts": gen.to_csv(gen.EXPERT_HEADINGS, gen.expert_rows(6, seed=seed + 2)),
        }
        for kind, data in files.items():
            imports.import_file(s, tenant, kind, data, f"{kind}.csv", actor="test",
                                today=date(2026, 3, 1))
        item_service.approve_and_publish(s, approver="委领导", approved_on=date(2026, 3, 1),
                                         document="渝经信发〔2026〕1号", actor="test")
        s.commit()


@pytest.fixture
def make_task(platform: Platform, tenant_tree: dict[str, int]) -> Callable[..., str]:
    """Create (once per tenant) the directories and a plan, then a task; return its code."""
    loaded: set[str] = set()

    def _make(slug: str, code: str = "T-2026-001", **overrides: object) -> str:
        if slug not in loaded:
            load_directories(platform, slug)
            with platform.db.session() as s:
                tenant = tenant_service.get(s, slug)
                s.info["tenant_id"] = tenant.id
                plans.create_plan(s, platform, tenant, 2026, title="2026年度抽查工作计划",
                                  made_on=date(2026, 2, 10))
                s.commit()
            loaded.add(slug)
        args: dict[str, object] = {
            "plan_year": 2026, "code": code, "title": "电信业务经营许可情况检查",
            "department": DEPARTMENTS[0], "item_codes": ["SX-001"],
            "starts_on": date(2026, 4, 1), "ends_on": date(2026, 5, 29),
            "methods": ["on_site"], "ratio_permille": 100, "group_count": 3,
            "inspector_scope": "across_departments",
        }
        args.update(overrides)
        with platform.db.session() as s:
            tenant = tenant_service.get(s, slug)
            s.info["tenant_id"] = tenant.id
            task: Task = plans.create_task(s, platform, tenant, **args)  # type: ignore[arg-type]
            s.commit()
            return task.code

    return _make
