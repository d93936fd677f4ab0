"""A draw on generated data under a pack's resolved rules, for the conformance kit.

The data are made up but shaped by the rules: targets carrying every risk flag the rules
name and holding every credit-risk class the pack declares (each class a stratum at its own
ratio, checked), earlier inspections that the exclusions must act on, inspectors of every scope the
group rule allows, holding every credential the eligibility rule accepts (and one holding
none, who must never be drawn). The draw goes through the real kernel
(:mod:`shuangsuiji.kernel`) — this module only builds inputs and checks outcomes — then
every allowed recusal mode is applied, and the bundle is verified as a third party would.
"""

from __future__ import annotations

from datetime import date, timedelta

from shuangsuiji import kernel
from shuangsuiji.credit_rules import class_pool_rules
from shuangsuiji.kernel.classes import class_flag
from shuangsuiji.packs.ruleset import RuleSet
from shuangsuiji.rules import ItemCategory

SEED = "packkit-conformance-seed-2024"
DEPARTMENT = "执法一处"


class DrawFailure(Exception):
    """The draw did not go through, or its outcome breaks the rules; ``hook`` is the rule's."""

    def __init__(self, message: str, hook: str | None = None) -> None:
        super().__init__(message)
        self.hook = hook


def _targets(ruleset: RuleSet, count: int = 60) -> list[kernel.Target]:
    flags = [r.flag for r in ruleset.risk_rules]
    classes = [class_flag(c.code) for c in ruleset.credit_classes]
    out, classed = [], 0
    for i in range(count):
        # every fifth target carries one of the pack's risk flags, in turn; of the others,
        # three in four hold one of its credit-risk classes, in turn (the fourth none)
        carried = frozenset({flags[(i // 5) % len(flags)]}) if flags and i % 5 == 0 else None
        if carried is None and classes and i % 4:
            carried = frozenset({classes[classed % len(classes)]})
            classed += 1
        out.append(kernel.Target(credit_code=f"91500000TEST{i:05d}X",
                                 name=f"示例企业{i:02d}有限公司", flags=carried or frozenset()))
    return out


def _check_classes(pool: kernel.FrozenPool, ruleset: RuleSet) -> None:
    """Each declared class is a stratum of the pool at the class's own ratio, holding the
    unflagged targets of that class (docs/draw-spec.md §3.2)."""
    strata = {s.name: s for s in pool.strata}
    for c in ruleset.credit_classes:
        stratum = strata.get(class_flag(c.code))
        if stratum is None or not stratum.lines:
            raise DrawFailure(f"credit-risk class {c.code} ({c.cite}) has no stratum in the "
                              "pool although targets hold it", "ssj_credit_classes")
        if stratum.ratio_permille != c.ratio_permille:
            raise DrawFailure(f"credit-risk class {c.code} ({c.cite}) is drawn at "
                              f"{stratum.ratio_permille} ‰, not its declared "
                              f"{c.ratio_permille} ‰", "ssj_credit_classes")


def _inspectors(ruleset: RuleSet, day: date) -> list[kernel.Inspector]:
    credentials = ruleset.eligibility.credentials
    out = []
    for i in range(12):
        kind = credentials[i % len(credentials)]
        out.append(kernel.Inspector(
            person_id=f"P{i:03d}", name=f"检查员{i:02d}",
            department=DEPARTMENT if i < 8 else "执法二处",
            subordinate=i in (6, 7),
            credentials=(kernel.Credential(kind, day + timedelta(days=365)),),
        ))
    # holds no credential: must never be eligible
    out.append(kernel.Inspector(person_id="P999", name="无证人员", department=DEPARTMENT))
    return out


def _ratio(category: ItemCategory) -> tuple[int, int | None]:
    """A ratio the category allows (high enough to draw batches when it may) and the item cap."""
    ratio = 200
    if category.batch_order:
        ratio = max(ratio, category.batch_order_min_permille)
    if category.cap_permille is not None:
        ratio = min(ratio, category.cap_permille)
    # a category that wants each item's own cap (CQ 第五条) gets the sample item's cap set
    # at the sample ratio, as the item list would set it
    cap = (category.cap_permille or ratio) if category.cap_required else None
    return max(ratio, 1), cap


def sample_draw(ruleset: RuleSet, category: ItemCategory, day: date) -> kernel.DrawResult:
    """Freeze a pool and draw under ``ruleset`` for an item of ``category`` starting ``day``;
    raise :class:`DrawFailure` saying what went wrong."""
    ratio, item_cap = _ratio(category)
    refused = kernel.check_ratio(category, ratio, item_cap)
    if refused:
        raise DrawFailure(f"no ratio can be drawn: {refused}", "ssj_item_categories")
    targets = _targets(ruleset)
    earlier = [  # inspected this year for the same item: once_per_year must exclude it
        kernel.Inspection(credit_code=targets[1].credit_code, item_code="ITEM-1",
                          date=day - timedelta(days=1) if day.month > 1 or day.day > 1 else day,
                          division="二处", task_id="EARLIER-1"),
    ]
    task = kernel.Task(task_id="CONFORMANCE-1", item_codes=("ITEM-1",), start_date=day,
                       department=DEPARTMENT, division="一处")
    pool_rules = kernel.PoolRules(
        exclusion_policy=ruleset.exclusion_policy,
        extra_exclusions=ruleset.extra_exclusions,
        risk_rules=ruleset.risk_rules + class_pool_rules(ruleset.credit_classes),
    )
    try:
        pool = kernel.freeze_pool(targets, earlier, task, kernel.Sampling(ratio), pool_rules)
    except kernel.KernelError as exc:
        raise DrawFailure(f"the pool did not freeze: {exc}", "ssj_exclusion_policy") from None
    _check_classes(pool, ruleset)
    if ruleset.exclusion_policy.once_per_year and targets[1].credit_code not in {
        e.credit_code for e in pool.excluded
    } and day.year == earlier[0].date.year:
        raise DrawFailure("once_per_year is on, but a target inspected for the same item this "
                          "year stayed in the pool", "ssj_exclusion_policy")
    group = ruleset.group_rule
    params = kernel.DrawParams(
        scope=group.scopes[0], group_count=1, experts_count=1,
        batch_count=2 if category.batch_order else None,
    )
    experts = [kernel.Expert(person_id=f"E{i}", name=f"专家{i}") for i in range(4)]
    try:
        result = kernel.draw(
            pool, SEED,
            rules=kernel.DrawRules(item_category=category, group_rule=group,
                                   eligibility=ruleset.eligibility),
            params=params, inspectors=_inspectors(ruleset, day), experts=experts,
        )
    except kernel.KernelError as exc:
        raise DrawFailure(f"the draw failed: {exc}", "ssj_group_rule") from None
    _check_outcome(result, ruleset)
    result = _recusals(result, ruleset)
    report = kernel.verify_bundle(kernel.make_bundle(result))
    if not report.ok:
        raise DrawFailure(f"the draw's bundle does not verify: {report}")
    return result


def _check_outcome(result: kernel.DrawResult, ruleset: RuleSet) -> None:
    if not result.selected:
        raise DrawFailure("no target was drawn from a pool of "
                          f"{result.pool.size} at {result.pool.sampling.ratio_permille} ‰")
    if "P999" in result.eligible_inspectors:
        raise DrawFailure("a person holding no credential was eligible", "ssj_eligibility")
    group = ruleset.group_rule
    for g in result.groups:
        if len(g.members) < group.min_size:
            raise DrawFailure(f"group {g.number} has {len(g.members)} members, fewer than "
                              f"{group.min_size} ({group.cite})", "ssj_group_rule")
        if group.leader and g.leader not in g.members:
            raise DrawFailure(f"group {g.number} has no leader ({group.cite})", "ssj_group_rule")


def _recusals(result: kernel.DrawResult, ruleset: RuleSet) -> kernel.DrawResult:
    """Apply each allowed recusal mode once; swap needs a second group, so it is asked of a
    two-group draw only when there is one."""
    rule = ruleset.recusal_rule
    for mode in rule.modes:
        group = result.final_groups[0]
        if mode == "swap" and len(result.final_groups) < 2:
            continue  # one group: nothing to swap with; withdraw is still exercised
        try:
            outcome = kernel.apply_recusal(result, SEED, len(result.recusals) + 1,
                                           group.members[-1], group.targets[0], mode, rule)
        except kernel.KernelError as exc:
            raise DrawFailure(f"recusal by {mode} failed: {exc}", "ssj_recusal_rule") from None
        result = outcome.result
    return result
