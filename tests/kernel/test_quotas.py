"""Joint tasks (联合抽查, docs/draw-spec.md §6.5): every group holds each participant's quota
of its own inspectors; a participant short of inspectors is named; replacements stay on
the same participant's side; the bundle carries the participants and a verifier refuses a
tampered quota or group; the fast path agrees with the reference."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangsuiji import kernel, standalone
from shuangsuiji.kernel import (
    DrawParams,
    Inspector,
    Sampling,
    apply_recusal,
    draw_digest,
    freeze_pool,
    make_bundle,
    reference,
    verify_bundle,
)
from shuangsuiji.kernel.errors import InvalidInput, NotEnoughPeople
from shuangsuiji.kernel.model import Participant
from shuangsuiji.kernel.quotas import sides

from .builders import MIIT_RECUSAL, draw_rules, experts, inspectors, pool_rules, targets, task
from .test_standalone import run_pyz

SEED = "dice 6-1-4-4-2-5"
A = Participant("DIV-1", "一处", "miit", ("DIV-1",), ("ITEM-A",), 1)
B = Participant("DIV-2", "二处", "miit", ("DIV-2",), ("ITEM-B",), 1)


def people(a: int = 6, b: int = 3, other: int = 4) -> list[Inspector]:
    """``a`` inspectors of DIV-1, ``b`` of DIV-2 and ``other`` of DIV-3 (no participant)."""
    base = inspectors(a + b + other)
    divisions = ["DIV-1"] * a + ["DIV-2"] * b + ["DIV-3"] * other
    return [Inspector(p.person_id, p.name, p.department, d, p.subordinate, p.credentials)
            for p, d in zip(base, divisions, strict=True)]


def joint_result(participants: tuple[Participant, ...] = (A, B), *, group_count: int = 3,
                 group_size: int | None = 2, staff: list[Inspector] | None = None,
                 conflicts: Any = ()) -> kernel.DrawResult:
    pool = freeze_pool(targets(40), [], task(item_codes=("ITEM-A", "ITEM-B"), joint=True),
                       Sampling(150), pool_rules())
    return kernel.draw(pool, SEED, rules=draw_rules(),
                       params=DrawParams(scope="within_department", group_count=group_count,
                                         group_size=group_size, experts_count=1),
                       inspectors=staff if staff is not None else people(),
                       experts=experts(3), participants=participants, conflicts=conflicts)


def counts(result: kernel.DrawResult, groups: Any = None) -> list[dict[str, int]]:
    side = sides(result.inspectors, result.participants)
    return [{code: sum(side[m] == code for m in g.members) for code in ("DIV-1", "DIV-2")}
            for g in (groups if groups is not None else result.groups)]


def test_every_group_has_the_quota_of_each_participant() -> None:
    result = joint_result()
    assert len(result.groups) == 3
    assert counts(result) == [{"DIV-1": 1, "DIV-2": 1}] * 3
    # only the participants' inspectors are eligible: DIV-3's four are not
    assert len(result.eligible_inspectors) == 9
    by_id = {p.person_id: p for p in result.inspectors}
    assert {by_id[m].division for g in result.groups for m in g.members} == {"DIV-1", "DIV-2"}


def test_a_larger_quota_and_free_places() -> None:
    heavy = Participant("DIV-1", "一处", "miit", ("DIV-1",), ("ITEM-A",), 2)
    result = joint_result((heavy, B), group_count=2, group_size=4,
                          staff=people(a=8, b=5))
    for c in counts(result):
        assert c["DIV-1"] >= 2 and c["DIV-2"] >= 1 and c["DIV-1"] + c["DIV-2"] == 4


def test_a_participant_short_of_inspectors_is_named() -> None:
    with pytest.raises(NotEnoughPeople) as err:
        joint_result(staff=people(a=6, b=2))
    assert "DIV-2" in str(err.value) and "二处" in str(err.value) and "1 missing" in str(err.value)


def test_quotas_above_the_group_size_are_refused() -> None:
    heavy = Participant("DIV-1", "一处", "miit", ("DIV-1",), ("ITEM-A",), 2)
    with pytest.raises(InvalidInput, match="quotas add up to 3"):
        joint_result((heavy, B), group_size=2)


@pytest.mark.parametrize(("participants", "match"), [
    ((A,), "at least two participants"),
    ((A, Participant("DIV-2", "二处", "miit", ("DIV-2",), ("ITEM-A",), 1)), "brought by both"),
    ((A, Participant("DIV-2", "二处", "miit", ("DIV-2",), ("ITEM-C",), 1)), "not the task's"),
    ((A, Participant("DIV-2", "二处", "miit", ("DIV-2",), ("ITEM-B",), 0)), "at least 1"),
])
def test_bad_participants_are_refused(participants: tuple[Participant, ...], match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        joint_result(participants)


def test_replacements_come_from_the_same_participant() -> None:
    staff = people(a=6, b=5)
    first = joint_result(staff=staff)
    g1 = first.groups[0]
    b_member = next(m for m in g1.members if sides(first.inspectors, first.participants)[m]
                    == "DIV-2")
    # a declared conflict (step 6a) replaces the DIV-2 member by another of DIV-2
    conflicted = joint_result(staff=staff, conflicts=[(b_member, g1.targets[0])])
    assert b_member not in conflicted.groups[0].members
    assert counts(conflicted) == [{"DIV-1": 1, "DIV-2": 1}] * 3
    # so does a withdrawal (§5)
    after = apply_recusal(first, SEED, 1, b_member, g1.targets[0], "withdraw",
                          MIIT_RECUSAL).result
    assert counts(after, after.final_groups) == [{"DIV-1": 1, "DIV-2": 1}] * 3
    assert after.recusals[0].replacement not in {m for g in first.groups for m in g.members}


def test_the_bundle_carries_the_participants_and_verifies() -> None:
    bundle = make_bundle(joint_result())
    assert [p["code"] for p in bundle["joint"]["participants"]] == ["DIV-1", "DIV-2"]
    assert bundle["joint"]["participants"][1] == {
        "code": "DIV-2", "name": "二处", "tenant": "miit", "units": ["DIV-2"],
        "item_codes": ["ITEM-B"], "quota": 1}
    report = verify_bundle(copy.deepcopy(bundle))
    assert report.ok, report


def _redigest(bundle: dict[str, Any]) -> dict[str, Any]:
    bundle["digests"]["draw"] = draw_digest(bundle, bundle["digests"]["pool"])
    return bundle


def test_a_tampered_quota_is_refused() -> None:
    """Raising a participant's quota (digest recomputed): the groups no longer follow."""
    bundle = make_bundle(joint_result(group_size=3, staff=people(a=8, b=8)))
    assert verify_bundle(copy.deepcopy(bundle)).ok
    bundle["joint"]["participants"][1]["quota"] = 2
    report = verify_bundle(_redigest(bundle))
    assert not report.ok and report.path.startswith(("result.groups", "final.groups",
                                                      "result.eligible")), report


def test_groups_swapped_for_non_quota_members_are_refused() -> None:
    bundle = make_bundle(joint_result())
    group = bundle["result"]["groups"][0]
    div1 = [p["person_id"] for p in bundle["inspectors"] if p["division"] == "DIV-1"]
    outsider = next(p for p in div1 if all(p not in g["members"]
                                           for g in bundle["result"]["groups"]))
    side_b = next(m for m in group["members"] if m not in div1)
    group["members"][group["members"].index(side_b)] = outsider
    bundle["final"]["groups"][0] = copy.deepcopy(group)
    report = verify_bundle(_redigest(bundle))
    assert not report.ok and report.path.startswith("result.groups[0].members"), report


def test_dropping_the_participants_is_refused() -> None:
    bundle = make_bundle(joint_result())
    del bundle["joint"]
    assert not verify_bundle(_redigest(bundle)).ok


def test_participants_on_a_task_not_joint_are_refused() -> None:
    bundle = make_bundle(joint_result())
    bundle["task"]["joint"] = False
    report = verify_bundle(_redigest(bundle))
    assert not report.ok and report.path == "task.joint", report


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=st.integers(0, 8), b=st.integers(0, 6), quota_a=st.integers(1, 2),
       quota_b=st.integers(1, 2), groups=st.integers(1, 3), size=st.integers(2, 4),
       seed=st.text(min_size=1, max_size=12), withdraw=st.integers(0, 3))
def test_the_fast_path_agrees_with_the_reference(a: int, b: int, quota_a: int, quota_b: int,
                                                 groups: int, size: int, seed: str,
                                                 withdraw: int) -> None:
    pa = Participant("DIV-1", "一处", "miit", ("DIV-1",), ("ITEM-A",), quota_a)
    pb = Participant("DIV-2", "二处", "miit", ("DIV-2",), ("ITEM-B",), quota_b)
    the_task = task(item_codes=("ITEM-A", "ITEM-B"), joint=True)
    staff = people(a, b, 3)
    params = DrawParams(scope="within_department", group_count=groups, group_size=size)
    pool = freeze_pool(targets(30), [], the_task, Sampling(200), pool_rules())
    try:
        fast = kernel.draw(pool, seed, rules=draw_rules(), params=params, inspectors=staff,
                           participants=(pb, pa))
    except (NotEnoughPeople, InvalidInput):
        return
    ref_pool = reference.freeze(targets(30), [], the_task, Sampling(200), pool_rules())
    ref = reference.draw(ref_pool, seed, the_task, Sampling(200), draw_rules(), params, staff,
                         [], set(), [pb, pa])
    assert list(fast.eligible_inspectors) == ref["eligible"]
    assert [{"number": g.number, "members": list(g.members), "leader": g.leader,
             "targets": list(g.targets)} for g in fast.groups] == ref["groups"]
    group = fast.groups[0]
    person = group.members[withdraw % len(group.members)]
    try:
        step = apply_recusal(fast, seed, 1, person, group.targets[0], "withdraw",
                             MIIT_RECUSAL).step
    except kernel.KernelError:
        return
    assert reference.withdraw(ref, seed, 1, person, group.targets[0],
                              {(person, group.targets[0])}, {person}) == {
        "group": step.group, "replacement": step.replacement, "new_leader": step.new_leader}


def test_the_one_file_verifier_recomputes_the_quotas(tmp_path: Path) -> None:
    """``ssj-verify.pyz`` (standard library only) checks a joint bundle and refuses a
    participant's units changed."""
    pyz = tmp_path / standalone.FILENAME
    pyz.write_bytes(standalone.build())
    good = make_bundle(joint_result())
    (tmp_path / "good.json").write_text(json.dumps(good, ensure_ascii=False), encoding="utf-8")
    ok = run_pyz(pyz, tmp_path / "good.json")
    assert ok.returncode == 0 and ok.stdout.startswith("bundle OK"), ok.stderr
    bad = copy.deepcopy(good)
    bad["joint"]["participants"][1]["units"] = ["DIV-2", "DIV-3"]
    (tmp_path / "bad.json").write_text(json.dumps(_redigest(bad), ensure_ascii=False),
                                       encoding="utf-8")
    refused = run_pyz(pyz, tmp_path / "bad.json")
    assert refused.returncode == 1 and "does NOT verify" in refused.stderr
    assert "result.eligible_inspectors" in refused.stderr
