"""Builders for the kernel tests: small pools, people and rules, made through the public API."""

from __future__ import annotations

from datetime import date

from shuangsuiji.kernel import (
    Credential,
    DrawParams,
    DrawResult,
    DrawRules,
    Expert,
    Inspector,
    PoolRules,
    Sampling,
    Target,
    Task,
    draw,
    freeze_pool,
)
from shuangsuiji.rules import (
    Citation,
    Eligibility,
    ExclusionPolicy,
    GroupRule,
    ItemCategory,
    RecusalRule,
    RiskRule,
)

CITE = Citation("test", "1", "第十条")
TASK_DAY = date(2025, 5, 12)  # second quarter


def uscc(i: int) -> str:
    """An 18-character code-like key; uniqueness is all the kernel needs."""
    return f"91500000{i:09d}X"


def targets(n: int, flagged: dict[int, frozenset[str]] | None = None) -> list[Target]:
    flagged = flagged or {}
    return [Target(uscc(i), f"企业{i}", flagged.get(i, frozenset())) for i in range(n)]


def task(**kw: object) -> Task:
    base: dict[str, object] = {
        "task_id": "T-2025-7",
        "item_codes": ("ITEM-A",),
        "start_date": TASK_DAY,
        "department": "D1",
        "division": "DIV-1",
    }
    base.update(kw)
    return Task(**base)  # type: ignore[arg-type]


def policy(
    once: bool = True, quarter: bool = True, exempt: frozenset[str] = frozenset()
) -> ExclusionPolicy:
    return ExclusionPolicy(once, quarter, exempt, CITE)


def pool_rules(**kw: object) -> PoolRules:
    base: dict[str, object] = {
        "exclusion_policy": policy(),
        "extra_exclusions": (),
        "risk_rules": (),
    }
    base.update(kw)
    return PoolRules(**base)  # type: ignore[arg-type]


def risk(flag: str, ratio: int = 0, multiplier: int = 2) -> RiskRule:
    return RiskRule(flag, ratio, multiplier, Citation("test", "1", "第十条第三款"))


KEY = ItemCategory(
    "key", "重点检查事项", "key item", None, False, True, 300, Citation("cq", "2021", "第五条")
)
GENERAL = ItemCategory(
    "general",
    "一般检查事项",
    "general item",
    200,
    True,
    False,
    1000,
    Citation("cq", "2021", "第五条"),
)
GROUPS = GroupRule(2, True, ("within_department", "across_departments", "with_subordinates"), CITE)
ELIGIBILITY = Eligibility(
    ("enforcement_certificate",), True, Citation("cq", "2021", "第六条第二款")
)
MIIT_RECUSAL = RecusalRule(("swap", "withdraw"), Citation("miit", "2018", "第九条"))
CQ_RECUSAL = RecusalRule(("withdraw",), Citation("chongqing", "2021", "第九条"))


def draw_rules(category: ItemCategory = KEY) -> DrawRules:
    return DrawRules(category, GROUPS, ELIGIBILITY)


def inspectors(n: int, department: str = "D1", expires: date = date(2030, 1, 1)) -> list[Inspector]:
    return [
        Inspector(
            f"P{i:03d}",
            f"检查员{i}",
            department,
            "DIV-1",
            False,
            (Credential("enforcement_certificate", expires),),
        )
        for i in range(n)
    ]


def experts(n: int) -> list[Expert]:
    return [Expert(f"E{i:03d}", f"专家{i}") for i in range(n)]


def small_result(seed: str = "dice 3-5-1-6-2-4; witnesses: 张三, 李四") -> DrawResult:
    """A draw of 6 of 30 targets (one risk stratum) into 3 groups of 2, with 2 experts."""
    pool = freeze_pool(
        targets(30, {3: frozenset({"complaints"}), 7: frozenset({"complaints"})}),
        [],
        task(),
        Sampling(150),
        pool_rules(risk_rules=(risk("complaints"),)),
    )
    return draw(
        pool,
        seed,
        rules=draw_rules(),
        params=DrawParams(scope="within_department", group_count=3, experts_count=2),
        inspectors=inspectors(10),
        experts=experts(5),
    )
