"""The inputs of draw-spec.md §15.1's vectors (a class-stratified bundle and a joint task's
v2 bundle with its ``shuangsuiji-announcement/3`` (with ``joint``)), drawn by the kernel.

The spec carries their output; ``tests/kernel/test_spec_vectors.py`` checks that this code
still makes exactly what the spec says, and recomputes the digests from the spec's text.
``python -m tests.kernel.spec_vectors_more`` prints the vectors to paste into the spec.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from shuangsuiji import kernel
from shuangsuiji.kernel import announce
from shuangsuiji.kernel.model import Participant
from shuangsuiji.rules import (
    Citation,
    Eligibility,
    ExclusionPolicy,
    ExclusionRule,
    GroupRule,
    ItemCategory,
    RiskRule,
)

SEED = "dice 3-5-1-6-2-4; witnesses: 张三, 李四"
MIIT = "miit", "2018"
PROVINCE = "example-province", "2023"


def _cite(pack: tuple[str, str], article: str) -> Citation:
    return Citation(pack[0], pack[1], article)


def _company(i: int) -> str:
    return f"91340000MA2T{i:05d}X"


def _rules() -> kernel.DrawRules:
    return kernel.DrawRules(
        ItemCategory("general", "抽查事项", "item", None, False, False, 1000,
                     _cite(MIIT, "第五条、第七条")),
        GroupRule(2, True, ("within_department", "across_departments"), _cite(MIIT, "第八条")),
        Eligibility(("enforcement_certificate", "work_id"), True, _cite(MIIT, "第六条、第十三条")),
    )


def _inspector(i: int, division: str) -> kernel.Inspector:
    return kernel.Inspector(f"P{i}", f"检查员{i}", "D1", division, False,
                            (kernel.Credential("enforcement_certificate", date(2027, 12, 31)),))


def _policy() -> ExclusionPolicy:
    return ExclusionPolicy(True, True, frozenset(), _cite(MIIT, "第十条"))


def classes_bundle() -> dict[str, Any]:
    """Nine targets of a province declaring classes D (300 ‰) and A (10 ‰): one with a
    complaint (and class D: the flag wins), three D, three A, two of no class; 100 ‰."""
    names = "甲乙丙丁戊己庚辛壬"
    holds = [{"complaints", "class:D"}, {"class:D"}, {"class:D"}, {"class:D"},
             {"class:A"}, {"class:A"}, {"class:A"}, set(), set()]
    targets = [kernel.Target(_company(i + 1), f"安徽{names[i]}公司", frozenset(h))
               for i, h in enumerate(holds)]
    pool_rules = kernel.PoolRules(_policy(), (), (
        RiskRule("complaints", 0, 2, _cite(PROVINCE, "第十条")),
        RiskRule("class:D", 300, 0, _cite(PROVINCE, "第十一条第二款")),
        RiskRule("class:A", 10, 0, _cite(PROVINCE, "第十一条第二款")),
    ))
    task = kernel.Task("T-2026-C", ("ITEM-A",), date(2026, 4, 1), "D1", "DIV-1")
    pool = kernel.freeze_pool(targets, [], task, kernel.Sampling(100), pool_rules)
    result = kernel.draw(pool, SEED, rules=_rules(),
                         params=kernel.DrawParams(scope="within_department", group_count=1),
                         inspectors=[_inspector(i, "DIV-1") for i in range(1, 5)], experts=[])
    return kernel.make_bundle(result)


PARTICIPANTS = (
    Participant("DIV-1", "一处", "anhui", ("DIV-1",), ("ITEM-A",), 1),
    Participant("DIV-2", "二处", "anhui", ("DIV-2",), ("ITEM-B",), 1),
)


def joint_bundle() -> dict[str, Any]:
    """A joint task of two 处室 (one item each, quota 1) announced with
    ``shuangsuiji-announcement/3`` (with ``joint``) and a ceremony seed: six targets at
    500 ‰ into two groups of three (one place per participant, one free); seven inspectors,
    P7 of DIV-3 in no participant."""
    names = "甲乙丙丁戊己"
    targets = [kernel.Target(_company(20 + i), f"安徽{names[i]}联检公司", frozenset())
               for i in range(6)]
    pool_rules = kernel.PoolRules(_policy(), (), ())
    task = kernel.Task("T-2026-J", ("ITEM-A", "ITEM-B"), date(2026, 4, 1), "D1", "DIV-1",
                       joint=True)
    pool = kernel.freeze_pool(targets, [], task, kernel.Sampling(500), pool_rules)
    params = kernel.DrawParams(scope="within_department", group_count=2, group_size=3)
    people = [_inspector(i, "DIV-1" if i <= 3 else "DIV-2" if i <= 6 else "DIV-3")
              for i in range(1, 8)]
    ann = announce.make_announcement(
        pool, params=params, rules=_rules(), inspectors=people, experts=[], pack=MIIT[0],
        version=MIIT[1], procedure=announce.seed_procedure("ceremony"),
        announced_at="2026-03-30T02:00:00Z", participants=PARTICIPANTS)
    result = kernel.draw(pool, SEED, rules=_rules(), params=params, inspectors=people,
                         experts=[], participants=PARTICIPANTS)
    return kernel.make_bundle(result, announcement=ann,
                              seed_inputs={"commitments": [], "reveals": [], "beacon": None})


def flagged_bundle() -> dict[str, Any]:
    """Five targets, two excluded: ``…00031X`` by ``once_per_year`` (task ``T-2026-1``
    inspected it for ITEM-A), ``…00032X`` by an extra rule of kind ``flag`` (abnormal
    operations), which no task triggers: its trigger is ``null``, never ``""`` (§3.3)."""
    names = "甲乙丙丁戊"
    targets = [kernel.Target(_company(30 + i), f"安徽{names[i]}排除公司",
                             frozenset({"abnormal"}) if i == 2 else frozenset())
               for i in range(5)]
    abnormal = ExclusionRule("abnormal", "flag", (("flag", "abnormal"),),
                             _cite(PROVINCE, "第十二条"))
    pool_rules = kernel.PoolRules(_policy(), (abnormal,), ())
    task = kernel.Task("T-2026-F", ("ITEM-A",), date(2026, 6, 1), "D1", "DIV-1")
    history = [kernel.Inspection(_company(31), "ITEM-A", date(2026, 3, 2), "DIV-1", "T-2026-1")]
    pool = kernel.freeze_pool(targets, history, task, kernel.Sampling(500), pool_rules)
    result = kernel.draw(pool, SEED, rules=_rules(),
                         params=kernel.DrawParams(scope="within_department", group_count=1),
                         inspectors=[_inspector(i, "DIV-1") for i in range(1, 4)], experts=[])
    return kernel.make_bundle(result)


def as_doc(bundle: dict[str, Any]) -> str:
    """The bundle as the spec prints it: one top-level key a line."""
    keys = [f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in bundle.items()]
    return "{\n" + ",\n".join(keys) + "\n}"


if __name__ == "__main__":
    for name, make in (("classes", classes_bundle), ("joint", joint_bundle),
                       ("flagged", flagged_bundle)):
        print(f"<!-- vector: {name} -->\n```json\n{as_doc(make())}\n```\n")
