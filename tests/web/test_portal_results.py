"""The public portal's results at scale (issue #16 item 6): paged, filtered by task, item,
result and name or credit code, newest publication first; 最新公示 newest first with every
entry a link; the draw time shown once; credit codes that never break mid-code."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from shuangsuiji.db import audit_guard, set_tenant
from shuangsuiji.models.inspections import Publication, PublishedResult
from shuangsuiji.models.plans import Task
from shuangsuiji.platform import Platform
from shuangsuiji.services import audit
from shuangsuiji.web import portal
from tests.web.conftest import TenantWorld

SHOWN = re.compile(r'<code class="uscc">([0-9A-Z]{18})</code>')


def publish_by_hand(platform: Platform, world: TenantWorld, *, code: str, title: str,
                    on: date, rows: list[tuple[str, str, str]]) -> None:
    """A published task ``code`` with results (credit code, name, result) written by hand."""
    with platform.db.session() as s:
        set_tenant(s, world.tenant_id)
        with audit_guard.unaudited(s, "test fixture: published results written by hand"):
            task = s.scalar(select(Task).where(Task.code == code))
            if task is None:
                base = s.scalar(select(Task).where(Task.id == world.task_id))
                assert base is not None
                task = Task(plan_id=base.plan_id, code=code, title=title,
                            department=base.department,
                            starts_on=base.starts_on, ends_on=base.ends_on,
                            methods=base.methods, ratio_permille=base.ratio_permille,
                            group_count=base.group_count, status="published",
                            rules_pack=base.rules_pack, rules_version=base.rules_version)
                s.add(task)
                s.flush()
            at = datetime.combine(on, datetime.min.time(), UTC)
            pub = Publication(task_id=task.id, published_at=at,
                              published_on=on, work_ended_on=date(2026, 5, 29),
                              due_on=date(2026, 6, 19), working_days=8, on_time=True,
                              per_target_results=True, deadline_cite="test", rules_pack="miit",
                              rules_version="test", actor="test",
                              summary={"targets": len(rows), "problems_found": 0})
            s.add(pub)
            s.flush()
            for credit_code, name, result in rows:
                s.add(PublishedResult(publication_id=pub.id, task_id=task.id,
                                      item_code=world.item_code, credit_code=credit_code,
                                      target_name=name, result=result,
                                      problem_found=result != "no_problem",
                                      inspected_on=date(2026, 5, 1)))
            audit.record(s, tenant_id=world.tenant_id, action="test.publish",
                         object_type="task", object_id=task.id)
            s.commit()


def _code(n: int) -> str:
    return f"91500103{n:09d}X"


@pytest.fixture
def published(platform: Platform, world: dict[str, TenantWorld]) -> TenantWorld:
    cq = world["chongqing"]
    publish_by_hand(platform, cq, code="CQ-OLD", title="较早的任务", on=date(2026, 6, 1),
                    rows=[(_code(n), f"旧企业{n}", "no_problem") for n in range(3)])
    publish_by_hand(platform, cq, code="CQ-NEW", title="最新的任务", on=date(2026, 7, 1),
                    rows=[(_code(10), "新企业甲", "problem_rectified"),
                          (_code(11), "新企业乙", "no_problem")])
    return cq


def test_results_newest_first_and_filtered(client_for: Callable[[str | None], FlaskClient],
                                          published: TenantWorld) -> None:
    public = client_for(None)
    html = public.get("/p/chongqing/results").get_data(as_text=True)
    assert SHOWN.findall(html) == [_code(10), _code(11), _code(0), _code(1), _code(2)]
    assert "新企业甲" in html
    by_task = public.get("/p/chongqing/results?task=CQ-OLD").get_data(as_text=True)
    assert SHOWN.findall(by_task) == [_code(0), _code(1), _code(2)]
    assert '<option value="CQ-OLD" selected>' in by_task
    by_result = public.get("/p/chongqing/results?result=problem_rectified").get_data(
        as_text=True)
    assert SHOWN.findall(by_result) == [_code(10)]
    assert "problem_rectified" not in by_result.split("<tbody>")[1]  # its label, not the code
    by_name = public.get("/p/chongqing/results", query_string={"q": "新企业乙"})
    assert SHOWN.findall(by_name.get_data(as_text=True)) == [_code(11)]
    by_code = public.get("/p/chongqing/results", query_string={"q": _code(1)[:17].lower(),
                                                               "task": "CQ-OLD"})
    assert SHOWN.findall(by_code.get_data(as_text=True)) == [_code(1)]
    by_item = public.get("/p/chongqing/results?item=NO-SUCH-ITEM").get_data(as_text=True)
    assert SHOWN.findall(by_item) == [] and "没有符合条件" in by_item
    short = public.get("/p/chongqing/results?q=x")
    assert short.status_code == 400 and "两个字" in short.get_data(as_text=True)


def test_results_are_paged_within_a_filter(client_for: Callable[[str | None], FlaskClient],
                                           published: TenantWorld,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(portal, "RESULTS_PAGE", 2)
    public = client_for(None)
    shown: list[str] = []
    for page in (1, 2):
        html = public.get(f"/p/chongqing/results?task=CQ-OLD&page={page}").get_data(
            as_text=True)
        assert f"第 {page} 页，共 2 页" in html
        shown += SHOWN.findall(html)
        if page == 1:  # the pager keeps the filter
            assert re.search(r'href="/p/chongqing/results\?[^"]*task=CQ-OLD', html)
    assert shown == [_code(0), _code(1), _code(2)]
    last = public.get("/p/chongqing/results?task=CQ-OLD&page=99").get_data(as_text=True)
    assert SHOWN.findall(last) == [_code(2)]


def test_recently_published_newest_first_each_a_link(
        client_for: Callable[[str | None], FlaskClient], published: TenantWorld) -> None:
    html = client_for(None).get("/p/chongqing/").get_data(as_text=True)
    block = html.split('id="recently-published"')[1].split("</ul>")[0]
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', block)
    assert [text for _href, text in links] == ["CQ-NEW 最新的任务", "CQ-OLD 较早的任务"]
    assert links[0][0] == "/p/chongqing/results?task=CQ-NEW"
    assert SHOWN.findall(client_for(None).get(links[0][0]).get_data(as_text=True)) == [
        _code(10), _code(11)]


def test_the_draw_time_is_shown_once(client_for: Callable[[str | None], FlaskClient],
                                     world: dict[str, TenantWorld]) -> None:
    cq = world["chongqing"]
    html = client_for(None).get(f"/p/chongqing/draws/{cq.require_draw()}").get_data(
        as_text=True)
    shown = html.split('id="drawn-at">')[1].split("</dd>")[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", shown.strip()), shown
    assert "年" not in shown  # not the long date as well


def test_the_check_a_draw_page_links_the_spec_and_the_verifier(
        client_for: Callable[[str | None], FlaskClient], world: dict[str, TenantWorld]) -> None:
    public = client_for(None)
    html = public.get("/p/chongqing/verify").get_data(as_text=True)
    assert 'href="/p/draw-spec.md"' in html and 'href="/p/ssj-verify.pyz"' in html
    spec = public.get("/p/draw-spec.md")
    assert spec.status_code == 200 and b"bundle" in spec.data


def test_the_public_api_filters_and_pages_results_as_the_portal_does(
        client_for: Callable[[str | None], FlaskClient], published: TenantWorld) -> None:
    public = client_for(None)
    url = "/api/v1/public/t/chongqing/results"

    def codes(**query: object) -> list[str]:
        response = public.get(url, query_string=query)
        assert response.status_code == 200, response.get_data(as_text=True)
        return [row["credit_code"] for row in response.json]

    assert codes() == [_code(10), _code(11), _code(0), _code(1), _code(2)]  # newest first
    assert codes(result="problem_rectified") == [_code(10)]
    assert codes(item=published.item_code, q="旧企业") == [_code(0), _code(1), _code(2)]
    assert codes(item="NO-SUCH-ITEM") == []
    paged = public.get(url, query_string={"q": "企业", "page": 2, "page_size": 2})
    assert [r["credit_code"] for r in paged.json] == [_code(0), _code(1)]
    assert json.loads(paged.headers["X-Pagination"])["total"] == 5
