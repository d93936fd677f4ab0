"""CQ 第十条第一款: "在同一年度内因同一事项对同一检查对象的抽查次数，原则上不超过1次。国家及
我市另有规定的，从其规定" (issue #14 point 5). A recorded provision changes the frequency rule
for its items while in force, and each draw under it cites the provision."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from shuangsuiji.errors import UserError
from shuangsuiji.platform import Platform
from shuangsuiji.services import draws, provisions
from shuangsuiji.services import tenants as tenant_service

SEED = "dice 4-4-1-3-6-2"


def _draw(platform: Platform, code: str):  # type: ignore[no-untyped-def]
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "chongqing")
        s.info["tenant_id"] = tenant.id
        record = draws.draw(s, platform, tenant, code, seed=SEED)
        s.commit()
        return record


def _provision(platform: Platform, **kw: object) -> None:
    with platform.db.session() as s:
        s.info["tenant_id"] = tenant_service.get(s, "chongqing").id
        provisions.record(s, actor="admin", **kw)  # type: ignore[arg-type]
        s.commit()


def test_cq_art_10_1_a_provision_for_the_items_replaces_once_a_year_and_is_cited(
    platform: Platform, make_task: Callable[..., str],
) -> None:
    first = make_task("chongqing", "T-Q2", ratio_permille=1000, item_codes=["SX-003"],
                      group_count=1, starts_on=date(2026, 4, 1))
    _draw(platform, first)
    _provision(platform, document="渝府办发〔2026〕5号", article="第三条",
               item_codes=["SX-003"], effective=date(2026, 5, 1), frequency="每季度1次")
    # before the provision takes effect the once-a-year rule still excludes (the control)
    early = make_task("chongqing", "T-APR", ratio_permille=1000, item_codes=["SX-003"],
                      group_count=1, starts_on=date(2026, 4, 20))
    assert _draw(platform, early).excluded_count > 0
    later = make_task("chongqing", "T-Q3", ratio_permille=1000, item_codes=["SX-003"],
                      group_count=1, starts_on=date(2026, 7, 1), ends_on=date(2026, 8, 31))
    record = _draw(platform, later)
    assert record.excluded_count == 0
    with platform.db.session() as s:
        s.info["tenant_id"] = tenant_service.get(s, "chongqing").id
        bundle = draws.export_bundle(s, draws.live_draw(s, draws.find_task(s, later)))
    cite = bundle["pool_rules"]["exclusion_policy"]["cite"]
    assert (cite["version"], cite["article"]) == ("渝府办发〔2026〕5号", "第三条")


def test_a_task_mixing_covered_and_uncovered_items_is_refused_naming_the_provision(
    platform: Platform, make_task: Callable[..., str],
) -> None:
    make_task("chongqing", "T-SEED")
    _provision(platform, document="渝经信发〔2026〕8号", article="第二条",
               item_codes=["SX-003"], effective=date(2026, 1, 1))
    mixed = make_task("chongqing", "T-MIXED", item_codes=["SX-001", "SX-003"],
                      starts_on=date(2026, 6, 1), ends_on=date(2026, 6, 30))
    with pytest.raises(UserError, match="渝经信发〔2026〕8号 第二条"):
        _draw(platform, mixed)


def test_a_provision_needs_document_article_and_known_items(
    platform: Platform, make_task: Callable[..., str],
) -> None:
    make_task("chongqing", "T-SEED")
    with pytest.raises(UserError, match="article"):
        _provision(platform, document="X", article=" ", item_codes=["SX-003"],
                   effective=date(2026, 1, 1))
    with pytest.raises(UserError, match="NOPE"):
        _provision(platform, document="X", article="第一条", item_codes=["NOPE"],
                   effective=date(2026, 1, 1))
