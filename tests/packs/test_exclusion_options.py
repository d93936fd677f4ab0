"""Extra exclusions limited to item categories, with their own exempt flags (#19.4)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from shuangsuiji.packkit.conformance import run_checks
from shuangsuiji.packs import PackRegistry
from shuangsuiji.services.draws import applicable_exclusions
from shuangsuiji.toolkit import (
    Citation,
    ExclusionRule,
    ItemCategory,
    Pack,
    PackRules,
    PackVersion,
    hookimpl,
)
from shuangsuiji_provinces import ProvinceFileError, parse_province
from tests.conftest import builtin_packs

CITE = Citation("jh", "2025", "第十条第三款")
V1 = PackVersion("2025", "江工信规〔2025〕3号", "t", date(2025, 1, 2), date(2025, 3, 1))

TOML = '''name = "jh-opts"
title = "t"
contract = "1.0"

[[versions]]
version = "2025"
document = "江工信规〔2025〕3号"
title = "t"
issued = 2025-01-02
effective = 2025-03-01

[versions.rules.item_categories]
article = "第五条"

[[versions.rules.item_categories.categories]]
code = "key"
name_zh = "重点检查事项"
name_en = "key item"

[[versions.rules.item_categories.categories]]
code = "general"
name_zh = "一般检查事项"
name_en = "general item"

[versions.rules.extra_exclusions]
article = "第十条第三款"

[[versions.rules.extra_exclusions.exclusions]]
code = "general_within_90_days"
kind = "recently_inspected"
days = 90
CATEGORIES
exempt_flags = ["complaints", "bad_credit"]
'''


def _rules_over(extra: list[ExclusionRule]) -> Any:
    class Rules(PackRules):
        @hookimpl
        def ssj_item_categories(self, as_of: date) -> tuple[ItemCategory, ...]:
            return tuple(ItemCategory(c, c, c, None, False, False, 1000, self.cite("第五条"))
                         for c in ("key", "general"))

        @hookimpl
        def ssj_extra_exclusions(self, as_of: date) -> list[ExclusionRule]:
            return extra

    return Pack(name="jh-py", title="t", versions=((V1, Rules),), source="test")


def test_a_rule_limited_to_categories_applies_only_to_tasks_of_them() -> None:
    limited = ExclusionRule("recent", "recently_inspected",
                            (("days", 90), ("categories", "general")), CITE)
    everywhere = ExclusionRule("no-abnormal", "flag", (("flag", "abnormal_operations"),), CITE)
    pack = _rules_over([limited, everywhere])
    rules = PackRegistry([*builtin_packs(), pack]).policy(["jh-py"]).rules(date(2025, 6, 1))
    general, key = SimpleNamespace(category="general"), SimpleNamespace(category="key")
    assert applicable_exclusions(rules, [general]) == (limited, everywhere)  # type: ignore[list-item]
    assert applicable_exclusions(rules, [key]) == (everywhere,)  # type: ignore[list-item]
    assert applicable_exclusions(rules, [key, general]) == (limited, everywhere)  # type: ignore[list-item]


def test_province_files_declare_categories_and_exempt_flags() -> None:
    pack = parse_province(TOML.replace("CATEGORIES", 'categories = ["general"]'), "jh.toml")
    rules = PackRegistry([*builtin_packs(), pack]).policy(["jh-opts"]).rules(date(2025, 6, 1))
    [rule] = rules.extra_exclusions
    assert rule.categories == ("general",)
    assert rule.exempt_flags == frozenset({"complaints", "bad_credit"})
    assert rule.applies_to({"general"}) and not rule.applies_to({"key"})


def test_a_category_the_chain_lacks_is_a_resolution_problem() -> None:
    pack = parse_province(TOML.replace("CATEGORIES", 'categories = ["genral"]'), "jh.toml")
    problems = run_checks(pack, PackRegistry(builtin_packs()), only=("resolution",))
    messages = [p.message for p in problems["resolution"]]
    assert any("limited to item categories genral, which the chain does not have" in m
               for m in messages)


def test_bad_options_are_refused_in_toml_and_python() -> None:
    with pytest.raises(ProvinceFileError, match="'often' is not one of"):
        parse_province(TOML.replace("CATEGORIES", "").replace('"bad_credit"]', '"often"]'),
                       "jh.toml")
    bad = ExclusionRule("recent", "recently_inspected",
                        (("days", 90), ("exempt_flags", "often"), ("colour", "red")), CITE)
    problems = run_checks(_rules_over([bad]), PackRegistry(builtin_packs()),
                          only=("values",))["values"]
    text = "\n".join(p.message for p in problems)
    assert "'often' is not one of" in text and "params 'colour'" in text
