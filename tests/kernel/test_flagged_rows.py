"""Flagged members without history are added in bulk, one decision per distinct set of flags
(kernel/flaggedrows.py): the same pool as the per-member path, which still sees every set
it must refuse, and every member with history."""

from __future__ import annotations

from unittest import mock

import pytest

from shuangsuiji import kernel
from shuangsuiji.kernel.errors import InvalidInput
from shuangsuiji.kernel.model import CandidateText
from shuangsuiji.kernel.poolbuilder import _Builder
from shuangsuiji.rules import ExclusionRule

from .builders import CITE, TASK_DAY, policy, risk, task, uscc

FLAG_SETS = [frozenset(), frozenset({"complaints"}), frozenset({"old"}),
             frozenset({"complaints", "old"}), frozenset({"licence"}),
             frozenset({"licence", "complaints"}), frozenset({"class:D"}),
             frozenset({"{x}"})]


def _rules() -> kernel.PoolRules:
    return kernel.PoolRules(
        policy(exempt=frozenset({"complaints"})),
        (ExclusionRule("old-out", "flag", (("flag", "old"),), CITE),
         ExclusionRule("lic-out", "flag", (("flag", "licence"), ("exempt_flags", "complaints")),
                       CITE)),
        (risk("complaints"), risk("class:D", 100, 0)))


def _targets(n: int = 64) -> list[kernel.Target]:
    return [kernel.Target(uscc(i), f"企业{i}", FLAG_SETS[i % len(FLAG_SETS)]) for i in range(n)]


def _history() -> list[kernel.Inspection]:
    # every fifth target was inspected this year for the task's item: rule 1 (once a year)
    return [kernel.Inspection(uscc(i), "ITEM-A", TASK_DAY.replace(month=2), "DIV-1", "T-1",
                              "completed") for i in range(0, 64, 5)]


def _per_member(targets: list[kernel.Target]) -> kernel.FrozenPool:
    """The pool with the bulk path switched off: every flagged member one by one."""
    with mock.patch("shuangsuiji.kernel.poolbuilder.take_flagged",
                    lambda _b, _c, _n, _f, rest: rest):
        return kernel.freeze_pool(targets, _history(), task(), kernel.Sampling(100), _rules())


def _text(targets: list[kernel.Target]) -> CandidateText:
    return CandidateText("\n".join(f"{t.credit_code}\t{t.name}" for t in targets), len(targets),
                         {t.credit_code: t.flags for t in targets if t.flags})


@pytest.mark.parametrize("as_text", [False, True])
def test_bulk_flagged_members_freeze_the_pool_of_the_per_member_path(as_text: bool) -> None:
    ts = _targets()
    calls: list[str] = []
    one = _Builder._one

    def counted(self: _Builder, code: str, name: str, flags: frozenset[str]) -> None:
        calls.append(code)
        one(self, code, name, flags)

    with mock.patch.object(_Builder, "_one", counted):
        fast = kernel.freeze_pool([_text(ts)] if as_text else ts, _history(), task(),
                                  kernel.Sampling(100), _rules())
    slow = _per_member(ts)
    assert fast.digest == slow.digest
    assert [(s.name, s.size, s.lines) for s in fast.strata] == [
        (s.name, s.size, s.lines) for s in slow.strata]
    assert sorted(fast.excluded) == sorted(slow.excluded)
    assert {e.rule_code for e in fast.excluded} == {"once_per_year", "old-out", "lic-out"}
    # the bulk path took every flagged member without history; only those with history
    # went one by one
    inspected = {i.credit_code for i in _history()}
    assert calls and set(calls) <= inspected


@pytest.mark.parametrize(("flags", "problem"), [
    (frozenset({"class:D", "class:C"}), "two credit-risk classes"),
    (frozenset({"bad,flag"}), "contains a comma"),
])
def test_flags_the_per_member_path_refuses_are_still_refused(flags: frozenset[str],
                                                             problem: str) -> None:
    ts = [*_targets(8), kernel.Target(uscc(99), "企业99", flags)]
    with pytest.raises(InvalidInput, match=problem):
        kernel.freeze_pool(ts, [], task(), kernel.Sampling(100), _rules())


def test_a_flagged_duplicate_is_refused() -> None:
    ts = [*_targets(8), kernel.Target(uscc(1), "重复", frozenset({"complaints"}))]
    with pytest.raises(InvalidInput, match="occurs twice"):
        kernel.freeze_pool([_text(ts[:8]), ts[8]], [], task(), kernel.Sampling(100), _rules())
