"""The browser verifier and the Python verifier agree on joint-task bundles (联合抽查,
docs/draw-spec.md §6.5), in chromium: a joint bundle with a withdrawal verifies in both;
a raised quota, a participant's units changed, a group member swapped for another
participant's inspector, and participants on a task not declared joint are refused by both,
at the same path."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest

from shuangsuiji.kernel import apply_recusal, make_bundle, verify_bundle
from shuangsuiji.kernel.bundle import draw_digest
from tests.e2e.conftest import VERIFY_JS, Site, open_verifier
from tests.kernel.builders import MIIT_RECUSAL
from tests.kernel.test_quotas import joint_result, people


def _joint_bundle() -> dict[str, Any]:
    result = joint_result(staff=people(a=8, b=8), group_size=3)
    g = result.groups[0]
    result = apply_recusal(result, result.seed, 1, g.members[1], g.targets[0], "withdraw",
                           MIIT_RECUSAL).result
    return make_bundle(result)


def _redigest(bundle: dict[str, Any]) -> str:
    bundle["digests"]["draw"] = draw_digest(bundle, bundle["digests"]["pool"])
    return json.dumps(bundle, ensure_ascii=False)


@pytest.fixture(scope="module")
def page(site: Site, browser: Any) -> Iterator[Any]:
    yield from open_verifier(site, browser)


def test_joint_bundles_agree_in_the_browser_and_python(page: Any) -> None:
    good = _joint_bundle()
    quota = copy.deepcopy(good)
    quota["joint"]["participants"][0]["quota"] = 2
    units = copy.deepcopy(good)
    units["joint"]["participants"][0]["units"] = ["DIV-1", "DIV-3"]
    swapped = copy.deepcopy(good)
    group = swapped["result"]["groups"][0]
    div1 = [p["person_id"] for p in swapped["inspectors"] if p["division"] == "DIV-1"]
    div2_free = next(p["person_id"] for p in swapped["inspectors"] if p["division"] == "DIV-2"
                     and all(p["person_id"] not in g["members"]
                             for g in swapped["result"]["groups"]))
    first_div1 = next(m for m in group["members"] if m in div1)
    group["members"][group["members"].index(first_div1)] = div2_free
    not_joint = copy.deepcopy(good)
    not_joint["task"]["joint"] = False
    texts = [json.dumps(good, ensure_ascii=False), _redigest(quota), _redigest(units),
             _redigest(swapped), _redigest(not_joint)]
    outcomes = page.evaluate(VERIFY_JS, texts)
    reports = [verify_bundle(json.loads(t)) for t in texts]
    assert outcomes[0]["ok"] and reports[0].ok, (outcomes[0], reports[0])
    assert outcomes[0]["message"].startswith("抽取数据包核验通过")
    for browser, python in zip(outcomes[1:], reports[1:], strict=True):
        assert not browser["ok"] and not python.ok, (browser, python)
        assert browser["path"] == python.path, (browser, python)
        assert "Traceback" not in browser["message"]
    # the swapped member is named where it differs
    assert reports[3].path.startswith("result.groups[0].members")
    assert reports[4].path == "task.joint"
