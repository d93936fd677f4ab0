"""Declaring credit-risk classes (信用风险分类): the example province's D/C/B/A, versioned;
a bad declaration (a ratio out of range, a code twice, a malformed code) refused clearly,
in a province file (file, line, field) and in a Python pack (the values check)."""

from __future__ import annotations

from datetime import date

import pytest

from shuangsuiji.credit_rules import CreditClass
from shuangsuiji.hookspecs import hookimpl
from shuangsuiji.packs import PackRegistry, PackRules
from tests.conftest import builtin_packs
from tests.packs.test_conformance import _pack, _problems
from tests.packs.test_provinces import HEADER, _line_of
from tests.packs.test_provinces import _problems as _file_problems


def test_the_example_province_declares_d_c_b_a_from_its_2023_version() -> None:
    policy = PackRegistry(builtin_packs()).policy(["example-province"])
    classes = policy.rules(date(2026, 4, 1)).credit_classes
    assert [(c.code, c.ratio_permille) for c in classes] == [
        ("D", 300), ("C", 100), ("B", 20), ("A", 10)]
    assert classes[0].name_zh == "D类（高风险）"
    assert str(classes[0].cite) == "example-province 2023 第十一条第二款"
    assert policy.rules(date(2020, 1, 1)).credit_classes == ()  # the 2019 version has none
    miit = PackRegistry(builtin_packs()).policy([])
    assert miit.rules(date(2026, 4, 1)).credit_classes == ()  # MIIT keeps its risk flags


TABLE = """
[versions.rules.credit_classes]
article = "第十一条"

[[versions.rules.credit_classes.classes]]
code = "D"
name_zh = "D类"
name_en = "class D"
ratio_permille = {ratio}

[[versions.rules.credit_classes.classes]]
code = "{second}"
name_zh = "A类"
name_en = "class A"
ratio_permille = 10
"""


@pytest.mark.parametrize(("ratio", "second", "needle", "message"), [
    (1200, "A", "ratio_permille = 1200", "1200"),
    (-1, "A", "ratio_permille = -1", "-1"),
    (300, "D", 'code = "D"', "D"),
    (300, "high risk", 'code = "high risk"', "high risk"),
])
def test_a_bad_province_declaration_names_its_line(ratio: int, second: str, needle: str,
                                                   message: str) -> None:
    text = HEADER + TABLE.format(ratio=ratio, second=second)
    problems = _file_problems(text)
    assert len(problems) == 1, problems
    (problem,) = problems
    assert problem.field.startswith("versions[0].rules.credit_classes"), problem
    assert message in problem.message
    if second != "D":  # a duplicate is reported at one of the two entries
        assert problem.line == _line_of(text, needle)


class BadClasses(PackRules):
    @hookimpl
    def ssj_credit_classes(self, as_of: date) -> tuple[CreditClass, ...]:
        cite = self.cite("第十一条")
        return (CreditClass("D", "D类", "class D", 1500, cite),
                CreditClass("D", "D类", "class D", 300, cite),
                CreditClass("x y", "", "class", 10, cite))


class GoodClasses(PackRules):
    @hookimpl
    def ssj_credit_classes(self, as_of: date) -> tuple[CreditClass, ...]:
        cite = self.cite("第十一条")
        return (CreditClass("D", "D类", "class D", 300, cite),
                CreditClass("A", "A类", "class A", 10, cite))


def test_a_python_pack_with_bad_classes_fails_the_values_check() -> None:
    text = "\n".join(_problems(_pack(BadClasses), "values"))
    assert "'D' ratio is 1500 ‰" in text
    assert "'D' is declared twice" in text
    assert "'x y' does not have the form" in text and "has no name_zh" in text
    assert _problems(_pack(GoodClasses), "values") == []
    assert _problems(_pack(GoodClasses), "types") == []
