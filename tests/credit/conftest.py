"""A province tenant (the example province, which declares classes D/C/B/A) with its
directories and a task, and class files built from its targets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select

from shuangsuiji.models.directories import Target, TargetFlag
from shuangsuiji.platform import Platform
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.services.credit_class_import import import_classes
from shuangsuiji.services.credit_classes import declared_for
from tests.draws.conftest import load_directories, make_task  # noqa: F401 (fixture)
from tests.web.conftest import users  # noqa: F401 (fixture)

HEADINGS = ["统一社会信用代码", "信用风险分类", "生效日期", "失效日期"]


@pytest.fixture
def example(platform: Platform, tenant_tree: dict[str, int]) -> str:
    if "example-province" not in platform.packs:
        pytest.skip("the example province pack is not installed")
    return "example"


def codes_of(platform: Platform, slug: str) -> tuple[list[str], set[str]]:
    """The tenant's credit codes (sorted) and those carrying a risk flag."""
    with platform.db.session() as s:
        tenant = tenant_service.get(s, slug)
        s.info["tenant_id"] = tenant.id
        codes = sorted(s.scalars(select(Target.credit_code)))
        flagged = set(s.scalars(select(Target.credit_code).join(
            TargetFlag, TargetFlag.target_id == Target.id)))
        return codes, flagged


def run_import(platform: Platform, slug: str, data: bytes, filename: str = "classes.csv",
               **kw: object) -> object:
    with platform.db.session() as s:
        tenant = tenant_service.get(s, slug)
        s.info["tenant_id"] = tenant.id
        report = import_classes(s, tenant.id, data, filename, declared_for(platform, tenant),
                                actor="test", **kw)  # type: ignore[arg-type]
        s.commit()
        return report


@pytest.fixture
def classed_task(platform: Platform, example: str,
                 make_task: Callable[..., str]) -> tuple[str, dict[str, str]]:  # noqa: F811
    """A task of 2026-04-01 in the example province, its targets given classes: the first 40
    D, the next 50 C, 60 B, 60 A; and 10 more whose D ended on 2026-03-01 and 10 whose D
    starts on 2026-05-01 (neither holds on the task's day). Returns (task code, code → class
    in force on 2026-04-01)."""
    from shuangsuiji.demo import generate as gen

    task = make_task(example)
    codes, _ = codes_of(platform, example)
    plan = ([("D", 40), ("C", 50), ("B", 60), ("A", 60)])
    rows, expected, at = [], {}, 0
    for klass, n in plan:
        for code in codes[at:at + n]:
            rows.append([code, klass, "2025-01-01", ""])
            expected[code] = klass
        at += n
    for code in codes[at:at + 10]:
        rows.append([code, "D", "2025年1月1日", "2026-03-01"])
    for code in codes[at + 10:at + 20]:
        rows.append([code, "D", "2026/5/1", ""])
    run_import(platform, example, gen.to_csv(HEADINGS, rows))
    return task, expected


__all__ = ["HEADINGS", "classed_task", "codes_of", "date", "example", "run_import"]
