"""Province files and Python packs are held to the same codes and bounds (one validation)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from shuangsuiji.packkit.conformance import run_checks
from shuangsuiji.packs import PackRegistry
from shuangsuiji.toolkit import (
    CODE_PATTERN,
    DeadlineRule,
    ExclusionRule,
    ItemCategory,
    Pack,
    PackRules,
    PackVersion,
    ResultType,
    hookimpl,
)
from shuangsuiji_provinces import ProvinceFileError, parse_province
from shuangsuiji_provinces.schema import schema_markdown
from tests.conftest import builtin_packs

V1 = PackVersion("2025", "江工信规〔2025〕3号", "江淮省实施细则", date(2025, 1, 2),
                 date(2025, 3, 1))

TOML_HEAD = '''name = "same"
title = "t"
contract = "1.0"

[[versions]]
version = "2025"
document = "江工信规〔2025〕3号"
title = "t"
issued = 2025-01-02
effective = 2025-03-01

'''

# (what, TOML rule tables, a Python hook returning the same rule)
CASES: list[tuple[str, str, str, Any]] = [
    ("item category code", '''[versions.rules.item_categories]
article = "第五条"

[[versions.rules.item_categories.categories]]
code = "General-Items"
name_zh = "一般"
name_en = "general"
''', "ssj_item_categories", lambda self: (ItemCategory(
        "General-Items", "一般", "general", None, False, False, 1000, self.cite("第五条")),)),
    ("result type code", '''[versions.rules.result_types]
article = "第十六条"

[[versions.rules.result_types.results]]
code = "9lives"
name_zh = "x"
name_en = "x"
problem_found = true
''', "ssj_result_types", lambda self: [ResultType("9lives", "x", "x", True,
                                                  self.cite("第十六条"))]),
    ("exclusion days", '''[versions.rules.extra_exclusions]
article = "第十条"

[[versions.rules.extra_exclusions.exclusions]]
code = "recent"
kind = "recently_inspected"
days = 5000
''', "ssj_extra_exclusions", lambda self: [ExclusionRule(
        "recent", "recently_inspected", (("days", 5000),), self.cite("第十条"))]),
    ("working days", '''[versions.rules.publication_deadline]
working_days = 400
article = "第十四条"
''', "ssj_publication_deadline", lambda self: DeadlineRule(
        400, "work_end", (), ("portal",), True, self.cite("第十四条"))),
    ("channels", '''[versions.rules.publication_deadline]
working_days = 15
channels = ["radio"]
article = "第十四条"
''', "ssj_publication_deadline", lambda self: DeadlineRule(
        15, "work_end", (), ("radio",), True, self.cite("第十四条"))),
]


def _python_pack(hook: str, answer: Any) -> Pack:
    def impl(self: PackRules, as_of: date, **_: Any) -> Any:
        return answer(self)

    if hook == "ssj_publication_deadline":
        def impl(self: PackRules, as_of: date, task: Any) -> Any:  # type: ignore[misc]
            return answer(self)
    impl.__name__ = hook
    rules_cls = type("Rules", (PackRules,), {hook: hookimpl(impl)})
    return Pack(name="same", title="t", versions=((V1, rules_cls),), source="test")


@pytest.mark.parametrize(("what", "toml", "hook", "answer"), CASES, ids=[c[0] for c in CASES])
def test_a_value_refused_in_toml_is_refused_in_python(what: str, toml: str, hook: str,
                                                      answer: Any) -> None:
    with pytest.raises(ProvinceFileError):
        parse_province(TOML_HEAD + toml, "same.toml")
    problems = run_checks(_python_pack(hook, answer), PackRegistry(builtin_packs()),
                          only=("values",))["values"]
    assert problems, f"{what}: the Python pack passed where the province file was refused"


def test_the_schema_states_the_code_pattern() -> None:
    doc = schema_markdown()
    assert f"matching `{CODE_PATTERN.pattern}`" in doc
    assert doc.count(CODE_PATTERN.pattern) >= 3  # categories, extra exclusions, result types
