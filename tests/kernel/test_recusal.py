"""Recusal (回避): withdraw and swap, refusal of modes a pack does not allow, reproducibility."""

from __future__ import annotations

import pytest

from shuangsuiji.kernel import InvalidInput, RecusalImpossible, RuleRefused, apply_recusal
from tests.kernel.builders import CQ_RECUSAL, MIIT_RECUSAL, small_result


def test_withdraw_draws_a_replacement_not_in_the_task_and_not_conflicted() -> None:
    result = small_result()
    g = result.groups[0]
    person, target = g.members[1], g.targets[0]
    in_task = {m for grp in result.groups for m in grp.members}
    free = [p for p in result.eligible_inspectors if p not in in_task]
    conflicted = free[0]
    out = apply_recusal(
        result,
        result.seed,
        1,
        person,
        target,
        "withdraw",
        CQ_RECUSAL,
        conflicts=[(conflicted, target)],
    )
    step = out.step
    assert step.replacement in free and step.replacement != conflicted
    after = out.result.final_groups[0]
    assert person not in after.members and step.replacement in after.members
    assert after.members.index(step.replacement) == 1  # takes the same place
    assert out.result.groups == result.groups  # the draw as made is kept
    assert out.result.final_groups[1:] == result.groups[1:]
    # reproducible: the same step on the same result gives the same outcome
    again = apply_recusal(
        result,
        result.seed,
        1,
        person,
        target,
        "withdraw",
        CQ_RECUSAL,
        conflicts=[(conflicted, target)],
    )
    assert again == out


def test_withdrawing_a_leader_draws_a_new_leader() -> None:
    result = small_result()
    g = result.groups[0]
    out = apply_recusal(result, result.seed, 1, g.leader, g.targets[0], "withdraw", MIIT_RECUSAL)
    after = out.result.final_groups[0]
    assert out.step.new_leader == after.leader and after.leader in after.members


def test_withdrawn_person_is_never_drawn_back() -> None:
    result = small_result()
    seen = []
    for step in range(1, 5):
        g = result.final_groups[0]
        person = g.members[0]
        seen.append(person)
        result = apply_recusal(
            result, result.seed, step, person, g.targets[0], "withdraw", CQ_RECUSAL
        ).result
        assert not set(seen) & set(result.final_groups[0].members)
    # 10 eligible, 6 drawn, 4 withdrawn: nobody is left
    g = result.final_groups[0]
    with pytest.raises(RecusalImpossible, match="no inspector is left"):
        apply_recusal(result, result.seed, 5, g.members[0], g.targets[0], "withdraw", CQ_RECUSAL)


def test_swap_trades_the_target_with_a_group_without_conflict() -> None:
    result = small_result()
    g1, g2, g3 = result.groups
    target = g1.targets[0]
    # everyone in group 2 has a conflict with the target: only group 3 can take it
    conflicts = [(m, target) for m in g2.members]
    out = apply_recusal(
        result, result.seed, 1, g1.members[0], target, "swap", MIIT_RECUSAL, conflicts=conflicts
    )
    assert out.step.swap_group == 3 and out.step.swap_target in g3.targets
    new1, new2, new3 = out.result.final_groups
    assert target in new3.targets and out.step.swap_target in new1.targets
    assert new2 == g2
    assert sorted(new1.targets + new3.targets) == sorted(g1.targets + g3.targets)
    assert new1.targets.index(out.step.swap_target) == g1.targets.index(target)


def test_swap_impossible_when_every_group_is_conflicted() -> None:
    result = small_result()
    g1 = result.groups[0]
    target = g1.targets[0]
    conflicts = [(m, target) for g in result.groups[1:] for m in g.members]
    with pytest.raises(RecusalImpossible, match="withdraw"):
        apply_recusal(
            result, result.seed, 1, g1.members[0], target, "swap", MIIT_RECUSAL, conflicts=conflicts
        )


def test_chongqing_refuses_swap_citing_its_article() -> None:
    result = small_result()
    g = result.groups[0]
    with pytest.raises(RuleRefused, match=r"chongqing 2021 第九条.*withdraw"):
        apply_recusal(result, result.seed, 1, g.members[0], g.targets[0], "swap", CQ_RECUSAL)


def test_expert_withdraw_and_expert_swap_refused() -> None:
    result = small_result()
    expert, target = result.experts[0], result.selected[0]
    out = apply_recusal(result, result.seed, 1, expert, target, "withdraw", CQ_RECUSAL)
    assert out.step.role == "expert"
    assert out.step.replacement not in result.experts
    assert expert not in out.result.final_experts
    with pytest.raises(RecusalImpossible, match="experts are drawn for the whole task"):
        apply_recusal(result, result.seed, 1, expert, target, "swap", MIIT_RECUSAL)


def test_steps_must_come_in_order_and_name_a_target_of_the_group() -> None:
    result = small_result()
    g = result.groups[0]
    with pytest.raises(InvalidInput, match="next is step 1"):
        apply_recusal(result, result.seed, 2, g.members[0], g.targets[0], "withdraw", CQ_RECUSAL)
    other_target = result.groups[1].targets[0]
    with pytest.raises(InvalidInput, match="not assigned to group 1"):
        apply_recusal(result, result.seed, 1, g.members[0], other_target, "withdraw", CQ_RECUSAL)
    with pytest.raises(InvalidInput, match="neither an inspector nor an expert"):
        apply_recusal(result, result.seed, 1, "NOBODY", g.targets[0], "withdraw", CQ_RECUSAL)


def test_a_recusal_step_leaves_earlier_steps_unchanged() -> None:
    result = small_result()
    g1, g2 = result.groups[0], result.groups[1]
    one = apply_recusal(
        result, result.seed, 1, g1.members[1], g1.targets[0], "withdraw", CQ_RECUSAL
    )
    two = apply_recusal(
        one.result, result.seed, 2, g2.members[1], g2.targets[0], "withdraw", CQ_RECUSAL
    )
    assert two.result.recusals[0] == one.step
    assert two.result.final_groups[0] == one.result.final_groups[0]


def test_recusing_someone_already_withdrawn_says_so() -> None:
    result = small_result()
    g = result.groups[0]
    person, target = g.members[1], g.targets[0]
    out = apply_recusal(result, result.seed, 1, person, target, "withdraw", CQ_RECUSAL)
    with pytest.raises(InvalidInput, match="already withdrew from this task") as exc:
        apply_recusal(out.result, result.seed, 2, person, target, "withdraw", CQ_RECUSAL)
    assert "step 1" in str(exc.value) and str(out.step.replacement) in str(exc.value)
    assert "neither an inspector" not in str(exc.value)
    # an expert who withdrew is named the same way
    expert = result.experts[0]
    gone = apply_recusal(result, result.seed, 1, expert, result.selected[0], "withdraw",
                         CQ_RECUSAL)
    with pytest.raises(InvalidInput, match="already withdrew"):
        apply_recusal(gone.result, result.seed, 2, expert, result.selected[0], "withdraw",
                      CQ_RECUSAL)


# --- declared conflicts decide, for certain (not by luck of a seed) ----------------------


def _free_inspectors(result) -> list[str]:  # type: ignore[no-untyped-def]
    in_task = {m for grp in result.final_groups for m in grp.members}
    return [p for p in result.eligible_inspectors if p not in in_task]


@pytest.mark.parametrize("seed", [f"seed {i}" for i in range(8)])
def test_withdraw_replacement_is_the_one_free_inspector_without_a_conflict(seed: str) -> None:
    """Every free inspector but one has a declared conflict with a target of the group
    (not the recused one): whatever the seed, the replacement is the unconflicted one."""
    result = small_result(seed)
    g = result.groups[0]
    person, target = g.members[0], g.targets[0]
    free = _free_inspectors(result)
    assert len(free) >= 2
    keep, *conflicted = free
    other_target = g.targets[-1]
    conflicts = [(p, other_target) for p in conflicted]
    out = apply_recusal(result, result.seed, 1, person, target, "withdraw", CQ_RECUSAL,
                        conflicts=conflicts)
    assert out.step.replacement == keep
    # every declared conflict, and the recused pair, is recorded in the step
    assert set(out.step.conflicts) == {*conflicts, (person, target)}


def test_withdraw_is_impossible_when_every_free_inspector_has_a_conflict() -> None:
    result = small_result()
    g = result.groups[0]
    conflicts = [(p, g.targets[-1]) for p in _free_inspectors(result)]
    with pytest.raises(RecusalImpossible, match="no inspector is left"):
        apply_recusal(result, result.seed, 1, g.members[0], g.targets[0], "withdraw",
                      CQ_RECUSAL, conflicts=conflicts)


def test_a_conflict_with_another_groups_target_does_not_bar_a_replacement() -> None:
    """Only conflicts with the group's own targets bar an inspector from replacing."""
    result = small_result()
    g, other = result.groups[0], result.groups[1]
    free = _free_inspectors(result)
    conflicts = [(p, other.targets[0]) for p in free]
    out = apply_recusal(result, result.seed, 1, g.members[0], g.targets[0], "withdraw",
                        CQ_RECUSAL, conflicts=conflicts)
    assert out.step.replacement in free


@pytest.mark.parametrize("seed", [f"seed {i}" for i in range(8)])
def test_expert_replacement_avoids_experts_with_a_conflict_with_any_drawn_target(
    seed: str,
) -> None:
    result = small_result(seed)
    expert = result.experts[0]
    free = [e.person_id for e in result.experts_directory if e.person_id not in result.experts]
    keep, *conflicted = free
    conflicts = [(p, result.selected[-1]) for p in conflicted]
    out = apply_recusal(result, result.seed, 1, expert, result.selected[0], "withdraw",
                        CQ_RECUSAL, conflicts=conflicts)
    assert out.step.replacement == keep
    with pytest.raises(RecusalImpossible, match="no expert is left"):
        apply_recusal(result, result.seed, 1, expert, result.selected[0], "withdraw",
                      CQ_RECUSAL, conflicts=[*conflicts, (keep, result.selected[1])])


# --- each refusal has a test that fails without it (scripts/mutate) ---------------------------


def test_a_recusal_with_another_seed_is_refused() -> None:
    result = small_result()
    g = result.groups[0]
    with pytest.raises(InvalidInput, match="differs from the draw's seed"):
        apply_recusal(result, result.seed + " ", 1, g.members[0], g.targets[0], "withdraw",
                      CQ_RECUSAL)


def test_an_unknown_mode_is_refused_as_unknown_not_as_disallowed() -> None:
    result = small_result()
    g = result.groups[0]
    with pytest.raises(InvalidInput, match="recusal mode 'abstain' is unknown"):
        apply_recusal(result, result.seed, 1, g.members[0], g.targets[0], "abstain",
                      MIIT_RECUSAL)


def test_an_expert_recused_from_a_target_not_drawn_is_refused() -> None:
    result = small_result()
    undrawn = next(c for c in (f"X{i}" for i in range(99)) if c not in result.selected)
    with pytest.raises(InvalidInput, match="was not drawn in this task"):
        apply_recusal(result, result.seed, 1, result.experts[0], undrawn, "withdraw",
                      CQ_RECUSAL)


def test_declared_conflicts_are_recorded_in_canonical_order() -> None:
    """By person id, then credit code, as UTF-8 bytes: the bundle's order (docs/draw-spec.md)."""
    result = small_result()
    g = result.groups[0]
    person, target = g.members[0], g.targets[0]
    free = sorted(_free_inspectors(result), key=str.encode)
    lo, hi = sorted(g.targets[:2], key=str.encode)
    # a later person with an earlier target: sorting by target would put it first
    conflicts = [(free[-1], lo), (free[0], hi)]
    out = apply_recusal(result, result.seed, 1, person, target, "withdraw", CQ_RECUSAL,
                        conflicts=conflicts)
    expected = sorted({*conflicts, (person, target)},
                      key=lambda pair: (pair[0].encode(), pair[1].encode()))
    assert list(out.step.conflicts) == expected
