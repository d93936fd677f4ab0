"""The draw stratifies by credit-risk class as of the task's start date (issue #15 item 5):
class strata at the class's ratio, the bundle carrying each member's class, and the
verifier refusing a bundle whose class strata or counts were changed."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from shuangsuiji import kernel
from shuangsuiji.platform import Platform
from shuangsuiji.services import draws
from shuangsuiji.services import tenants as tenant_service
from tests.credit.conftest import codes_of

SEED = "credit-class-seed-2026"


def _draw_bundle(platform: Platform, slug: str, task: str) -> dict:
    with platform.db.session() as s:
        tenant = tenant_service.get(s, slug)
        s.info["tenant_id"] = tenant.id
        draws.draw(s, platform, tenant, task, seed=SEED)
        s.commit()
        record = draws.live_draw(s, draws.find_task(s, task))
        assert record is not None
        return draws.export_bundle(s, record)


def _stratum(bundle: dict, name: str) -> dict:
    return next(s for s in bundle["pool"]["strata"] if s["name"] == name)


def test_class_strata_follow_the_class_in_force_and_verify(
    platform: Platform, classed_task: tuple[str, dict[str, str]],
) -> None:
    task, expected = classed_task
    bundle = _draw_bundle(platform, "example", task)
    report = kernel.verify_bundle(bundle)
    assert report.ok, str(report)
    _, flagged = codes_of(platform, "example")
    strata = {s["name"]: s for s in bundle["pool"]["strata"]}
    ratios = {"D": 300, "C": 100, "B": 20, "A": 10}
    for klass, ratio in ratios.items():
        s = strata[f"class:{klass}"]
        members = {m[0] for m in s["members"]}
        # every member of the class stratum holds that class on the task's day, carries it
        # in the bundle, and has no risk flag (a flagged target stays in its risk stratum)
        assert members == {c for c, k in expected.items() if k == klass} - flagged - {
            e[0] for e in bundle["pool"]["excluded"]}
        assert all(f"class:{klass}" in m[2] for m in s["members"])
        assert s["ratio_permille"] == ratio
        assert s["size"] == -(-len(members) * ratio // 1000)
    # targets whose class ended before, or starts after, the task's day are general
    general = {m[0] for m in strata["general"]["members"]}
    assert not general & set(expected)
    assert all(not any(f.startswith("class:") for f in m[2])
               for m in strata["general"]["members"])
    codes, _ = codes_of(platform, "example")
    excluded = {e[0] for e in bundle["pool"]["excluded"]}
    assert general == set(codes) - set(expected) - flagged - excluded
    assert set(codes[210:230]) - flagged - excluded <= general  # ended / not yet begun
    # a flagged target holding a class is in its risk stratum, and says its class
    risk = [m for name, s in strata.items() if name.startswith("risk:") for m in s["members"]]
    assert any(any(f.startswith("class:") for f in m[2]) for m in risk) or not (
        flagged & set(expected))
    # the pool rules list the classes after the risk flags, multiplier 0, with the article
    rules = bundle["pool_rules"]["risk_rules"]
    assert [r["flag"] for r in rules][-4:] == ["class:D", "class:C", "class:B", "class:A"]
    assert {r["multiplier"] for r in rules[-4:]} == {0}
    assert rules[-1]["cite"]["article"] == "第十一条第二款"
    selected = {s["name"]: s["selected"] for s in bundle["result"]["strata"]}
    assert len(selected["class:D"]) == strata["class:D"]["size"]


def _tamper(bundle: dict, change: Callable[[dict], None]) -> bool:
    changed = copy.deepcopy(bundle)
    change(changed)
    return kernel.verify_bundle(changed).ok


def test_the_verifier_refuses_changed_class_strata(
    platform: Platform, classed_task: tuple[str, dict[str, str]],
) -> None:
    task, _ = classed_task
    bundle = _draw_bundle(platform, "example", task)
    assert kernel.verify_bundle(bundle).ok

    def move_class(b: dict) -> None:  # a D member relabelled A (fewer drawn from it)
        member = _stratum(b, "class:D")["members"][0]
        member[2] = [("class:A" if f == "class:D" else f) for f in member[2]]

    def drop_class(b: dict) -> None:  # a D member's class removed (it becomes general)
        member = _stratum(b, "class:D")["members"][0]
        member[2] = [f for f in member[2] if f != "class:D"]

    def second_class(b: dict) -> None:  # a member holding two classes
        _stratum(b, "class:C")["members"][0][2].append("class:D")

    def size(b: dict) -> None:  # the class stratum's count lowered
        _stratum(b, "class:D")["size"] -= 1

    def ratio(b: dict) -> None:  # the class's ratio lowered in the stratum
        _stratum(b, "class:D")["ratio_permille"] = 100

    def moved(b: dict) -> None:  # a member moved into the general stratum as it is
        member = _stratum(b, "class:B")["members"].pop()
        _stratum(b, "general")["members"].append(member)

    for change in (move_class, drop_class, second_class, size, ratio, moved):
        assert not _tamper(bundle, change), change.__name__


def test_class_flags_reach_every_read_of_the_pool(
    platform: Platform, classed_task: tuple[str, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Text pages keyed by code or by id, small or large, and the column read (MariaDB's
    path) give the same class-stratified pool."""
    from shuangsuiji.services.draws import reading

    task, _ = classed_task
    digests = set()
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "example")
        s.info["tenant_id"] = tenant.id
        for page, by_code in ((7, True), (7, False), (50_000, True)):
            monkeypatch.setattr(reading, "_TEXT_PAGE", page)
            monkeypatch.setattr(reading, "_byte_order", lambda _s, b=by_code: b)
            pool = draws.prepare(s, platform, tenant, task).pool
            digests.add(pool.digest)
            assert "class:D" in {st.name for st in pool.strata}
        monkeypatch.setattr(reading, "_candidate_texts", None)
        monkeypatch.setattr(s.get_bind().dialect, "name", "mariadb")
        monkeypatch.setattr(reading, "_code_order", lambda _s: ())
        columns = draws.prepare(s, platform, tenant, task).pool
    assert digests == {columns.digest}
