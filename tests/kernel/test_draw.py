"""The draw: reproducibility, sizes, batches, eligibility, scopes, groups, leaders, experts."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.kernel import (
    Credential,
    DrawParams,
    Inspector,
    NotEnoughPeople,
    RuleRefused,
    Sampling,
    draw,
    freeze_pool,
)
from tests.kernel.builders import (
    GENERAL,
    KEY,
    draw_rules,
    experts,
    inspectors,
    pool_rules,
    risk,
    small_result,
    targets,
    task,
)

pools = st.builds(
    lambda n, r, lo, flagged: freeze_pool(
        targets(n, {i: frozenset({"complaints"}) for i in range(0, n, flagged)}),
        [],
        task(),
        Sampling(r, lo, None),
        pool_rules(risk_rules=(risk("complaints"),)),
    ),
    st.integers(1, 200),
    st.integers(0, 1000),
    st.integers(0, 5),
    st.integers(2, 50),
)
seeds = st.text(min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(pools, seeds)
def test_same_pool_and_seed_give_the_same_result(pool, seed: str) -> None:
    a = draw(pool, seed, rules=draw_rules())
    b = draw(pool, seed, rules=draw_rules())
    assert a == b


@settings(max_examples=60, deadline=None)
@given(pools, seeds)
def test_no_target_twice_and_sizes_follow_the_strata(pool, seed: str) -> None:
    result = draw(pool, seed, rules=draw_rules())
    for stratum, drawn in zip(pool.strata, result.strata, strict=True):
        assert drawn.name == stratum.name
        assert len(drawn.selected) == stratum.size
        assert set(drawn.selected) <= {t.credit_code for t in stratum.members}
    assert len(result.selected) == len(set(result.selected))


def test_different_seeds_usually_differ() -> None:
    pool = freeze_pool(targets(200), [], task(), Sampling(50), pool_rules())
    results = {draw(pool, f"seed-{i}", rules=draw_rules()).strata[0].selected for i in range(50)}
    assert len(results) == 50  # 10 of 200 twice alike would be a 1-in-10^16 event


def test_seed_is_used_verbatim() -> None:
    pool = freeze_pool(targets(200), [], task(), Sampling(50), pool_rules())
    a = draw(pool, "seed", rules=draw_rules()).selected
    assert draw(pool, "seed ", rules=draw_rules()).selected != a


# --- batches ---------------------------------------------------------------------------------


def test_batch_order_is_drawn_for_key_items_above_the_threshold() -> None:
    pool = freeze_pool(targets(40), [], task(), Sampling(500), pool_rules())
    result = draw(pool, "b", rules=draw_rules(KEY), params=DrawParams(batch_count=3))
    drawn = result.strata[0].selected
    assert [len(b.targets) for b in sorted(result.batches, key=lambda b: b.number)] == [7, 7, 6]
    runs = {b.number: b.targets for b in result.batches}
    assert runs[1] + runs[2] + runs[3] == drawn  # contiguous runs in drawn order
    assert result.selected == tuple(c for b in result.batches for c in b.targets)
    orders = {
        tuple(
            b.number
            for b in draw(
                pool, f"b{i}", rules=draw_rules(KEY), params=DrawParams(batch_count=3)
            ).batches
        )
        for i in range(40)
    }
    assert len(orders) == 6  # all 3! orders occur


def test_batch_order_refused_for_general_items_and_low_ratios() -> None:
    pool = freeze_pool(targets(40), [], task(), Sampling(500), pool_rules())
    with pytest.raises(RuleRefused, match="第五条"):
        draw(pool, "b", rules=draw_rules(GENERAL), params=DrawParams(batch_count=2))
    low = freeze_pool(targets(40), [], task(), Sampling(200), pool_rules())
    with pytest.raises(RuleRefused, match="300 ‰"):
        draw(low, "b", rules=draw_rules(KEY), params=DrawParams(batch_count=2))


# --- inspectors ------------------------------------------------------------------------------


def test_groups_have_min_size_distinct_members_a_leader_and_round_robin_targets() -> None:
    result = small_result()
    members = [m for g in result.groups for m in g.members]
    assert len(members) == len(set(members)) == 6
    for g in result.groups:
        assert len(g.members) == 2 and g.leader in g.members
    order = result.selected
    for g in result.groups:
        assert g.targets == order[g.number - 1 :: 3]
    assert len(set(result.experts)) == 2


def test_targets_per_group_sets_the_group_count() -> None:
    pool = freeze_pool(targets(50), [], task(), Sampling(200), pool_rules())
    result = draw(
        pool,
        "g",
        rules=draw_rules(),
        params=DrawParams(targets_per_group=4),
        inspectors=inspectors(20),
    )
    assert len(result.groups) == 3  # ceil(10 / 4)


def test_eligibility_needs_an_accepted_credential_valid_on_the_inspection_date() -> None:
    people = [
        Inspector(
            "A", "甲", "D1", credentials=(Credential("enforcement_certificate", date(2025, 5, 12)),)
        ),
        Inspector(
            "B", "乙", "D1", credentials=(Credential("enforcement_certificate", date(2025, 5, 11)),)
        ),
        Inspector("C", "丙", "D1", credentials=(Credential("work_id", None),)),
        Inspector("D", "丁", "D1", credentials=(Credential("enforcement_certificate", None),)),
    ]
    pool = freeze_pool(targets(10), [], task(), Sampling(100), pool_rules())
    result = draw(pool, "e", rules=draw_rules(), inspectors=people)
    assert result.eligible_inspectors == ("A", "D")


def test_scopes() -> None:
    people = [
        Inspector("A", "甲", "D1", credentials=(Credential("enforcement_certificate"),)),
        Inspector(
            "B", "乙", "D1", subordinate=True, credentials=(Credential("enforcement_certificate"),)
        ),
        Inspector("C", "丙", "D2", credentials=(Credential("enforcement_certificate"),)),
    ]
    pool = freeze_pool(targets(10), [], task(), Sampling(100), pool_rules())

    def eligible(scope: str) -> tuple[str, ...]:
        return draw(
            pool, "s", rules=draw_rules(), params=DrawParams(scope=scope), inspectors=people
        ).eligible_inspectors

    assert eligible("within_department") == ("A",)
    assert eligible("with_subordinates") == ("A", "B")
    assert eligible("across_departments") == ("A", "B", "C")


def test_scope_not_allowed_by_the_pack_is_refused() -> None:
    from dataclasses import replace

    rules = draw_rules()
    rules = replace(rules, group_rule=replace(rules.group_rule, scopes=("across_departments",)))
    pool = freeze_pool(targets(10), [], task(), Sampling(100), pool_rules())
    with pytest.raises(RuleRefused, match="within_department"):
        draw(pool, "s", rules=rules, params=DrawParams(scope="within_department"))


def test_too_few_inspectors_says_how_many_are_missing() -> None:
    pool = freeze_pool(targets(30), [], task(), Sampling(100), pool_rules())
    with pytest.raises(
        NotEnoughPeople, match="need 6 inspectors for 3 groups of 2, only 4 eligible: 2 missing"
    ) as e:
        draw(
            pool,
            "x",
            rules=draw_rules(),
            params=DrawParams(group_count=3),
            inspectors=inspectors(4),
        )
    assert e.value.missing == 2
    # expired credentials do not count
    with pytest.raises(NotEnoughPeople, match="only 0 eligible"):
        draw(
            pool,
            "x",
            rules=draw_rules(),
            params=DrawParams(group_count=1),
            inspectors=inspectors(4, expires=date(2020, 1, 1)),
        )


def test_group_smaller_than_the_pack_minimum_is_refused() -> None:
    pool = freeze_pool(targets(30), [], task(), Sampling(100), pool_rules())
    with pytest.raises(RuleRefused, match="at least 2"):
        draw(
            pool,
            "x",
            rules=draw_rules(),
            params=DrawParams(group_count=1, group_size=1),
            inspectors=inspectors(4),
        )


def test_too_few_experts() -> None:
    pool = freeze_pool(targets(30), [], task(), Sampling(100), pool_rules())
    with pytest.raises(NotEnoughPeople, match="need 3 experts, only 2"):
        draw(pool, "x", rules=draw_rules(), params=DrawParams(experts_count=3), experts=experts(2))


def test_people_streams_do_not_disturb_the_targets() -> None:
    pool = freeze_pool(targets(60), [], task(), Sampling(100), pool_rules())
    bare = draw(pool, "x", rules=draw_rules())
    full = draw(
        pool,
        "x",
        rules=draw_rules(),
        params=DrawParams(group_count=2, experts_count=1),
        inspectors=inspectors(8),
        experts=experts(3),
    )
    assert bare.strata == full.strata
