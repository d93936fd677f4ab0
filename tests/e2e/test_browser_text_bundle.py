"""The check-a-draw page reads the bundle's file form, ``shuangsuiji-draw/3`` (docs/draw-spec.md
§16), as the Python verifier does, in chromium.

A /3 file is the bundle without its pool as one line of JSON, then the pool's lines of §3.3
verbatim. The browser (``static/verify/text.js``) and ``kernel/bundletext.py`` must accept the
same files, with the same summary as the JSON bundle, and refuse every changed one at the same
path: each tampering of ``tests/kernel/test_bundle_text.py``, and more lines not of the form.
Then the page itself: a /3 file picked verifies, and a changed one is refused by its line.
"""

from __future__ import annotations

import base64
import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shuangsuiji.kernel import make_bundle, verify_bundle
from shuangsuiji.kernel.errors import BundleFormatError
from tests.e2e.conftest import Site, open_verifier
from tests.kernel import builders as b
from tests.kernel.test_bundle_text import (
    MAGIC,
    _file,
    _first_member,
    _lines,
    _named_pool,
    _read,
    as_text,
)
from tests.kernel.test_pool_blocks import _bundle

#: The page's verifier (``ui.checkText``) on files given as their bytes (base64), as the
#: page reads a picked file: for each, its outcome, the refused path, the status line shown
#: and the summary of a verified one.
VERIFY_BYTES_JS = """async (files) => {
  const ui = await import('/static/verify/ui.js');
  const out = [];
  for (const data of files) {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const r = await ui.checkText(bytes);
    const message = document.getElementById('bv-status').textContent;
    out.push({ok: r.ok, path: r.path || null, message, summary: r.summary || null});
  }
  return out;
}"""

#: The browser summary's names for Python's (``VerifyReport.summary``).
SUMMARY = {"task_id": "task", "pool_size": "size", "strata": "strata", "excluded": "excluded",
           "selected": "selected", "groups": "groups", "experts": "experts",
           "recusals": "recusals", "pool_digest": "digest", "draw_digest": "draw_digest",
           "format": "format"}


@pytest.fixture(scope="module")
def page(site: Site, browser: Any) -> Iterator[Any]:
    yield from open_verifier(site, browser)


@pytest.fixture(autouse=True)
def _on_the_verify_page(page: Any, site: Site) -> None:
    if not page.url.endswith("/p/chongqing/verify"):
        page.goto(site.url("/p/chongqing/verify"))
        page.wait_for_selector("#browser-verifier:not([hidden])")


@pytest.fixture(scope="module")
def drawn() -> tuple[dict[str, Any], Any]:
    """A v2 bundle of a pool with a risk stratum, flagged members, Chinese and accented
    names and three excluded targets, and the pool."""
    pool = _named_pool()
    return _bundle(pool), pool


def in_browser(page: Any, files: list[bytes]) -> list[dict[str, Any]]:
    return page.evaluate(VERIFY_BYTES_JS, [base64.b64encode(f).decode() for f in files])


def python_path(data: bytes) -> str | None:
    """Where the Python verifier refuses the /3 file ``data`` (None: it verifies)."""
    try:
        report = verify_bundle(_read(data))
    except BundleFormatError as e:
        return e.path
    return None if report.ok else report.path


def _summary(python: dict[str, Any]) -> dict[str, Any]:
    """Python's summary in the browser's names (Python's ``file``, the file form it read,
    has no counterpart there: the page shows the bundle's own format)."""
    return {SUMMARY[k]: v for k, v in python.items() if k != "file"}


def test_a_text_file_verifies_with_the_summary_of_python_and_of_its_json_bundle(
        page: Any, drawn: Any) -> None:
    bundle, pool = drawn
    data = as_text(bundle, pool)
    v1_result = b.small_result()
    v1 = make_bundle(v1_result)
    v1_data = as_text(v1, v1_result.pool)
    # any JSON without a raw LF is the bundle's line, not only the canonical one
    head, lines = _lines(data)
    spelt = json.dumps(json.loads(head), ensure_ascii=True, indent=None).encode()
    assert spelt != head
    files = [data, v1_data, _file(spelt, lines)]
    got = in_browser(page, files)
    # the same bundles as JSON, and the v1 file given to the page as a string
    as_json = page.evaluate("""async (texts) => {
      const ui = await import('/static/verify/ui.js');
      const out = [];
      for (const text of texts) {
        const r = await ui.checkText(text);
        out.push({summary: r.summary, message: document.getElementById('bv-status').textContent});
      }
      return out;
    }""", [json.dumps(bundle, ensure_ascii=False), json.dumps(v1, ensure_ascii=False),
           json.dumps(bundle, ensure_ascii=False), v1_data.decode()])
    for found, file, same in zip(got, files, as_json[:3], strict=True):
        python = verify_bundle(_read(file))
        assert python.ok, str(python)
        assert found["ok"], found["message"]
        assert found["summary"] == _summary(python.summary) == same["summary"]
        assert found["message"] == same["message"]
        assert found["message"].startswith("抽取数据包核验通过")
        assert python.summary["pool_digest"] in found["message"]
    assert got[0]["summary"]["format"] == "shuangsuiji-draw/2"
    assert got[0]["summary"]["strata"] == 2 and got[0]["summary"]["excluded"] == 3
    assert got[1]["summary"]["format"] == "shuangsuiji-draw/1"
    assert "格式 shuangsuiji-draw/1" in got[1]["message"]
    assert as_json[3] == {"summary": got[1]["summary"], "message": got[1]["message"]}


def kernel_cases(bundle: dict[str, Any], pool: Any) -> dict[str, tuple[bytes, str]]:
    """Every tampering of tests/kernel/test_bundle_text.py: name: (the /3 file, the path
    both verifiers must name; a trailing ``*``: a path starting so)."""
    head, lines = _lines(as_text(bundle, pool))
    cases: dict[str, tuple[bytes, str]] = {}

    def changed(name: str, path: str, change: Any) -> None:
        ls = list(lines)
        change(ls)
        cases[name] = (_file(head, ls), path)

    def nfd(ls: list[bytes]) -> None:
        i = next(j for j, line in enumerate(ls) if "Café".encode() in line)
        ls[i] = ls[i].replace("Café".encode(), unicodedata.normalize("NFD", "Café").encode())
    changed("a name not in NFC", "pool.strata[1].members[0][1]", nfd)

    def swap(ls: list[bytes]) -> None:
        i = next(j for j, line in enumerate(ls) if line.endswith(b"\tcomplaints,zz_other"))
        ls[i] = ls[i].replace(b"complaints,zz_other", b"zz_other,complaints")
    changed("flags out of order", "pool.strata[0].members[1][2][0]", swap)

    def pad(ls: list[bytes]) -> None:
        i = _first_member(ls, plain=True)
        ls[i] = ls[i][:-1] + b" \t"
    changed("a space at a name's edge", "pool.strata[1].members[0][1]", pad)

    def header(ls: list[bytes]) -> None:
        ls[1] = ls[1].replace(b'{"rules"', b'{ "rules"')
    changed("the header spelt otherwise", "pool line 2", header)

    def article(ls: list[bytes]) -> None:
        fields = ls[-1].split(b"\t")
        fields[4] = "第九十九条".encode()
        ls[-1] = b"\t".join(fields)
    changed("an excluded line's article not its rule's", f"pool line {len(lines)}", article)

    def rename(ls: list[bytes]) -> None:
        i = _first_member(ls, plain=True)
        ls[i] = ls[i][:-1] + b"X\t"
    changed("a member renamed", "digests.pool", rename)

    def move(ls: list[bytes]) -> None:
        j = _first_member(ls, plain=False)
        first, second = (k for k, line in enumerate(ls) if line.startswith(b"stratum\t"))
        for k, by in ((first, -1), (second, 1)):
            fields = ls[k].split(b"\t")
            fields[4] = b"%d" % (int(fields[4]) + by)
            ls[k] = b"\t".join(fields)
        ls.insert(second + 1, ls[j])
        del ls[j]
    changed("a risk member moved to the general stratum", "pool.strata[0]*", move)

    changed("another pool format", "pool line 1",
            lambda ls: ls.__setitem__(0, b"shuangsuiji-pool/2"))
    changed("a stratum line's tab a space", "pool line 3",
            lambda ls: ls.__setitem__(2, ls[2].replace(b"\t", b" ", 1)))
    changed("a member line with a fifth field", "pool line 5",
            lambda ls: ls.insert(4, ls[4] + b"\tmore"))
    changed("a short excluded line", f"pool line {len(lines) + 1}",
            lambda ls: ls.append(b"excluded\tX"))
    def twice(ls: list[bytes]) -> None:
        code = next(line for line in ls if line.startswith(b"excluded\t")).split(b"\t")[1]
        i = _first_member(ls, plain=True)
        ls[i] = b"member\t" + code + b"\t" + ls[i].split(b"\t")[2] + b"\t"
    changed("a member that is also excluded", "bundle", twice)
    cases["a key twice on the JSON line"] = (_file(head[:-1] + b',"seed":"other"}', lines),
                                             "bundle.seed")
    cases["a pool on the JSON line"] = (_file(head[:-1] + b',"pool":{}}', lines), "bundle.pool")
    cases["no final line feed"] = (_file(head, lines)[:-1], f"pool line {len(lines)}")
    cases["cut before the pool"] = (MAGIC + head, "bundle")
    return cases


def _agree(page: Any, cases: dict[str, tuple[bytes, str]]) -> list[dict[str, Any]]:
    """Both verifiers on every case: each refused, by both at the path given."""
    got = in_browser(page, [data for data, _ in cases.values()])
    found = {name: g["path"] for name, g in zip(cases, got, strict=True)}
    python = {name: python_path(data) for name, (data, _) in cases.items()}
    assert found == python
    for name, (_, path) in cases.items():
        if path.endswith("*"):
            assert python[name] is not None and python[name].startswith(path[:-1]), name
        else:
            assert python[name] == path, name
    assert not any(g["ok"] for g in got)
    return got


def test_every_tampering_of_the_kernel_tests_is_refused_by_both_at_the_same_path(
        page: Any, drawn: Any) -> None:
    cases = kernel_cases(*drawn)
    got = dict(zip(cases, _agree(page, cases), strict=True))
    message = {name: g["message"] for name, g in got.items()}
    assert all(m.startswith(("抽取数据包核验未通过", "不是 JSON 格式的抽取数据包"))
               for m in message.values()), message
    assert "不是其所描述抽取池的规范文本" in message["the header spelt otherwise"]
    assert '"{ \\"rules\\"' in message["the header spelt otherwise"]  # the line found
    assert "不是其所描述抽取池的规范文本" in message["an excluded line's article not its rule's"]
    assert "不是 UTF-8" not in message["a key twice on the JSON line"]
    assert "出现两次" in message["a key twice on the JSON line"]
    assert "不得含有 pool 字段" in message["a pool on the JSON line"]
    assert "最后一行没有换行符" in message["no final line feed"]
    assert "在抽取池各行之前就结束了" in message["cut before the pool"]
    assert "应为 excluded<TAB>" in message["a short excluded line"]
    assert "应为 member<TAB>" in message["a member line with a fifth field"]
    assert "应为 shuangsuiji-pool/1" in message["another pool format"]
    assert "在候选对象中出现两次" in message["a member that is also excluded"]


def more_cases(bundle: dict[str, Any], pool: Any) -> dict[str, tuple[bytes, str]]:
    """Lines not UTF-8, not of the form, or in the wrong place, and JSON lines refused."""
    head, lines = _lines(as_text(bundle, pool))
    n = len(lines)
    plain = _first_member(lines, plain=True)
    strata = [k for k, line in enumerate(lines) if line.startswith(b"stratum\t")]
    cases: dict[str, tuple[bytes, str]] = {}

    def changed(name: str, path: str, change: Any) -> None:
        ls = list(lines)
        change(ls)
        cases[name] = (_file(head, ls), path)

    changed("a member line not UTF-8", f"pool line {plain + 1}",
            lambda ls: ls.__setitem__(plain, ls[plain][:-1] + b"\xff\t"))
    changed("the header line not UTF-8", "pool line 2",
            lambda ls: ls.__setitem__(1, ls[1] + b"\xff"))
    changed("an excluded line not UTF-8", f"pool line {n}",
            lambda ls: ls.__setitem__(-1, ls[-1] + b"\xc3"))

    def count(by: bytes) -> Any:
        def change(ls: list[bytes]) -> None:
            fields = ls[strata[0]].split(b"\t")
            fields[4] = by
            ls[strata[0]] = b"\t".join(fields)
        return change
    changed("more members announced than the text holds", f"pool line {n + 1}",
            count(b"99999999999999999999"))
    changed("a member count not a number", f"pool line {strata[0] + 1}", count(b"-1"))

    def zero(ls: list[bytes]) -> None:
        fields = ls[strata[0]].split(b"\t")
        fields[2] = b"0" + fields[2]
        ls[strata[0]] = b"\t".join(fields)
    changed("a ratio with a leading zero", f"pool line {strata[0] + 1}", zero)
    changed("a member line of three fields", f"pool line {plain + 1}",
            lambda ls: ls.__setitem__(plain, ls[plain][:-1]))
    changed("a member line after the excluded ones", f"pool line {n + 1}",
            lambda ls: ls.append(ls[plain]))
    changed("a stratum line after the excluded ones", f"pool line {n + 1}",
            lambda ls: ls.append(ls[strata[1]].replace(b"\t" + b"general", b"\tother")))
    # the general stratum then takes the first excluded line (n - 3 of n - 1) as a member's
    changed("a member line dropped", f"pool line {n - 3}", lambda ls: ls.pop(plain))
    cases["no pool lines"] = (MAGIC + head + b"\n", "pool line 1")
    cases["the first pool line only"] = (MAGIC + head + b"\n" + lines[0] + b"\n",
                                         "pool line 2")
    frac = head.replace(b'"ratio_permille":150', b'"ratio_permille":150.0', 1)
    assert frac != head
    cases["a fraction on the JSON line"] = (_file(frac, lines),
                                            "bundle.announcement.sampling.ratio_permille")
    cases["the JSON line not JSON"] = (_file(head[:-1], lines), "bundle")
    cases["the JSON line not an object"] = (_file(b"[1]", lines), "bundle")
    cases["the JSON line not UTF-8"] = (_file(head[:-1] + b',"x":"\xff"}', lines), "bundle")
    cases["a byte-order mark on the JSON line"] = (_file(b"\xef\xbb\xbf" + head, lines),
                                                   "bundle")
    cases["the bundle's format the file's"] = (
        _file(head.replace(b'"format":"shuangsuiji-draw/2"', b'"format":"shuangsuiji-draw/3"'),
              lines), "format")
    return cases


def test_more_files_not_of_the_form_are_refused_by_both_at_the_same_path(
        page: Any, drawn: Any) -> None:
    cases = more_cases(*drawn)
    got = dict(zip(cases, _agree(page, cases), strict=True))
    assert "不是 UTF-8 文本" in got["a member line not UTF-8"]["message"]
    assert "声明有 99999999999999999999 户" in got[
        "more members announced than the text holds"]["message"]
    assert "应为分层行" in got["a member line after the excluded ones"]["message"]


def _status(page: Any) -> tuple[bool, str]:
    page.wait_for_selector("#bv-status.ok, #bv-status.error")
    status = page.locator("#bv-status")
    return "ok" in (status.get_attribute("class") or ""), status.inner_text()


def _pick(page: Any, path: Path) -> tuple[bool, str]:
    page.evaluate("() => { document.getElementById('bv-status').className = ''; }")
    page.set_input_files("#bv-file", str(path))
    return _status(page)


def test_a_text_file_picked_on_the_page_verifies_and_a_changed_one_is_named_by_its_line(
        page: Any, drawn: Any, tmp_path: Path) -> None:
    bundle, pool = drawn
    data = as_text(bundle, pool)
    # the portal's /3 download is named draw-<n>-bundle.txt; the picker offers such files
    assert ".txt" in (page.get_attribute("#bv-file", "accept") or "").split(",")
    file = tmp_path / "draw-12-bundle.txt"
    file.write_bytes(data)
    ok, text = _pick(page, file)
    python = verify_bundle(_read(data))
    assert ok and text.startswith("抽取数据包核验通过"), text
    assert python.summary["pool_digest"] in text
    # the company's view works on the bundle read from the lines
    cafe = next(m for s in bundle["pool"]["strata"] for m in s["members"] if m[1] == "Café Ltd")
    page.fill("#bv-code", cafe[0])
    page.click("#bv-company-form button[type=submit]")
    assert "Café Ltd" in page.inner_text("#bv-company")
    assert page.is_visible("#bv-proof")
    head, lines = _lines(data)
    lines[1] = lines[1].replace(b'{"rules"', b'{ "rules"')
    changed = tmp_path / "changed-bundle.txt"
    changed.write_bytes(_file(head, lines))
    ok, text = _pick(page, changed)
    assert not ok and "pool line 2" in text and "规范文本" in text, text
    assert page.is_hidden("#bv-company-form")
    invalid = list(_lines(data)[1])
    i = _first_member(invalid, plain=True)
    invalid[i] = invalid[i][:-1] + b"\xff\t"
    bad_bytes = tmp_path / "bad-bytes-bundle.txt"
    bad_bytes.write_bytes(_file(head, invalid))
    ok, text = _pick(page, bad_bytes)  # the page reads the bytes, not text made of them
    assert not ok and f"pool line {i + 1}" in text and "不是 UTF-8 文本" in text, text
