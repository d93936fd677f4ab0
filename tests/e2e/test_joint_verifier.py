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

from shuangsuiji.kernel import announce, apply_recusal, make_bundle, verify_bundle
from shuangsuiji.kernel.bundle import draw_digest
from tests.e2e.conftest import VERIFY_JS, Site, open_verifier
from tests.kernel.builders import MIIT_RECUSAL
from tests.kernel.test_pool_blocks import legacy
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


def _announced_joint_bundle() -> dict[str, Any]:
    """A v2 joint bundle whose announcement (shuangsuiji-announcement/3) lists the
    participants; a ceremony seed, so the seed does not hang on the announcement's digest."""
    result = joint_result(staff=people(a=8, b=8), group_size=3)
    ann = announce.make_announcement(
        result.pool, params=result.params, rules=result.rules, inspectors=result.inspectors,
        experts=result.experts_directory, pack="miit", version="2018",
        procedure=announce.seed_procedure("ceremony"), announced_at="2025-04-01T02:00:00Z",
        participants=result.participants)
    return make_bundle(result, announcement=ann,
                       seed_inputs={"commitments": [], "reveals": [], "beacon": None})


def test_announced_participants_are_checked_alike_in_the_browser_and_python(page: Any) -> None:
    good = _announced_joint_bundle()
    assert good["announcement"]["format"] == announce.BLOCK_ANNOUNCEMENT_FORMAT
    quota = copy.deepcopy(good)  # the announcement promised another quota than was drawn
    quota["announcement"]["joint"]["participants"][1]["quota"] = 2
    items = copy.deepcopy(good)  # ... or another participant's items
    items["announcement"]["joint"]["participants"][0]["units"] = ["DIV-3"]
    old = legacy(good, announce.ANNOUNCEMENT_FORMAT)  # format /1: verifies, with a note
    texts = [json.dumps(good, ensure_ascii=False), _redigest(quota), _redigest(items),
             _redigest(old)]
    outcomes = page.evaluate(VERIFY_JS, texts)
    reports = [verify_bundle(json.loads(t)) for t in texts]
    for i in (0, 3):
        assert outcomes[i]["ok"] and reports[i].ok, (outcomes[i], reports[i])
    assert "未列出参与单位" not in outcomes[0]["message"]
    assert "未列出参与单位" in outcomes[3]["message"], outcomes[3]
    assert any("does not list the participants" in n for n in reports[3].notes)
    for browser, python in zip(outcomes[1:3], reports[1:3], strict=True):
        assert not browser["ok"] and not python.ok, (browser, python)
        assert browser["path"] == python.path == "announcement.joint", (browser, python)


def test_the_spec_vectors_of_classes_and_a_joint_task_verify_in_the_browser(page: Any) -> None:
    """draw-spec.md §15.1, read from the doc: the browser verifies both, and refuses the
    joint vector with a quota announced other than drawn at the path Python names."""
    from tests.kernel.test_spec_vectors import _spec_digests, vectors

    found = vectors()
    forged = copy.deepcopy(found["joint"])
    forged["announcement"]["joint"]["participants"][1]["quota"] = 2
    forged["digests"]["draw"] = _spec_digests(forged)[1]
    texts = [json.dumps(found["classes"], ensure_ascii=False),
             json.dumps(found["joint"], ensure_ascii=False), json.dumps(forged, ensure_ascii=False)]
    outcomes = page.evaluate(VERIFY_JS, texts)
    assert outcomes[0]["ok"] and outcomes[1]["ok"], outcomes
    assert not outcomes[2]["ok"] and outcomes[2]["path"] == "announcement.joint", outcomes[2]
