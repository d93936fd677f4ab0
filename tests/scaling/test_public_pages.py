"""The public draw page a page at a time: small whatever the draw's size, searchable by
credit code or name, each page its own cache entry."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from shuangsuiji.db import set_tenant
from shuangsuiji.models.directories import Target
from shuangsuiji.models.draws import DrawSelection
from shuangsuiji.platform import Platform
from shuangsuiji.services import selection_pages
from tests.web.conftest import TenantWorld


def _items(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<li value="(\d+)">[^<]*<code class="uscc">([0-9A-Z]{18})</code>', html)


def test_draw_page_is_paged_and_searchable(app: Flask, platform: Platform,
                                           world: dict[str, TenantWorld],
                                           client_for: Callable[[str | None], FlaskClient],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    cq = world["chongqing"]
    draw_id = cq.require_draw()
    with platform.db.session() as s:
        set_tenant(s, cq.tenant_id)
        drawn = s.execute(select(DrawSelection.credit_code, Target.name)
                          .join(Target, Target.id == DrawSelection.target_id)
                          .where(DrawSelection.draw_id == draw_id)
                          .order_by(DrawSelection.position)).all()
    assert len(drawn) >= 3
    monkeypatch.setattr(selection_pages, "PAGE_SIZE", 2)
    public = client_for(None)
    url = f"/p/chongqing/draws/{draw_id}"
    first = public.get(url).get_data(as_text=True)
    assert _items(first) == [("1", drawn[0][0]), ("2", drawn[1][0])]
    assert drawn[0][1] in first  # the name beside the code
    pages = (len(drawn) + 1) // 2
    assert f"第 1 页，共 {pages} 页" in first and 'rel="next"' in first
    second = public.get(url + "?page=2").get_data(as_text=True)
    assert _items(second)[0] == ("3", drawn[2][0]) and 'rel="prev"' in second
    # out of range: the last page, not an error
    assert public.get(url + "?page=999").status_code == 200
    assert public.get(url + "?page=x").status_code == 200
    # by the beginning of a credit code, by part of a name
    code, name = drawn[-1]
    found = public.get(url, query_string={"q": code[:16].lower()}).get_data(as_text=True)
    assert (code in [c for _, c in _items(found)]) and "相符" in found
    by_name = public.get(url, query_string={"q": name[2:6]}).get_data(as_text=True)
    assert code in [c for _, c in _items(by_name)]
    nothing = public.get(url, query_string={"q": "%"}).get_data(as_text=True)
    assert _items(nothing) == [] and "有 0 个" in nothing


def test_a_search_is_paged_in_draw_order(platform: Platform,
                                         world: dict[str, TenantWorld]) -> None:
    """A search matching more rows than a page: its count is every match, and page 2 holds
    the next matches in the order drawn (positions kept), not page 2 of the whole draw."""
    cq = world["chongqing"]
    draw_id = cq.require_draw()
    with platform.db.session() as s:
        set_tenant(s, cq.tenant_id)
        drawn = s.execute(select(DrawSelection.position, DrawSelection.credit_code)
                          .where(DrawSelection.draw_id == draw_id)
                          .order_by(DrawSelection.position)).all()
        # every credit code starts with a registration-authority digit; pick the commonest
        first = max({c[0] for _, c in drawn}, key=lambda d: sum(c[0] == d for _, c in drawn))
        expected = [(p, c) for p, c in drawn if c.startswith(first)]
        assert len(expected) >= 3
        one = selection_pages.selection_page(s, draw_id, query=first, size=2)
        two = selection_pages.selection_page(s, draw_id, query=first, page=2, size=2)
        last = selection_pages.selection_page(s, draw_id, query=first, page=99, size=2)
    assert one.total == two.total == len(expected)
    assert one.pages == (len(expected) + 1) // 2
    assert [(r.position, r.credit_code) for r in one.rows] == expected[:2]
    assert [(r.position, r.credit_code) for r in two.rows] == expected[2:4]
    assert last.page == one.pages and [r.credit_code for r in last.rows] == \
        [c for _, c in expected[(one.pages - 1) * 2:]]
