"""Credit-risk class strata (docs/draw-spec.md §3.2): the fast path and the spec's reference
agree on random pools whose targets hold at most one class, with the classes' pool rules
(multiplier 0) after the risk flags; a reference that names class strata wrongly, or lets a
class ratio be raised to the task's, is caught; and a target with two classes is refused."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from shuangsuiji import kernel
from shuangsuiji.kernel import reference
from shuangsuiji.kernel.classes import class_flag
from shuangsuiji.kernel.errors import InvalidInput
from shuangsuiji.rules import RiskRule

from .builders import CITE, policy, task, uscc
from .test_reference import agree, cases

CLASSES = ("D", "C", "B", "A")


@st.composite
def class_cases(draw: Any) -> dict[str, Any]:
    case = draw(cases())
    declared = draw(st.lists(st.sampled_from(CLASSES), min_size=1, max_size=4, unique=True))
    ratios = {c: draw(st.integers(0, 1000)) for c in declared}
    held = st.none() | st.sampled_from((*declared, "Z"))  # Z: a class no rule names
    targets = []
    for t in case["targets"]:
        klass = draw(held)
        flags = t.flags | {class_flag(klass)} if klass else t.flags
        targets.append(kernel.Target(t.credit_code, t.name, frozenset(flags)))
    rules = case["rules"]
    class_rules = tuple(RiskRule(class_flag(c), ratios[c], 0, CITE) for c in declared)
    return {**case, "targets": targets,
            "rules": replace(rules, risk_rules=rules.risk_rules + class_rules)}


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(class_cases())
def test_class_strata_agree_with_the_reference(case: dict[str, Any]) -> None:
    agree(case)


def _risk_named(flag: str) -> str:
    return "risk:" + flag


def test_a_wrong_class_stratum_name_is_caught() -> None:
    @settings(max_examples=200, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(class_cases())
    def check(case: dict[str, Any]) -> None:
        agree(case)

    with mock.patch.object(reference, "stratum", _risk_named), pytest.raises(AssertionError):
        check()


def test_class_ratio_is_used_as_it_is_even_below_the_task_ratio() -> None:
    targets = [kernel.Target(uscc(i), f"企业{i}", frozenset({class_flag("A")}))
               for i in range(200)]
    rules = kernel.PoolRules(policy(False, False), (), (RiskRule(class_flag("A"), 10, 0, CITE),))
    pool = kernel.freeze_pool(targets, [], task(), kernel.Sampling(100), rules)
    (stratum,) = pool.strata
    assert (stratum.name, stratum.ratio_permille, stratum.size) == ("class:A", 10, 2)
    ref = reference.freeze(targets, [], task(), kernel.Sampling(100), rules)
    assert ref["strata"][0][:3] == ("class:A", 10, 2) and ref["digest"] == pool.digest


def test_a_target_with_two_classes_is_refused() -> None:
    targets = [kernel.Target(uscc(0), "企业", frozenset({class_flag("A"), class_flag("D")})),
               kernel.Target(uscc(1), "企业1")]
    rules = kernel.PoolRules(policy(False, False), (), (RiskRule(class_flag("A"), 10, 0, CITE),))
    with pytest.raises(InvalidInput, match="two credit-risk classes"):
        kernel.freeze_pool(targets, [], task(), kernel.Sampling(100), rules)


@pytest.mark.parametrize("second", ["class:A", None])
def test_a_classed_code_twice_is_refused(second: str | None) -> None:
    """The bulk path of classed members keeps the duplicate checks: a code twice among
    classed members, or classed once and plain once, is refused."""
    code = uscc(3)
    first = kernel.CandidateText(f"{code}\t企业\n{uscc(4)}\t企业4", 2,
                                 {code: frozenset({class_flag("D")})})
    again = kernel.CandidateText(f"{code}\t企业", 1,
                                 {code: frozenset({second})} if second else {})
    rules = kernel.PoolRules(policy(False, False), (), (
        RiskRule(class_flag("D"), 300, 0, CITE), RiskRule(class_flag("A"), 10, 0, CITE)))
    with pytest.raises(InvalidInput, match="occurs twice"):
        kernel.freeze_pool([first, again], [], task(), kernel.Sampling(100), rules)
