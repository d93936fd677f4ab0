"""The conformance kit exercises a pack's credit-risk classes (信用风险分类, issue #15): its
sample holds targets of every declared class, each class is a stratum of the pool at the
class's own ratio, the draw takes from each and its bundle verifies; a kit whose draw left
the classes out reports it against ``ssj_credit_classes``."""

from __future__ import annotations

from datetime import date

import pytest

from shuangsuiji import kernel
from shuangsuiji.credit_rules import CreditClass
from shuangsuiji.hookspecs import hookimpl
from shuangsuiji.packkit import run_checks, sample
from shuangsuiji.packs import PackRules
from shuangsuiji.packs.policy import TenantPolicy
from tests.packs.test_conformance import V1, Fine, _pack, _registry

RATIOS = {"D": 300, "C": 100, "B": 20, "A": 0}


class Classed(Fine):
    @hookimpl
    def ssj_credit_classes(self, as_of: date) -> tuple[CreditClass, ...]:
        return tuple(CreditClass(code, f"{code}类", f"class {code}", ratio, self.cite("第十一条"))
                     for code, ratio in RATIOS.items())


def _ruleset() -> object:
    pack = _pack(Classed)
    chain = (_registry().get("miit"), pack)
    return TenantPolicy(chain).rules(V1.effective)


def test_the_sample_draw_stratifies_by_every_declared_class() -> None:
    ruleset = _ruleset()
    category = ruleset.item_categories[0]  # type: ignore[attr-defined]
    result = sample.sample_draw(ruleset, category, V1.effective)  # type: ignore[arg-type]
    strata = {s.name: s for s in result.pool.strata}
    for code, ratio in RATIOS.items():
        stratum = strata[f"class:{code}"]
        assert stratum.ratio_permille == ratio and stratum.lines, code
    drawn = {s.name: len(s.selected) for s in result.strata}
    assert drawn["class:D"] == strata["class:D"].size > 0
    assert drawn["class:A"] == 0  # a class at 0 ‰ is in the pool and never drawn
    bundle = kernel.make_bundle(result)
    members = [m for s in bundle["pool"]["strata"] if s["name"] == "class:C"
               for m in s["members"]]
    assert members and all("class:C" in m[2] for m in members)
    assert kernel.verify_bundle(bundle).ok


def test_a_pack_with_classes_passes_the_kit() -> None:
    assert run_checks(_pack(Classed), _registry(), only=("draw",))["draw"] == []


def test_the_kit_names_the_hook_when_the_classes_are_not_drawn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a draw that left the classes out of the pool rules (as a broken host would): each
    # class's targets fall in the general stratum, and the kit says so
    monkeypatch.setattr(sample, "class_pool_rules", lambda classes: ())
    problems = run_checks(_pack(Classed), _registry(), only=("draw",))["draw"]
    assert problems and all(p.hook == "ssj_credit_classes" for p in problems)
    assert "credit-risk class D" in problems[0].message


def test_a_pack_without_classes_is_drawn_as_before() -> None:
    class Plain(PackRules):
        pass

    assert run_checks(_pack(Plain), _registry(), only=("draw",))["draw"] == []
