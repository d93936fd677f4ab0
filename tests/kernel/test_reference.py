"""The fast path (the real draw) agrees with the spec's plain reference implementation
(:mod:`shuangsuiji.kernel.reference`) on random pools, histories, rules and draw settings;
and a reference made wrong on purpose is caught, so the comparison really compares."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from shuangsuiji import kernel
from shuangsuiji.kernel import reference
from shuangsuiji.kernel.errors import KernelError
from shuangsuiji.rules import ExclusionRule

from .builders import (
    CITE,
    GENERAL,
    GROUPS,
    KEY,
    MIIT_RECUSAL,
    TASK_DAY,
    draw_rules,
    experts,
    inspectors,
    policy,
    risk,
    task,
    uscc,
)

FLAGS = ("complaints", "licence", "old")


@st.composite
def cases(draw: Any) -> dict[str, Any]:
    n = draw(st.integers(1, 40))
    flags = [frozenset(draw(st.sets(st.sampled_from(FLAGS), max_size=2))) for _ in range(n)]
    names = [draw(st.sampled_from(["企业", " 企业 ", "Firma", "e\u0301"])) + str(i)
             for i in range(n)]
    targets = [kernel.Target(uscc(i), names[i], flags[i]) for i in range(n)]
    history = [
        kernel.Inspection(uscc(draw(st.integers(0, n - 1))),
                          draw(st.sampled_from(["ITEM-A", "ITEM-B"])),
                          TASK_DAY + timedelta(days=draw(st.integers(-400, 60))),
                          draw(st.sampled_from(["DIV-1", "DIV-2"])),
                          draw(st.sampled_from(["T-1", "T-2", "T-3", "T-2025-7"])),
                          draw(st.sampled_from(["completed", "ongoing", "voided"])))
        for _ in range(draw(st.integers(0, 25)))
    ]
    extra = draw(st.lists(st.sampled_from([
        ExclusionRule("recent", "recently_inspected", (("days", 90),), CITE),
        ExclusionRule("old-out", "flag", (("flag", "old"),), CITE),
        ExclusionRule("recent-x", "recently_inspected",
                      (("days", 200), ("exempt_flags", "complaints,licence")), CITE),
    ]), max_size=2, unique=True))
    risks = tuple(risk(f, draw(st.integers(0, 1000)), draw(st.integers(1, 3)))
                  for f in draw(st.lists(st.sampled_from(FLAGS), max_size=2, unique=True)))
    rules = kernel.PoolRules(
        policy(draw(st.booleans()), draw(st.booleans()),
               frozenset(draw(st.sets(st.sampled_from(FLAGS), max_size=1)))),
        tuple(extra), risks)
    max_count = draw(st.none() | st.integers(1, 12))
    sampling = kernel.Sampling(draw(st.integers(0, 1000)), draw(st.integers(0, 3)), max_count)
    the_task = task(special=draw(st.booleans()) and draw(st.booleans()), joint=draw(st.booleans()),
                    item_codes=tuple(draw(st.sets(st.sampled_from(["ITEM-A", "ITEM-B"]),
                                                  min_size=1))))
    people = inspectors(12) + [kernel.Inspector(f"Q{i:03d}", f"检查员Q{i}", "D2", "DIV-2",
                                                i % 2 == 0, p.credentials)
                               for i, p in enumerate(inspectors(6))]
    people = [p if i % 5 else kernel.Inspector(p.person_id, p.name, p.department, p.division,
                                                p.subordinate, (kernel.Credential(
                                                    "enforcement_certificate", date(2025, 1, 1)),))
              for i, p in enumerate(people)]
    conflicts = {(f"P{draw(st.integers(0, 11)):03d}", uscc(draw(st.integers(0, n - 1))))
                 for _ in range(draw(st.integers(0, 6)))}
    return {
        "targets": targets, "history": history, "task": the_task, "sampling": sampling,
        "rules": rules, "seed": draw(st.text(min_size=1, max_size=20)),
        "draw_rules": draw_rules(draw(st.sampled_from([KEY, GENERAL]))),
        "params": kernel.DrawParams(
            scope=draw(st.sampled_from(GROUPS.scopes)),
            group_count=draw(st.none() | st.integers(1, 3)),
            experts_count=draw(st.integers(0, 3)),
            batch_count=draw(st.sampled_from([None, None, None, 2, 3]))),
        "inspectors": people, "experts": experts(5), "conflicts": conflicts,
        # the group, member and target recused, and how many of the free inspectors are
        # conflicted with that target (so that the withdraw's filter is put to work)
        "recusal": (draw(st.integers(0, 2)), draw(st.integers(0, 1)), draw(st.integers(0, 5)),
                    draw(st.integers(0, 4))),
    }


def agree(case: dict[str, Any]) -> None:
    """Run both; every field of the pool, the draw and one withdraw step must be equal."""
    c = case
    try:
        pool = kernel.freeze_pool(c["targets"], c["history"], c["task"], c["sampling"],
                                  c["rules"])
        fast = kernel.draw(pool, c["seed"], rules=c["draw_rules"], params=c["params"],
                           inspectors=c["inspectors"], experts=c["experts"],
                           conflicts=c["conflicts"])
    except KernelError:
        return  # refused (empty pool, too few people, batches not allowed): nothing to compare
    ref_pool = reference.freeze(c["targets"], c["history"], c["task"], c["sampling"], c["rules"])
    assert [(s.name, s.ratio_permille, s.size, [m.credit_code for m in s.members])
            for s in pool.strata] == [(n, r, k, [m[0] for m in ms])
                                      for n, r, k, ms in ref_pool["strata"]]
    assert [(e.credit_code, e.rule_code, e.trigger_task_id) for e in pool.excluded] == [
        (code, rule, trigger) for code, _, rule, _, trigger in ref_pool["excluded"]]
    assert pool.digest == ref_pool["digest"]
    ref = reference.draw(ref_pool, c["seed"], c["task"], c["sampling"], c["draw_rules"],
                         c["params"], c["inspectors"], c["experts"], c["conflicts"])
    assert [(s.name, list(s.selected)) for s in fast.strata] == ref["strata"]
    assert [(b.number, list(b.targets)) for b in fast.batches] == ref["batches"]
    assert list(fast.eligible_inspectors) == ref["eligible"]
    assert [{"number": g.number, "members": list(g.members), "leader": g.leader,
             "targets": list(g.targets)} for g in fast.groups] == ref["groups"]
    assert list(fast.experts) == ref["experts"]
    g, member, t, busy = c["recusal"]
    if not fast.groups or not fast.groups[g % len(fast.groups)].targets:
        return
    group = fast.groups[g % len(fast.groups)]
    person = group.members[member % len(group.members)]
    target = group.targets[t % len(group.targets)]
    in_groups = {m for gr in fast.groups for m in gr.members}
    free = [p for p in fast.eligible_inspectors if p not in in_groups]
    declared = {*c["conflicts"], (person, target), *((p, target) for p in free[:busy])}
    try:
        step = kernel.apply_recusal(fast, c["seed"], 1, person, target, "withdraw",
                                    MIIT_RECUSAL, sorted(declared)).step
    except KernelError:
        return  # no candidate left
    assert reference.withdraw(ref, c["seed"], 1, person, target, declared, {person}) == {
        "group": step.group, "replacement": step.replacement, "new_leader": step.new_leader}


PROPERTY = settings(max_examples=80, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@PROPERTY
@given(cases())
def test_the_fast_path_agrees_with_the_reference(case: dict[str, Any]) -> None:
    agree(case)


def _biased_sample(stream: reference.Stream, n: int, k: int) -> list[int]:
    return [stream.below(n) for _ in range(k)]  # with replacement: not the spec's shuffle


def _withdraw_ignoring_conflicts(result: dict[str, Any], seed: str, step: int, person: str,
                                 target: str, conflicts: set[tuple[str, str]],
                                 withdrawn: set[str]) -> dict[str, Any]:
    return reference_withdraw(result, seed, step, person, target, set(), withdrawn)


reference_withdraw = reference.withdraw


@pytest.mark.parametrize(("name", "wrong"), [
    ("sample", _biased_sample),
    ("withdraw", _withdraw_ignoring_conflicts),
    ("canonical", lambda s: s.strip()),  # no NFC
])
def test_a_wrong_reference_is_caught(name: str, wrong: Any) -> None:
    # found, not shrunk: the first disagreement is enough, and shrinking costs minutes
    @settings(max_examples=300, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(cases())
    def check(case: dict[str, Any]) -> None:
        agree(case)

    with mock.patch.object(reference, name, wrong), pytest.raises(AssertionError):
        check()
