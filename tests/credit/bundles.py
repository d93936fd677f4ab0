"""A class-stratified bundle built through the kernel alone (no database), and its tampered
variants, shared by the Python, one-file and browser verifier tests."""

from __future__ import annotations

import copy
import json
from typing import Any

from shuangsuiji.kernel import DrawParams, Sampling, draw, freeze_pool
from shuangsuiji.kernel.bundle import make_bundle
from shuangsuiji.kernel.classes import class_flag
from shuangsuiji.rules import Citation, RiskRule
from tests.kernel.builders import draw_rules, experts, inspectors, pool_rules, risk, targets, task

CLASS_CITE = Citation("example-province", "2023", "第十一条第二款")
RATIOS = (("D", 300), ("C", 100), ("B", 20), ("A", 10))


def class_bundle() -> dict[str, Any]:
    """60 targets: classes D, C, B, A in turn for the first 48 (two D ones also flagged
    complaints: they stay in the risk stratum), 12 without a class (general)."""
    flagged: dict[int, frozenset[str]] = {}
    for i in range(48):
        flagged[i] = frozenset({class_flag(RATIOS[i % 4][0])})
    for i in (0, 4):
        flagged[i] = flagged[i] | {"complaints"}
    rules = pool_rules(risk_rules=(risk("complaints"), *(
        RiskRule(class_flag(code), ratio, 0, CLASS_CITE) for code, ratio in RATIOS)))
    pool = freeze_pool(targets(60, flagged), [], task(), Sampling(100), rules)
    assert [s.name for s in pool.strata] == [
        "risk:complaints", "class:D", "class:C", "class:B", "class:A", "general"]
    result = draw(pool, "class-bundle-seed", rules=draw_rules(),
                  params=DrawParams(scope="within_department", group_count=2),
                  inspectors=inspectors(6), experts=experts(2))
    return make_bundle(result, {"task_title": "信用风险分类抽查"})


def _stratum(bundle: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in bundle["pool"]["strata"] if s["name"] == name)


def tampered_class_bundles() -> dict[str, dict[str, Any]]:
    """Name → a bundle whose class strata or counts were changed."""
    good = class_bundle()
    out: dict[str, dict[str, Any]] = {}

    relabel = copy.deepcopy(good)  # a D member said to be A
    m = _stratum(relabel, "class:D")["members"][0]
    m[2] = ["class:A" if f == "class:D" else f for f in m[2]]
    out["class relabelled"] = relabel

    dropped = copy.deepcopy(good)  # a C member's class removed
    m = _stratum(dropped, "class:C")["members"][0]
    m[2] = [f for f in m[2] if f != "class:C"]
    out["class removed"] = dropped

    size = copy.deepcopy(good)  # fewer drawn from class D
    _stratum(size, "class:D")["size"] -= 1
    out["class count"] = size

    ratio = copy.deepcopy(good)  # class D's ratio in the pool rules lowered
    next(r for r in ratio["pool_rules"]["risk_rules"] if r["flag"] == "class:D")[
        "ratio_permille"] = 100
    out["class ratio"] = ratio

    moved = copy.deepcopy(good)  # a B member moved to general as it is
    member = _stratum(moved, "class:B")["members"].pop()
    _stratum(moved, "general")["members"].append(member)
    out["member moved"] = moved

    name = copy.deepcopy(good)  # a class stratum renamed
    _stratum(name, "class:A")["name"] = "risk:class:A"
    out["stratum name"] = name

    two = copy.deepcopy(good)  # a member holding two classes
    _stratum(two, "class:B")["members"][0][2].append("class:A")
    out["two classes"] = two
    return out


def dump(bundle: dict[str, Any]) -> str:
    return json.dumps(bundle, ensure_ascii=False)
