"""The public results page a page at a time (the CSV and JSON keep every row)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from flask.testing import FlaskClient

from shuangsuiji.db import audit_guard, set_tenant
from shuangsuiji.models.inspections import Publication, PublishedResult
from shuangsuiji.platform import Platform
from shuangsuiji.services import audit
from shuangsuiji.web import portal
from tests.web.conftest import TenantWorld


def _publish_by_hand(platform: Platform, world: TenantWorld, count: int) -> list[str]:
    with platform.db.session() as s:
        set_tenant(s, world.tenant_id)
        with audit_guard.unaudited(s, "test fixture: published results written by hand"):
            pub = Publication(task_id=world.task_id, published_at=datetime.now(UTC),
                              published_on=date(2026, 6, 10), work_ended_on=date(2026, 5, 29),
                              due_on=date(2026, 6, 19), working_days=8, on_time=True,
                              per_target_results=True, deadline_cite="test", rules_pack="miit",
                              rules_version="test", actor="test")
            s.add(pub)
            s.flush()
            codes = [f"91500103{n:09d}X" for n in range(count)]
            for code in codes:
                s.add(PublishedResult(publication_id=pub.id, task_id=world.task_id,
                                      item_code=world.item_code, credit_code=code,
                                      target_name=f"测试企业{code[-4:]}", result="no_problem",
                                      problem_found=False, inspected_on=date(2026, 5, 1)))
            audit.record(s, tenant_id=world.tenant_id, action="test.publish",
                         object_type="task", object_id=world.task_id)
            s.commit()
    return codes


def test_results_page_is_paged_and_files_have_every_row(
        platform: Platform, world: dict[str, TenantWorld],
        client_for: Callable[[str | None], FlaskClient],
        monkeypatch: pytest.MonkeyPatch) -> None:
    codes = _publish_by_hand(platform, world["chongqing"], 5)
    monkeypatch.setattr(portal, "RESULTS_PAGE", 2)
    public = client_for(None)
    shown = []
    for page in (1, 2, 3):
        html = public.get(f"/p/chongqing/results?page={page}").get_data(as_text=True)
        assert f"第 {page} 页，共 3 页" in html
        shown += re.findall(r'<code class="uscc">([0-9A-Z]{18})</code>', html)
    assert shown == codes
    assert public.get("/p/chongqing/results?page=99").status_code == 200
    csv = public.get("/p/chongqing/results.csv").get_data(as_text=True)
    assert all(code in csv for code in codes)
    found = public.get("/p/chongqing/results", query_string={"q": codes[3][:18]})
    assert re.findall(r'<code class="uscc">([0-9A-Z]{18})</code>', found.get_data(as_text=True)) \
        == [codes[3]]
