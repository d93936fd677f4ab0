"""Freezing the pool: each exclusion rule, strata, sizes, canonical order and the digest."""

from __future__ import annotations

import math
from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.kernel import (
    Candidates,
    EmptyPool,
    Inspection,
    InvalidInput,
    Sampling,
    Target,
    check_ratio,
    freeze_pool,
    stratum_size,
)
from shuangsuiji.rules import Citation, ExclusionRule
from tests.kernel.builders import (
    CITE,
    GENERAL,
    KEY,
    policy,
    pool_rules,
    risk,
    targets,
    task,
    uscc,
)


def codes_in_pool(pool) -> set[str]:
    return {t.credit_code for s in pool.strata for t in s.members}


def excluded(pool) -> dict[str, tuple[str, str | None]]:
    return {e.credit_code: (e.rule_code, e.trigger_task_id) for e in pool.excluded}


def earlier(
    i: int,
    *,
    item: str = "ITEM-A",
    day: date = date(2025, 2, 1),
    division: str = "DIV-1",
    task_id: str = "T-OLD",
    status: str = "completed",
) -> Inspection:
    return Inspection(uscc(i), item, day, division, task_id, status)


# --- (a) once per year ------------------------------------------------------------------


@pytest.mark.parametrize("status", ["completed", "ongoing"])
def test_same_item_same_year_is_excluded_ongoing_included(status: str) -> None:
    pool = freeze_pool(targets(5), [earlier(1, status=status)], task(), Sampling(500), pool_rules())
    assert excluded(pool) == {uscc(1): ("once_per_year", "T-OLD")}
    assert uscc(1) not in codes_in_pool(pool)
    assert pool.excluded[0].citation == CITE


def test_voided_draws_do_not_count() -> None:
    pool = freeze_pool(
        targets(5), [earlier(1, status="voided")], task(), Sampling(500), pool_rules()
    )
    assert pool.excluded == ()


def test_other_item_or_other_year_does_not_exclude_under_once_per_year() -> None:
    history = [earlier(1, item="ITEM-B", division="DIV-1"), earlier(2, day=date(2024, 5, 1))]
    pool = freeze_pool(targets(5), history, task(), Sampling(500), pool_rules())
    assert pool.excluded == ()


def test_once_per_year_off_keeps_the_target() -> None:
    rules = pool_rules(exclusion_policy=policy(once=False, quarter=False))
    pool = freeze_pool(targets(5), [earlier(1)], task(), Sampling(500), rules)
    assert uscc(1) in codes_in_pool(pool)


def test_trigger_is_the_earliest_matching_inspection() -> None:
    history = [
        earlier(1, day=date(2025, 3, 1), task_id="T-B"),
        earlier(1, day=date(2025, 1, 5), task_id="T-A"),
    ]
    pool = freeze_pool(targets(3), history, task(), Sampling(500), pool_rules())
    assert excluded(pool)[uscc(1)] == ("once_per_year", "T-A")


# --- (b) same quarter, other divisions ------------------------------------------------------


def test_same_quarter_other_division_excluded_when_enabled() -> None:
    ins = earlier(2, item="ITEM-Z", day=date(2025, 4, 2), division="DIV-9", task_id="T-Q")
    pool = freeze_pool(targets(5), [ins], task(), Sampling(500), pool_rules())
    assert excluded(pool) == {uscc(2): ("same_quarter_other_divisions", "T-Q")}


def test_same_quarter_rule_skips_own_division_other_quarter_and_joint_tasks() -> None:
    same_div = earlier(1, item="ITEM-Z", day=date(2025, 4, 2), division="DIV-1")
    other_q = earlier(2, item="ITEM-Z", day=date(2025, 3, 31), division="DIV-9")
    other_div = earlier(3, item="ITEM-Z", day=date(2025, 5, 12), division="DIV-9")
    history = [same_div, other_q, other_div]
    pool = freeze_pool(targets(5), history, task(), Sampling(500), pool_rules())
    assert set(excluded(pool)) == {uscc(3)}
    joint = freeze_pool(targets(5), history, task(joint=True), Sampling(500), pool_rules())
    assert joint.excluded == ()
    off = pool_rules(exclusion_policy=policy(quarter=False))
    assert freeze_pool(targets(5), history, task(), Sampling(500), off).excluded == ()


# --- (c) risk-flag exemption, (d) special tasks ---------------------------------------------


def test_exempt_risk_flag_lifts_once_per_year_and_same_quarter() -> None:
    ts = targets(5, {1: frozenset({"complaints"}), 2: frozenset({"complaints"})})
    history = [earlier(1), earlier(2, item="ITEM-Z", day=date(2025, 4, 2), division="DIV-9")]
    rules = pool_rules(exclusion_policy=policy(exempt=frozenset({"complaints"})))
    pool = freeze_pool(ts, history, task(), Sampling(500), rules)
    assert pool.excluded == ()
    # without the exemption both are excluded
    pool = freeze_pool(ts, history, task(), Sampling(500), pool_rules())
    assert set(excluded(pool)) == {uscc(1), uscc(2)}


def test_special_task_bypasses_every_exclusion() -> None:
    flag_rule = ExclusionRule("no-abnormal", "flag", (("flag", "abnormal_operations"),), CITE)
    ts = targets(4, {3: frozenset({"abnormal_operations"})})
    history = [earlier(1), earlier(2, item="ITEM-Z", day=date(2025, 4, 2), division="DIV-9")]
    rules = pool_rules(extra_exclusions=(flag_rule,))
    assert len(freeze_pool(ts, history, task(), Sampling(500), rules).excluded) == 3
    special = freeze_pool(ts, history, task(special=True), Sampling(500), rules)
    assert special.excluded == () and special.size == 4


# --- (e) extra rules -------------------------------------------------------------------------


def test_extra_recently_inspected_rule() -> None:
    rule = ExclusionRule(
        "recent-90", "recently_inspected", (("days", 90),), Citation("p", "1", "第三条")
    )
    history = [
        earlier(1, item="ITEM-Z", day=date(2025, 2, 11), task_id="T-IN"),  # 90 days before
        earlier(2, item="ITEM-Z", day=date(2025, 2, 10), task_id="T-OUT"),  # 91 days before
    ]
    rules = pool_rules(exclusion_policy=policy(False, False), extra_exclusions=(rule,))
    pool = freeze_pool(targets(4), history, task(), Sampling(500), rules)
    assert excluded(pool) == {uscc(1): ("recent-90", "T-IN")}
    assert pool.excluded[0].citation.article == "第三条"


def test_extra_flag_rule_applies_even_to_exempt_flags() -> None:
    rule = ExclusionRule("no-abnormal", "flag", (("flag", "abnormal_operations"),), CITE)
    ts = targets(4, {2: frozenset({"abnormal_operations"})})
    rules = pool_rules(
        exclusion_policy=policy(exempt=frozenset({"abnormal_operations"})), extra_exclusions=(rule,)
    )
    pool = freeze_pool(ts, [], task(), Sampling(500), rules)
    assert excluded(pool) == {uscc(2): ("no-abnormal", None)}


def test_extra_rule_with_its_own_exempt_flags() -> None:
    """An extra rule's ``exempt_flags`` spare flagged targets; the policy's
    ``exempt_risk_flags`` do not reach extra rules (docs/draw-spec.md §3.1)."""
    history = [earlier(n, item="ITEM-Z", day=date(2025, 4, 1), task_id="T-IN")
               for n in (1, 2, 3)]
    ts = targets(4, {1: frozenset({"complaints"}), 2: frozenset({"bad_credit"})})
    plain = ExclusionRule("recent-90", "recently_inspected", (("days", 90),), CITE)
    exempting = ExclusionRule("recent-90", "recently_inspected",
                              (("days", 90), ("exempt_flags", "bad_credit,complaints")), CITE)
    # the policy exempts complaints from the built-in rules, not from the extra one
    policy_only = pool_rules(exclusion_policy=policy(False, False,
                                                     exempt=frozenset({"complaints"})),
                             extra_exclusions=(plain,))
    pool = freeze_pool(ts, history, task(), Sampling(500), policy_only)
    assert set(excluded(pool)) == {uscc(1), uscc(2), uscc(3)}
    own = pool_rules(exclusion_policy=policy(False, False), extra_exclusions=(exempting,))
    pool = freeze_pool(ts, history, task(), Sampling(500), own)
    assert excluded(pool) == {uscc(3): ("recent-90", "T-IN")}
    assert {uscc(1), uscc(2)} <= codes_in_pool(pool)


def test_extra_rule_options_must_be_text() -> None:
    rule = ExclusionRule("recent", "recently_inspected", (("days", 9), ("exempt_flags", 3)), CITE)
    with pytest.raises(InvalidInput, match="'exempt_flags' must be text"):
        freeze_pool(targets(3), [], task(), Sampling(500), pool_rules(extra_exclusions=(rule,)))


def test_unknown_extra_rule_kind_is_refused_naming_the_rule() -> None:
    rule = ExclusionRule("odd", "moon_phase", (), CITE)
    with pytest.raises(InvalidInput, match=r"'odd'.*moon_phase"):
        freeze_pool(targets(3), [], task(), Sampling(500), pool_rules(extra_exclusions=(rule,)))


# --- empty pool, canonical text, duplicates ------------------------------------------------


def test_empty_pool_raises_with_the_exclusion_counts() -> None:
    with pytest.raises(EmptyPool, match=r"all 2 candidates were excluded \(once_per_year: 2\)"):
        freeze_pool(targets(2), [earlier(0), earlier(1)], task(), Sampling(500), pool_rules())
    with pytest.raises(EmptyPool, match="no candidate target"):
        freeze_pool([], [], task(), Sampling(500), pool_rules())


def test_canonical_order_is_by_utf8_bytes_and_text_is_nfc_stripped() -> None:
    # "Z" < "a" < "é" < "中" by bytes; the decomposed é must become NFC
    ts = [
        Target("中1", "x", frozenset()),
        Target(" a1 ", "y", frozenset()),
        Target("Z1", "z", frozenset()),
        Target("e\u03011", "  名称  ", frozenset()),
    ]
    pool = freeze_pool(ts, [], task(), Sampling(1000), pool_rules())
    members = pool.strata[0].members
    assert [t.credit_code for t in members] == ["Z1", "a1", "\u00e91", "中1"]
    assert members[2].name == "名称"
    assert [t.credit_code.encode() for t in members] == sorted(
        t.credit_code.encode() for t in members
    )


def test_equivalent_inputs_in_any_order_give_the_same_digest() -> None:
    a = freeze_pool(targets(20), [], task(), Sampling(100), pool_rules())
    ts = targets(20)[::-1]
    ts[0] = Target(" " + ts[0].credit_code, ts[0].name + " ", ts[0].flags)
    b = freeze_pool(ts, [], task(item_codes=("ITEM-A", "ITEM-A")), Sampling(100), pool_rules())
    assert a.digest == b.digest
    c = freeze_pool(targets(20)[:-1], [], task(), Sampling(100), pool_rules())
    assert c.digest != a.digest


def test_a_name_change_changes_the_digest() -> None:
    ts = targets(5)
    a = freeze_pool(ts, [], task(), Sampling(100), pool_rules())
    ts[2] = Target(ts[2].credit_code, "另一家", ts[2].flags)
    assert freeze_pool(ts, [], task(), Sampling(100), pool_rules()).digest != a.digest


def test_duplicate_codes_and_tabs_are_refused() -> None:
    with pytest.raises(InvalidInput, match="occurs twice"):
        freeze_pool(targets(3) + targets(1), [], task(), Sampling(100), pool_rules())
    bad = [Target(uscc(0), "a\tb", frozenset())]
    with pytest.raises(InvalidInput, match="tab"):
        freeze_pool(bad, [], task(), Sampling(100), pool_rules())


def test_duplicates_are_refused_whichever_path_each_copy_takes() -> None:
    """A copy with flags (handled one by one) and a plain copy; an excluded copy and a
    kept one; two copies with history that stay in the pool."""
    ts = targets(5)
    flagged = Target(ts[2].credit_code, "另一家", frozenset({"complaints"}))
    with pytest.raises(InvalidInput, match="occurs twice"):
        freeze_pool([*ts, flagged], [], task(), Sampling(100), pool_rules())
    with pytest.raises(InvalidInput, match="occurs twice"):
        freeze_pool([flagged, *ts], [], task(), Sampling(100), pool_rules())
    # uscc(1) excluded by once_per_year, and a second copy of it
    with pytest.raises(InvalidInput, match="occurs twice"):
        freeze_pool([*ts, ts[1]], [earlier(1)], task(), Sampling(100), pool_rules())
    # history that excludes nobody (another item, last year): both copies stay plain
    old = earlier(3, day=date(2024, 2, 1), item="ITEM-Z")
    with pytest.raises(InvalidInput, match="occurs twice"):
        freeze_pool([*ts, ts[3]], [old], task(), Sampling(100), pool_rules())


def test_columns_and_targets_freeze_the_same_pool() -> None:
    ts = targets(300, {7: frozenset({"complaints"}), 9: frozenset({"other"})})
    rules = pool_rules(risk_rules=(risk("complaints"),))
    history = [earlier(i) for i in range(0, 300, 7)]
    a = freeze_pool(ts, history, task(), Sampling(100), rules)
    chunks = [
        Candidates(
            [t.credit_code for t in ts[k : k + 100]],
            [t.name for t in ts[k : k + 100]],
            {i: t.flags for i, t in enumerate(ts[k : k + 100]) if t.flags},
        )
        for k in range(0, 300, 100)
    ]
    b = freeze_pool(chunks, history, task(), Sampling(100), rules)
    assert a.digest == b.digest and a.strata == b.strata and a.excluded == b.excluded


def test_codes_below_tab_still_sort_in_code_point_order() -> None:
    """A code extended by a character below TAB sorts after the shorter code, not before
    (the member lines are sorted by code, not as whole lines, in such a pool)."""
    ts = [Target("A\x01", "x"), Target("A", "y"), Target("B", "z")]
    pool = freeze_pool(ts, [], task(), Sampling(1000), pool_rules())
    assert [t.credit_code for t in pool.strata[0].members] == ["A", "A\x01", "B"]
    with pytest.raises(InvalidInput, match="occurs twice"):
        freeze_pool([*ts, Target("A", "again")], [], task(), Sampling(1000), pool_rules())


# --- strata and sizes ----------------------------------------------------------------------


def test_risk_strata_follow_rule_order_and_ratios() -> None:
    ts = targets(
        40,
        {
            1: frozenset({"bad_credit", "complaints"}),
            2: frozenset({"bad_credit"}),
            3: frozenset({"unknown_flag"}),
        },
    )
    rules = pool_rules(risk_rules=(risk("complaints", multiplier=3), risk("bad_credit", ratio=900)))
    pool = freeze_pool(ts, [], task(), Sampling(100), rules)
    by_name = {s.name: s for s in pool.strata}
    assert [s.name for s in pool.strata] == ["risk:complaints", "risk:bad_credit", "general"]
    assert [t.credit_code for t in by_name["risk:complaints"].members] == [uscc(1)]
    assert [t.credit_code for t in by_name["risk:bad_credit"].members] == [uscc(2)]
    assert uscc(3) in {t.credit_code for t in by_name["general"].members}
    assert by_name["risk:complaints"].ratio_permille == 300
    assert by_name["risk:bad_credit"].ratio_permille == 900
    assert by_name["general"].ratio_permille == 100
    assert by_name["general"].size == 4  # ceil(38 * 0.1)


def test_risk_ratio_is_capped_at_1000() -> None:
    ts = targets(10, {0: frozenset({"complaints"})})
    pool = freeze_pool(ts, [], task(), Sampling(600), pool_rules(risk_rules=(risk("complaints"),)))
    assert pool.strata[0].ratio_permille == 1000


def test_ceil_is_integer_exact_where_floats_are_not() -> None:
    # ceil(0.07 * 100) is 8 in binary floating point; 70 ‰ of 100 is exactly 7
    assert math.ceil(0.07 * 100) == 8
    assert stratum_size(100, 70, Sampling(70)) == 7


@given(
    st.integers(0, 5000),
    st.integers(0, 1000),
    st.integers(0, 50),
    st.one_of(st.none(), st.integers(0, 400)),
)
def test_stratum_size_follows_ratio_min_and_max(n: int, r: int, lo: int, hi: int | None) -> None:
    if hi is not None and hi < lo:
        hi = lo
    size = stratum_size(n, r, Sampling(r, lo, hi))
    expected = math.ceil(Fraction(n * r, 1000))
    expected = max(expected, lo)
    if hi is not None:
        expected = min(expected, hi)
    assert size == min(expected, n)
    assert 0 <= size <= n


@pytest.mark.parametrize("bad", [Sampling(1001), Sampling(-1), Sampling(100, 5, 2)])
def test_bad_sampling_is_refused(bad: Sampling) -> None:
    with pytest.raises(InvalidInput):
        freeze_pool(targets(3), [], task(), bad, pool_rules())


# --- check_ratio ---------------------------------------------------------------------------


def test_check_ratio() -> None:
    assert check_ratio(KEY, 1000, None) is None  # key items: no cap (CQ 第五条)
    assert check_ratio(GENERAL, 150, 180) is None
    no_cap = check_ratio(GENERAL, 150, None)
    assert no_cap is not None and "第五条" in no_cap and "cap" in no_cap
    over_pack = check_ratio(GENERAL, 250, 300)
    assert over_pack is not None and "200 ‰" in over_pack and "第五条" in over_pack
    over_item = check_ratio(GENERAL, 150, 120)
    assert over_item is not None and "120 ‰" in over_item


# --- exclusions: each check has a test that fails without it (scripts/mutate) --------------


def test_unknown_extra_rule_kind_is_refused_for_its_kind() -> None:
    rule = ExclusionRule("odd", "moon_phase", (("flag", "x"),), CITE)
    with pytest.raises(InvalidInput, match=r"has kind 'moon_phase'; the kernel knows"):
        freeze_pool(targets(3), [], task(), Sampling(500), pool_rules(extra_exclusions=(rule,)))


@pytest.mark.parametrize(("kind", "params", "needed"), [
    ("recently_inspected", (("days", "90"),), r"'days' of type int"),
    ("recently_inspected", (("days", True),), r"'days' of type int"),
    ("recently_inspected", (), r"'days' of type int"),
    ("flag", (("flag", 7),), r"'flag' of type str"),
])
def test_extra_rule_params_of_the_wrong_type_are_refused(kind: str, params: tuple[
        tuple[str, object], ...], needed: str) -> None:
    rule = ExclusionRule("bad", kind, params, CITE)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=needed):
        freeze_pool(targets(3), [], task(), Sampling(500), pool_rules(extra_exclusions=(rule,)))


def test_the_tasks_own_records_do_not_exclude_when_it_is_frozen_again() -> None:
    own = [earlier(1, task_id=task().task_id)]
    pool = freeze_pool(targets(4), own, task(), Sampling(500), pool_rules())
    assert excluded(pool) == {} and pool.size == 4


def test_history_codes_are_compared_in_canonical_form() -> None:
    code = uscc(1)
    loose = Inspection(f" {code} ", "ITEM-A", date(2025, 2, 1), "DIV-1", "T-OLD", "completed")
    pool = freeze_pool(targets(4), [loose], task(), Sampling(500), pool_rules())
    assert excluded(pool) == {code: ("once_per_year", "T-OLD")}


@pytest.mark.parametrize("count", [2, 3])
def test_the_earliest_recent_inspection_is_named_as_the_trigger(count: int) -> None:
    rule = ExclusionRule("recent-90", "recently_inspected", (("days", 90),), CITE)
    days = [date(2025, 3, 20), date(2025, 3, 1), date(2025, 3, 10)][:count]
    history = [earlier(1, item="ITEM-Z", day=d, task_id=f"T-{d:%m%d}") for d in days]
    rules = pool_rules(exclusion_policy=policy(False, False), extra_exclusions=(rule,))
    pool = freeze_pool(targets(4), history, task(), Sampling(500), rules)
    assert excluded(pool) == {uscc(1): ("recent-90", f"T-{min(days):%m%d}")}


@pytest.mark.parametrize(("name", "zh"), [("a\tb", "含有制表符"), ("a\nb", "含有换行符")])
def test_a_separator_in_a_field_is_refused_in_the_reader_s_language(name: str, zh: str) -> None:
    # a flagged member takes the one-by-one path, whose field check names the field
    from shuangsuiji.kernel.verify import chinese

    bad = [Target(uscc(0), name, frozenset({"complaints"}))]
    with pytest.raises(InvalidInput) as refused:
        freeze_pool(bad, [], task(), Sampling(100), pool_rules())
    problem = refused.value.args[0]
    assert f"name of {uscc(0)!r}" in problem and "freeze the pool again" in problem
    assert problem.render(chinese()) == (
        f"'{uscc(0)}' 的名称 {name!r} {zh}：请在名录库中删除后重新冻结抽取池")
