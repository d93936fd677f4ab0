"""The browser verifier recomputes credit-risk class strata (docs/draw-spec.md §3.2): a
class-stratified bundle verifies in chromium as in Python, and every bundle whose class
strata or counts were changed is refused by both, at the same path."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from shuangsuiji.kernel.bundle import verify_bundle
from shuangsuiji.platform import Platform
from tests.credit.bundles import class_bundle, dump, tampered_class_bundles
from tests.credit.conftest import classed_task, example  # noqa: F401 (fixtures)
from tests.credit.test_class_draw import _draw_bundle
from tests.draws.conftest import make_task  # noqa: F401 (fixture)
from tests.e2e.conftest import VERIFY_JS, Site, open_verifier


@pytest.fixture(scope="module")
def page(site: Site, browser: Any) -> Iterator[Any]:
    yield from open_verifier(site, browser)


def test_class_bundle_verifies_and_tampered_ones_are_refused_in_the_browser(page: Any) -> None:
    good = class_bundle()
    cases = tampered_class_bundles()
    outcomes = page.evaluate(VERIFY_JS, [dump(good), *(dump(b) for b in cases.values())])
    assert outcomes[0]["ok"], outcomes[0]["message"]
    assert outcomes[0]["message"].startswith("抽取数据包核验通过")
    for (name, bundle), browser in zip(cases.items(), outcomes[1:], strict=True):
        python = verify_bundle(bundle)
        assert not python.ok, name
        assert not browser["ok"], (name, browser)
        assert browser["message"].startswith("抽取数据包核验未通过"), browser["message"]
        if name == "two classes":
            assert "两个信用风险分类" in browser["message"], browser["message"]
        else:
            assert browser["path"] == python.path, (name, browser, str(python))


def test_a_class_stratified_draw_of_the_example_province_verifies_in_the_browser(
    page: Any, platform: Platform, request: pytest.FixtureRequest,
) -> None:
    """The done-when of issue #15 item 5: a draw of the example province made by the
    platform (classes imported, strata by class) verifies in chromium, and a changed class
    count is refused there."""
    task, _ = request.getfixturevalue("classed_task")
    bundle = _draw_bundle(platform, "example", task)
    assert {"class:D", "class:A"} <= {s["name"] for s in bundle["pool"]["strata"]}
    changed = copy.deepcopy(bundle)
    next(s for s in changed["pool"]["strata"] if s["name"] == "class:C")["size"] += 1
    good, bad = page.evaluate(VERIFY_JS, [dump(bundle), dump(changed)])
    assert good["ok"], good["message"]
    assert not bad["ok"] and bad["path"] == verify_bundle(changed).path, bad
