"""A draw applies an extra exclusion limited to item categories only to tasks of them, and
the bundle lists the rules applied (docs/draw-spec.md §3.1, #19.4)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from flask import Flask

from shuangsuiji.platform import Platform
from shuangsuiji.services import plans
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji_provinces import BUNDLED, parse_province
from tests.conftest import builtin_packs, make_app
from tests.draws.test_draw_service import SEED, _bundle, _draw, _general

RULE = 'kind = "recently_inspected"\ndays = 180'


@pytest.fixture(params=["key", "general"])
def limited_to(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def app(database_url: str, tmp_path: Any, limited_to: str) -> Iterator[Flask]:
    """The example province, its 180-day rule limited to one item category."""
    text = (BUNDLED / "example-province.toml").read_text(encoding="utf-8")
    assert RULE in text
    variant = parse_province(text.replace(RULE, f'{RULE}\ncategories = ["{limited_to}"]'),
                             "example-province.toml")
    packs = [p for p in builtin_packs() if p.name != "example-province"] + [variant]
    application = make_app(database_url, str(tmp_path / "instance"), SSJ_PACKS=packs)
    yield application
    application.extensions["shuangsuiji"].db.dispose()


def test_category_limited_exclusion(platform: Platform, make_task: Callable[..., str],
                                    limited_to: str) -> None:
    # SX-001, the item of both tasks, is a key item (demo.generate.item_rows)
    make_task("example", "T-2026-APR")
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "example")
        s.info["tenant_id"] = tenant.id
        plans.create_plan(s, platform, tenant, 2025, title="2025年度抽查工作计划",
                          made_on=date(2025, 2, 10))
        plans.create_task(s, platform, tenant, plan_year=2025, code="T-2025-NOV",
                          title="电信业务经营许可情况检查", department="综合执法处",
                          item_codes=["SX-001"], starts_on=date(2025, 11, 3),
                          ends_on=date(2025, 11, 28), methods=["on_site"],
                          ratio_permille=100, group_count=3,
                          inspector_scope="across_departments")
        s.commit()
    drawn = set(_general(_draw(platform, "example", "T-2025-NOV", seed=SEED).bundle)["selected"])
    _draw(platform, "example", "T-2026-APR", seed=SEED)
    bundle = _bundle(platform, "example", "T-2026-APR")
    recent = {row[0] for row in bundle["pool"]["excluded"] if row[2] == "recently_inspected"}
    applied = [r["code"] for r in bundle["pool_rules"]["extra_exclusions"]]
    if limited_to == "key":  # the task's category: the rule applies
        assert drawn and drawn <= recent
        assert applied == ["recently_inspected"]
    else:  # a general-only rule does not touch a key-item task, and is not in its pool rules
        assert recent == set() and applied == []
