"""Chinese everywhere a person reads (issue #16 item 1): every code of the label table is
shown by its label, and a crawl of each role's pages in zh_CN finds no raw code."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shuangsuiji.web import labels
from tests.web.conftest import TenantWorld

# Tokens that look like codes: words of letters, digits, '_' and '.'; URLs and paths shown
# for copying (the log page's API addresses) are addresses, not codes.
TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_.]*")
ADDRESS = re.compile(r"\S*(?:://|/)\S*")
# Python's text of a value shown as it is: a dict or list repr, True/False/None.
REPR = re.compile(r"\{'|\['|\b(?:True|False|None)\b")
# A rules line or citation by its pack code (``chongqing 2021 第十四条``), not its document.
PACK_CODE = re.compile(r"\b(?:miit|chongqing|yuzhong|example) 20\d\d\b")


class _VisibleText(HTMLParser):
    """The text a person sees: no tags, attributes, scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def raw_codes(html: str) -> set[str]:
    """The label table's codes that appear as visible words of ``html``."""
    known = labels.codes()
    text = ADDRESS.sub(" ", visible_text(html))
    return {t.rstrip(".") for t in TOKEN.findall(text)} & known


def python_reprs(text: str) -> list[str]:
    """Bits of Python's text of a value in visible ``text`` (``{'code': 'key'}``, ``True``)."""
    return REPR.findall(ADDRESS.sub(" ", text)) + PACK_CODE.findall(text)


def test_python_reprs_are_found_by_the_check() -> None:  # the check itself can fail
    assert python_reprs(visible_text("<td>{'code': 'key', 'cap': None}</td><td>True</td>")) \
        == ["{'", "None", "True"]
    assert python_reprs(visible_text("<td>['on_site']</td>")) == ["['"]
    assert python_reprs("20 个工作日, chongqing 2021 第十四条") == ["chongqing 2021"]
    assert python_reprs(visible_text('<td title="True">是</td><p>重点检查事项</p>')) == []


def test_raw_codes_are_found_by_the_check() -> None:  # the check itself can fail
    assert raw_codes("<p>方式：on_site、bad_credit <b>draw.commit</b></p>") == {
        "on_site", "bad_credit", "draw.commit"}
    assert raw_codes('<p title="on_site">现场检查</p><script>x="on_site"</script>') == set()
    assert raw_codes("<pre>http://h/api/v1/public/t/cq/log</pre>") == set()


def _crawl(client: FlaskClient, starts: list[str], prefixes: tuple[str, ...],
           limit: int) -> dict[str, str]:
    """GET pages from ``starts`` following links under ``prefixes``; path → HTML."""
    seen: dict[str, str] = {}
    queue = list(starts)
    while queue and len(seen) < limit:
        path = queue.pop(0).split("#")[0]
        if path in seen or not path.startswith(prefixes):
            continue
        response = client.get(path, headers={"Accept-Language": "zh-CN"})
        if response.status_code != 200 or response.mimetype != "text/html":
            seen[path] = ""
            continue
        html = response.get_data(as_text=True)
        seen[path] = html
        links = _Links()
        links.feed(html)
        queue += [h for h in links.hrefs if h.startswith("/") and h not in seen]
    return seen


ROLES = ("cq_admin", "cq_operator", "cq_viewer", "cq_inspector", "central", None)


@pytest.mark.parametrize("username", ROLES)
def test_no_raw_code_on_a_roles_pages(client_for: Callable[[str | None], FlaskClient],
                                      world: dict[str, TenantWorld],
                                      username: str | None) -> None:
    client = client_for(username)
    cq = world["chongqing"]
    starts = ["/p/chongqing/", "/p/chongqing/items", "/p/chongqing/results"]
    if username is not None:
        starts = ["/t/chongqing/", "/t/chongqing/items", f"/t/chongqing/items/{cq.item_id}",
                  "/t/chongqing/audit", f"/t/chongqing/tasks/{cq.task_id}",
                  "/t/chongqing/items/new", *starts]
    if username == "central":
        starts = ["/central/packs/diff?left=miit&right=chongqing&on=2026-06-01", *starts]
    pages = _crawl(client, starts, ("/t/chongqing/", "/p/chongqing/", "/central"), limit=25)
    assert sum(1 for html in pages.values() if html) >= 3, sorted(pages)
    shown = {username}  # the header shows the user name ("central" is also a level's code)
    found = {path: sorted(raw_codes(html) - shown) for path, html in pages.items()
             if raw_codes(html) - shown}
    assert found == {}
    reprs = {path: python_reprs(visible_text(html)) for path, html in pages.items()
             if python_reprs(visible_text(html))}
    assert reprs == {}


def test_the_item_form_offers_methods_as_labelled_checkboxes(
        client_for: Callable[[str | None], FlaskClient], world: dict[str, TenantWorld]) -> None:
    client = client_for("cq_admin")
    page = client.get("/t/chongqing/items/new").get_data(as_text=True)
    assert 'type="checkbox"' in page and 'value="on_site"' in page
    assert "现场检查" in page
    assert "written, on_site" not in page  # the old hint listing codes


def test_the_public_results_csv_is_chinese_in_zh_cn(app: Flask,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    tenant_tree: dict[str, int]) -> None:
    from shuangsuiji.services import publication

    row = {"task_code": "CQ-1", "task_title": "检查", "item_code": "SX-001",
           "credit_code": "91500000MA5U000000", "target_name": "某公司",
           "result": "no_problem", "result_name": "未发现问题", "problem_found": False,
           "handling": "",
           "inspected_on": "2026-05-01", "published_on": "2026-05-20", "on_time": True}
    monkeypatch.setattr(publication, "export_json", lambda *_a, **_k: [row])
    client = app.test_client()
    zh = client.get("/p/chongqing/results.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(zh)))
    assert rows[0][:4] == ["任务编号", "抽查任务", "事项编码", "统一社会信用代码"]
    assert rows[0][6] == "检查结果类别（国家清单）"
    assert rows[1][5] == "未发现问题" and rows[1][7] == "否" and rows[1][11] == "是"
    client.set_cookie("ssj_lang", "en")
    en = client.get("/p/chongqing/results.csv").get_data(as_text=True).lstrip("\ufeff")
    # English: English headings and values (the codes stay in results.json)
    assert en.startswith("Task code,Task,Item code,Credit code") and "no_problem" not in en
    assert ",no," in en and ",yes" in en


def test_the_rules_line_names_the_pack_version(
        client_for: Callable[[str | None], FlaskClient], world: dict[str, TenantWorld]) -> None:
    page = client_for("cq_admin").get(
        f"/t/chongqing/tasks/{world['chongqing'].task_id}").get_data(as_text=True)
    assert "重庆市经济和信息化委员会“双随机、一公开”监管实施办法" in page
    assert "渝经信发〔2021〕6号" in page
    assert not re.search(r">\s*chongqing 20\d\d", page)
