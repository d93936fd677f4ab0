"""The staff draw result page at scale: each group's card shows its first targets, a group's
whole list is paged and searchable, the recusal form takes a typed credit code when the draw
is too large to list, and the page never rebuilds the pool (issue 17 item 1).

The thresholds are made tiny here so the small test draw exercises the large-draw paths."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shuangsuiji import kernel
from shuangsuiji.db import set_tenant
from shuangsuiji.services import lifecycle, names, selection_pages
from shuangsuiji.web.staff import draws as draw_pages
from tests.web.conftest import TenantWorld


def _groups(app: Flask, w: TenantWorld) -> dict[int, list[str]]:
    with app.extensions["shuangsuiji"].db.session() as s:
        set_tenant(s, w.tenant_id)
        drawn = lifecycle.drawn_targets(s, lifecycle.get_task(s, w.task_id))
    by_group: dict[int, list[str]] = {}
    for t in drawn:
        assert t.group_no is not None
        by_group.setdefault(t.group_no, []).append(t.credit_code)
    return by_group


def _listed(page: str) -> list[str]:
    block = re.search(r'<ol class="targets" id="group-list">(.*?)</ol>', page, re.S)
    assert block is not None, "no paged group list"
    return re.findall(r'<code class="uscc">([0-9A-Z]{18})</code>', block.group(1))


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(draw_pages, "GROUP_PREVIEW", 1)
    monkeypatch.setattr(draw_pages, "LISTED_TARGETS", 1)
    monkeypatch.setattr(selection_pages, "PAGE_SIZE", 1)


def test_a_group_is_shown_a_page_at_a_time_and_searched(
    app: Flask, world: dict[str, TenantWorld], client_for: Callable[[str | None], FlaskClient],
    tiny: None,
) -> None:
    w = world["chongqing"]
    draw_id = w.require_draw()
    groups = _groups(app, w)
    number, codes = max(groups.items(), key=lambda kv: len(kv[1]))
    assert len(codes) >= 2, "the test draw needs a group of two targets"
    client = client_for("cq_operator")
    page = client.get(f"/t/chongqing/draws/{draw_id}").get_data(as_text=True)
    assert f"group={number}" in page  # the card links to the whole list
    assert 'id="group-list"' not in page  # no group chosen: no paged list

    seen = []
    for n in range(1, len(codes) + 1):
        paged = client.get(f"/t/chongqing/draws/{draw_id}?group={number}&page={n}")
        assert paged.status_code == 200
        seen += _listed(paged.get_data(as_text=True))
    assert sorted(seen) == sorted(codes)  # every target of the group once, across the pages

    last = codes[-1]
    found = client.get(f"/t/chongqing/draws/{draw_id}?group={number}&q={last[:17]}")
    assert _listed(found.get_data(as_text=True)) == [last]
    with app.extensions["shuangsuiji"].db.session() as s:
        set_tenant(s, w.tenant_id)
        name = names.target_names(s, [last])[last]
    by_name = client.get(f"/t/chongqing/draws/{draw_id}?group={number}&q={name}")
    assert last in _listed(by_name.get_data(as_text=True))
    other = next(c for g, cs in groups.items() if g != number for c in cs) if len(groups) > 1 \
        else None
    if other is not None:  # a target of another group is not found in this one
        miss = client.get(f"/t/chongqing/draws/{draw_id}?group={number}&q={other}")
        assert _listed(miss.get_data(as_text=True)) == []


def test_a_large_draw_takes_a_typed_credit_code_checked_against_its_targets(
    app: Flask, world: dict[str, TenantWorld], client_for: Callable[[str | None], FlaskClient],
    tiny: None,
) -> None:
    w = world["chongqing"]
    draw_id = w.require_draw()
    client = client_for("cq_operator")
    page = client.get(f"/t/chongqing/draws/{draw_id}").get_data(as_text=True)
    assert '<select id="credit_code"' not in page
    assert re.search(r'<input id="credit_code" name="credit_code" type="text"', page)
    person = re.search(r'<select id="person_id".*?<option[^>]*value="([^"]+)"', page, re.S)
    assert person is not None
    refused = client.post(f"/t/chongqing/draws/{draw_id}/recusals", data={
        "person_id": person.group(1), "credit_code": "91500000000000000X",
        "mode": "withdraw", "reason": "不在本次抽取中的企业"})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert 'aria-invalid="true"' in body and "不在本次抽取中的企业" in body  # kept, and why
    after = client.get(f"/t/chongqing/draws/{draw_id}").get_data(as_text=True)
    assert "<td>不在本次抽取中的企业" not in after  # nothing recorded


def test_the_page_reads_the_result_back_and_never_rebuilds_the_pool(
    app: Flask, world: dict[str, TenantWorld], client_for: Callable[[str | None], FlaskClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w = world["chongqing"]
    draw_id = w.require_draw()

    def rebuilt(*args: object, **kwargs: object) -> None:
        raise AssertionError("the result page rebuilt the draw from its pool")

    monkeypatch.setattr(kernel, "result_from_bundle", rebuilt)
    for who in ("cq_operator", "cq_inspector"):
        page = client_for(who).get(f"/t/chongqing/draws/{draw_id}")
        assert page.status_code == 200, who
    home = client_for("cq_inspector").get("/t/chongqing/")
    assert home.status_code == 200
