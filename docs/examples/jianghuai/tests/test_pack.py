"""Tests of the jianghuai pack: the conformance kit, then the pack's own rules."""

from __future__ import annotations

from datetime import date

from shuangsuiji.toolkit import PackRegistry, ssj_pack_conformance

test_conformance = ssj_pack_conformance("jianghuai")


def test_rules_over_miit(ssj_pack_registry: PackRegistry) -> None:
    rules = ssj_pack_registry.policy(["jianghuai"]).rules(date(2026, 6, 1))
    assert rules.publication_deadline.working_days == 15
    assert rules.category("general").cap_permille == 50
    assert rules.recusal_rule.modes == ("withdraw",)
    assert "testing" not in rules.methods.methods


def test_2027_raises_the_general_cap_only(ssj_pack_registry: PackRegistry) -> None:
    policy = ssj_pack_registry.policy(["jianghuai"])
    before, after = policy.rules(date(2026, 12, 31)), policy.rules(date(2027, 1, 1))
    assert before.category("general").cap_permille == 50
    assert after.category("general").cap_permille == 80
    assert after.category("general").cite.version == "2027"
    assert after.publication_deadline.working_days == 15
