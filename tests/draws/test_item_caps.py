"""Chongqing 第五条: caps and batch order are the item list's, per item (issue #14 point 3).

"一般检查事项针对一般监管领域，抽查比例应根据监管实际情况设置上限" — each general item's
cap is set on the item list, and no pack-wide ceiling overrides it; "重点检查事项…抽查比例高的，
可以通过随机抽取的方式确定检查批次顺序" — where a ratio is "high" is the item list's setting,
with a platform default where it sets none.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from shuangsuiji import kernel
from shuangsuiji.errors import UserError
from shuangsuiji.kernel import RuleRefused
from shuangsuiji.platform import Platform
from shuangsuiji.services import draws, items
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji_chongqing import BATCH_ORDER_DEFAULT_PERMILLE

SEED = "dice 5-5-2-1-4-6"


def _set(platform: Platform, code: str, **values: Any) -> None:
    with platform.db.session() as s:
        s.info["tenant_id"] = tenant_service.get(s, "chongqing").id
        item = items.get_item(s, code)
        fields = items.snapshot_of(item) | values
        items.save_item(s, fields, actor="test", note="第五条 setting")
        # the changed list is approved and published before use (MIIT 第五条, CQ 第四条)
        items.approve_and_publish(s, approver="委领导", approved_on=date(2026, 3, 2),
                                  document="渝经信发〔2026〕2号", actor="test")
        s.commit()


def _draw(platform: Platform, code: str) -> Any:
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "chongqing")
        s.info["tenant_id"] = tenant.id
        record = draws.draw(s, platform, tenant, code, seed=SEED)
        s.commit()
        return record


def test_cq_art_5_general_item_cap_is_the_items_own(
    platform: Platform, make_task: Callable[..., str],
) -> None:
    """第五条: a general item whose list sets a 30 % cap may be drawn at 25 %; the pack adds
    no ceiling of its own. Above the item's cap it is refused, citing 第五条."""
    make_task("chongqing", "T-SEED")  # directories and plan
    _set(platform, "SX-002", cap_permille=300)
    code = make_task("chongqing", "T-GENERAL-250", item_codes=["SX-002"], ratio_permille=250,
                     group_count=1)
    assert _draw(platform, code).selected_count >= 75  # ceil(300 × 250 / 1000)
    with pytest.raises(UserError, match=r"exceeds the cap of 300‰.*第五条"):
        make_task("chongqing", "T-GENERAL-310", item_codes=["SX-002"], ratio_permille=310)


def test_cq_art_5_batch_order_where_the_item_list_says_the_ratio_is_high(
    platform: Platform, make_task: Callable[..., str],
) -> None:
    """第五条: 抽查比例高的，可以…确定检查批次顺序. At 200‰ the default threshold refuses
    batches; once the item list says 150‰ is high for the item, the batch order is drawn."""
    assert BATCH_ORDER_DEFAULT_PERMILLE > 200
    code = make_task("chongqing", "T-KEY-200", item_codes=["SX-001"], ratio_permille=200,
                     batch_count=2, group_count=1)
    with pytest.raises(RuleRefused, match=f"from a ratio of {BATCH_ORDER_DEFAULT_PERMILLE}"):
        _draw(platform, code)
    _set(platform, "SX-001", batch_order_min_permille=150)
    _draw(platform, code)
    with platform.db.session() as s:
        s.info["tenant_id"] = tenant_service.get(s, "chongqing").id
        record = draws.live_draw(s, draws.find_task(s, code))
        assert record is not None
        assert len(record.bundle["result"]["batches"]) == 2
        report = kernel.verify_bundle(draws.export_bundle(s, record))
    assert report.ok, str(report)
