"""Pack loading, inheritance through the tenant tree, and versions in time."""

from __future__ import annotations

from datetime import date

import pytest

from shuangsuiji.packs import NoVersionInForce, PackError, PackRegistry
from shuangsuiji.rules import TaskFacts
from tests.conftest import builtin_packs


@pytest.fixture
def registry() -> PackRegistry:
    return PackRegistry(builtin_packs())


def test_chongqing_overrides_miit_where_texts_differ(registry: PackRegistry) -> None:
    cq = registry.policy(["chongqing"]).rules(date(2026, 5, 1))
    miit = registry.policy([]).rules(date(2026, 5, 1))
    assert (miit.publication_deadline.working_days, cq.publication_deadline.working_days) == (
        30,
        20,
    )
    assert cq.publication_deadline.excluded_periods == ("testing", "inspection", "appraisal")
    assert miit.recusal_rule.modes == ("swap", "withdraw")
    assert cq.recusal_rule.modes == ("withdraw",)
    assert cq.on_site_rule.credentials == ("enforcement_certificate",)
    assert set(miit.on_site_rule.credentials) == {"enforcement_certificate", "work_id"}
    assert "testing" in miit.methods.methods and "testing" not in cq.methods.methods
    assert miit.exclusion_policy.same_quarter_other_divisions
    assert not cq.exclusion_policy.same_quarter_other_divisions
    assert "abnormal_operations" in {r.flag for r in cq.risk_rules}
    assert "abnormal_operations" not in {r.flag for r in miit.risk_rules}
    assert miit.report_rule.required and not cq.report_rule.required
    cats = {c.code: c for c in cq.item_categories}
    assert cats["key"].cap_permille is None and cats["key"].batch_order
    # CQ 第五条: each general item carries its own cap from the item list, no pack ceiling
    assert cats["general"].cap_required and cats["general"].cap_permille is None


def test_every_rule_cites_the_pack_that_decided_it(registry: PackRegistry) -> None:
    cq = registry.policy(["chongqing"]).rules(date(2026, 5, 1))
    assert cq.publication_deadline.cite.pack == "chongqing"
    assert cq.publication_deadline.cite.article == "第十四条"
    # Chongqing says nothing on the plan window: MIIT's answer falls through
    window = registry.policy(["chongqing"]).plan_window(2026)
    assert window.cite.pack == "miit" and window.end == date(2026, 3, 31)
    assert cq.governing == ("chongqing", "2021")


def test_chongqing_effective_thirty_days_after_issue(registry: PackRegistry) -> None:
    policy = registry.policy(["chongqing"])
    assert policy.rules(date(2021, 2, 8)).governing == ("chongqing", "2021")
    with pytest.raises(NoVersionInForce, match=r"chongqing.*2021-02-07"):
        policy.rules(date(2021, 2, 7))


def test_a_date_before_any_version_is_a_clear_error(registry: PackRegistry) -> None:
    with pytest.raises(NoVersionInForce, match=r"miit.*no version in force on 2017-12-31"):
        registry.policy([]).rules(date(2017, 12, 31))


def test_unknown_pack_is_named(registry: PackRegistry) -> None:
    with pytest.raises(PackError, match=r"'atlantis'.*not installed"):
        registry.policy(["atlantis"])


def test_deadline_hook_receives_task_facts(registry: PackRegistry) -> None:
    rule = registry.policy(["chongqing"]).deadline_rule(date(2026, 5, 1), TaskFacts(special=True))
    assert rule.working_days == 20
