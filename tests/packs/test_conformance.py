"""The conformance kit on the three built-in packs, and on packs broken on purpose."""

from __future__ import annotations

from datetime import date

import pytest

from shuangsuiji.hookspecs import hookimpl
from shuangsuiji.packkit import CHECK_NAMES, check_pack, run_checks
from shuangsuiji.packkit.pytest_plugin import ssj_pack_conformance
from shuangsuiji.packs import Pack, PackRegistry, PackRules
from shuangsuiji.rules import (
    Citation,
    DeadlineRule,
    GroupRule,
    ItemCategory,
    MethodRule,
    PackVersion,
    RecusalRule,
    RiskRule,
)
from shuangsuiji_provinces import BUNDLED
from tests.conftest import builtin_packs


def _registry() -> PackRegistry:
    return PackRegistry(builtin_packs())


# One test per check for each built-in pack, as a pack author's suite would have it.
test_miit_conforms = ssj_pack_conformance("miit", _registry)
test_chongqing_conforms = ssj_pack_conformance("chongqing", _registry)
test_example_province_conforms = ssj_pack_conformance("example-province", _registry)
test_example_province_file_conforms = ssj_pack_conformance(
    BUNDLED / "example-province.toml", _registry
)

V1 = PackVersion("2024", "亚工信发〔2024〕1号", "亚特兰蒂斯省实施细则", date(2024, 1, 2),
                 date(2024, 2, 1))


def _pack(rules_cls: type, *versions: PackVersion, contract: str = "1.0") -> Pack:
    return Pack(name="atlantis", title="亚特兰蒂斯", contract=contract,
                versions=tuple((v, rules_cls) for v in (versions or (V1,))))


def _problems(pack: Pack, check: str) -> list[str]:
    return [p.message for p in run_checks(pack, _registry(), only=(check,))[check]]


class Fine(PackRules):
    @hookimpl
    def ssj_recusal_rule(self, as_of: date) -> RecusalRule:
        return RecusalRule(modes=("withdraw",), cite=self.cite("第九条"))


def test_a_small_correct_pack_passes_every_check() -> None:
    assert check_pack(_pack(Fine), _registry()) == []


def test_checks_are_named_and_complete() -> None:
    assert CHECK_NAMES == ("contract", "versions", "hooks", "types", "values", "citations",
                           "resolution", "deadline", "draw")


def test_incompatible_contract() -> None:
    (message,) = _problems(_pack(Fine, contract="2.0"), "contract")
    assert "platform speaks 1.0" in message and "what changed" in message


def test_overlapping_versions() -> None:
    v2 = PackVersion("2025", "亚工信发〔2025〕1号", "修订", date(2025, 1, 1), date(2025, 1, 1))
    (message,) = _problems(_pack(Fine, V1, v2), "versions")
    assert "overlaps version 2025" in message


def test_misspelled_and_undecorated_hooks() -> None:
    class Misspelled(PackRules):
        @hookimpl
        def ssj_recusal_rules(self, as_of: date) -> None:
            return None

        def ssj_methods(self, as_of: date) -> None:
            return None

    messages = _problems(_pack(Misspelled), "hooks")
    assert any("ssj_recusal_rules" in m and "unknown hook" in m for m in messages)
    assert any("ssj_methods is not decorated with @hookimpl" in m for m in messages)


def test_wrong_return_types() -> None:
    class WrongTypes(PackRules):
        @hookimpl
        def ssj_recusal_rule(self, as_of: date) -> object:
            return RecusalRule(modes=["withdraw"], cite=self.cite("第九条"))  # list, not tuple

        @hookimpl
        def ssj_methods(self, as_of: date) -> object:
            return ("written",)  # not a MethodRule

    messages = _problems(_pack(WrongTypes), "types")
    assert any("the answer.modes is list, expected tuple" in m for m in messages)
    assert any("the answer is tuple, expected MethodRule" in m for m in messages)


def test_insane_values() -> None:
    class Insane(PackRules):
        @hookimpl
        def ssj_publication_deadline(self, as_of: date, task: object) -> DeadlineRule:
            return DeadlineRule(working_days=0, start_event="work_end", excluded_periods=(),
                                channels=(), per_target_results=True, cite=self.cite("第十四条"))

        @hookimpl
        def ssj_recusal_rule(self, as_of: date) -> RecusalRule:
            return RecusalRule(modes=("swop",), cite=self.cite("第九条"))

        @hookimpl
        def ssj_methods(self, as_of: date) -> MethodRule:
            return MethodRule(methods=("telepathy",), cite=self.cite("第十二条"))

        @hookimpl
        def ssj_item_categories(self, as_of: date) -> tuple[ItemCategory, ...]:
            return (ItemCategory("general", "一般", "general", 1200, True, False, 1000,
                                 self.cite("第五条")),)

        @hookimpl
        def ssj_group_rule(self, as_of: date) -> GroupRule:
            return GroupRule(min_size=0, leader=True, scopes=("everywhere",),
                             cite=self.cite("第八条"))

        @hookimpl
        def ssj_risk_rules(self, as_of: date) -> tuple[RiskRule, ...]:
            return (RiskRule("complaints", 0, 2, self.cite("第十条")),
                    RiskRule("complaints", 0, 0, self.cite("第十条")))

    messages = "\n".join(_problems(_pack(Insane), "values"))
    for expected in ("working_days is 0", "'swop' is not one of swap, withdraw",
                     "'telepathy' is not one of", "cap is 1200 ‰", "min_size is 0",
                     "'everywhere' is not one of", "flag 'complaints' is declared twice",
                     "multiplier is 0"):
        assert expected in messages


def test_citations_must_name_pack_version_and_article() -> None:
    class BadCites(PackRules):
        @hookimpl
        def ssj_recusal_rule(self, as_of: date) -> RecusalRule:
            return RecusalRule(modes=("withdraw",), cite=Citation("miit", "2018", "第九条"))

        @hookimpl
        def ssj_methods(self, as_of: date) -> MethodRule:
            return MethodRule(methods=("written",), cite=self.cite(""))

        @hookimpl
        def ssj_on_site_rule(self, as_of: date) -> object:
            from shuangsuiji.rules import OnSiteRule

            return OnSiteRule(2, ("work_id",), Citation("atlantis", "1999", "第十三条"))

    messages = "\n".join(_problems(_pack(BadCites), "citations"))
    assert "cites pack 'miit', not 'atlantis'" in messages
    assert "cites no article" in messages
    assert "cites version '1999' but was returned by version '2024'" in messages


def test_resolution_fails_before_the_baseline_exists() -> None:
    old = PackVersion("2010", "x", "x", date(2010, 1, 1), date(2010, 1, 1))
    (message,) = _problems(_pack(Fine, old), "resolution")
    assert "do not resolve on 2010-01-01" in message and "miit" in message


def test_draw_fails_when_no_inspector_is_eligible() -> None:
    class NobodyInScope(PackRules):
        @hookimpl
        def ssj_group_rule(self, as_of: date) -> GroupRule:
            # within the department there are 8 inspectors; ask for groups of 40
            return GroupRule(min_size=40, leader=True, scopes=("within_department",),
                             cite=self.cite("第八条"))

    messages = _problems(_pack(NobodyInScope), "draw")
    assert messages and all("the draw failed" in m for m in messages)


def test_later_checks_wait_for_earlier_ones() -> None:
    class Unregistrable(PackRules):
        @hookimpl
        def ssj_recusal_rule(self, as_of: date, tenant: str) -> None:  # unknown argument
            return None

    results = run_checks(_pack(Unregistrable), _registry())
    assert results["hooks"] and "tenant" in results["hooks"][0].message
    assert results["draw"][0].message.startswith("not run: fix the")


def test_province_problems_point_at_the_file_line() -> None:
    pack = next(p for p in builtin_packs() if p.name == "example-province")
    problems = check_pack(pack, _registry())
    assert problems == []
    assert pack.locate("2023", "on_site_rule", "min_inspectors").endswith(
        "example-province.toml:117")
    # 2023 inherits recusal_rule from 2019: a problem in it points at the 2019 table
    assert pack.locate("2023", "recusal_rule", "modes").endswith("example-province.toml:29")


@pytest.mark.parametrize("check", ["deadline", "draw"])
def test_deadline_and_draw_really_run(check: str, monkeypatch: pytest.MonkeyPatch) -> None:
    class TooLong(PackRules):
        @hookimpl
        def ssj_publication_deadline(self, as_of: date, task: object) -> DeadlineRule:
            # 20 000 working days cannot be counted within the kit's three-year guard
            return DeadlineRule(20000, "work_end", (), ("portal",), True, self.cite("第十四条"))

        @hookimpl
        def ssj_eligibility(self, as_of: date) -> object:
            from shuangsuiji.rules import Eligibility

            return Eligibility(("enforcement_certificate",), True, self.cite("第六条"))

    # the values check refuses 20 000 (the province-file bound, 1..365) ...
    assert any("within 1..365" in m for m in _problems(_pack(TooLong), "values"))
    # ... so lift the bound to see the deadline check itself count and fail
    from shuangsuiji import rules

    monkeypatch.setitem(rules.BOUNDS, "working_days", (1, 100000))
    messages = _problems(_pack(TooLong), check)
    if check == "deadline":
        assert messages and "runs past" in messages[0]
    else:
        assert messages == []
