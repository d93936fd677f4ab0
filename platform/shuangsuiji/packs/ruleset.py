"""A tenant's rules as of one date: every hook asked once, as plain data."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

import pluggy

from shuangsuiji.credit_rules import CreditClass
from shuangsuiji.messages import msg
from shuangsuiji.packs.errors import PackError
from shuangsuiji.rules import (
    RESULT_NAMES_ZH,
    STANDARD_RESULTS,
    DeadlineRule,
    Eligibility,
    ExclusionPolicy,
    ExclusionRule,
    GroupRule,
    ItemCategory,
    MethodRule,
    OnSiteRule,
    OrgRoles,
    PlanWindow,
    RecusalRule,
    ReportRule,
    ResultType,
    RiskRule,
    SpecialInspectionRule,
    TaskFacts,
)


@dataclass(frozen=True)
class RuleSet:
    """Everything a tenant's packs say, as of ``as_of``, with the pack versions in force."""

    as_of: date
    versions: tuple[tuple[str, str], ...]  # (pack, version), most general first
    org_roles: OrgRoles
    item_categories: tuple[ItemCategory, ...]
    exclusion_policy: ExclusionPolicy
    extra_exclusions: tuple[ExclusionRule, ...]
    risk_rules: tuple[RiskRule, ...]
    special_inspections: SpecialInspectionRule
    group_rule: GroupRule
    eligibility: Eligibility
    recusal_rule: RecusalRule
    methods: MethodRule
    on_site_rule: OnSiteRule
    report_rule: ReportRule
    publication_deadline: DeadlineRule  # for a regular task; see TenantPolicy.deadline_rule
    result_types: tuple[ResultType, ...]
    #: credit-risk classes (信用风险分类) and their ratios; () when no pack declares any
    credit_classes: tuple[CreditClass, ...] = ()

    @property
    def governing(self) -> tuple[str, str]:
        """The most specific (pack, version): what a record names as its rules."""
        return self.versions[-1]

    def category(self, code: str) -> ItemCategory:
        for cat in self.item_categories:
            if cat.code == code:
                return cat
        known = tuple(c.code for c in self.item_categories)
        raise PackError(self.governing[0], msg("has no item category %(code)r (known: "
                                               "%(known)s)", code=code, known=known))

    def result_codes(self) -> tuple[str, ...]:
        return STANDARD_RESULTS + tuple(r.code for r in self.result_types)

    def result_name_zh(self, code: str) -> str:
        """The Chinese name of a result: the national list's, or the pack's own."""
        if code in RESULT_NAMES_ZH:
            return RESULT_NAMES_ZH[code]
        return next((r.name_zh for r in self.result_types if r.code == code), code)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, for bundles and ``ssj pack diff``."""
        return _plain(dataclasses.asdict(self))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(_plain(v) for v in value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _first(pm: pluggy.PluginManager, hook: str, **kwargs: Any) -> Any:
    answer = getattr(pm.hook, hook)(**kwargs)
    if answer is None:
        chain = ", ".join(name for name, _ in pm.list_name_plugin())
        raise PackError(chain, msg("no pack in the chain answers %(hook)s; the baseline must",
                                   hook=hook))
    return answer


def _all(pm: pluggy.PluginManager, hook: str, **kwargs: Any) -> tuple[Any, ...]:
    out: list[Any] = []
    # pluggy returns the most specific pack's list first; keep the baseline first instead
    for contribution in reversed(getattr(pm.hook, hook)(**kwargs)):
        out.extend(contribution or ())
    return tuple(out)


def resolve(
    pm: pluggy.PluginManager, *, as_of: date, versions: tuple[tuple[str, str], ...]
) -> RuleSet:
    """Ask every hook of ``pm`` as of ``as_of``; raise PackError when a rule is missing."""
    extra = _all(pm, "ssj_extra_exclusions", as_of=as_of)
    codes = [r.code for r in extra]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise PackError(versions[-1][0], msg("extra exclusion codes declared twice: %(codes)s",
                                             codes=str(dupes)))
    return RuleSet(
        as_of=as_of,
        versions=versions,
        org_roles=_first(pm, "ssj_org_roles", as_of=as_of),
        item_categories=tuple(_first(pm, "ssj_item_categories", as_of=as_of)),
        exclusion_policy=_first(pm, "ssj_exclusion_policy", as_of=as_of),
        extra_exclusions=extra,
        risk_rules=tuple(_first(pm, "ssj_risk_rules", as_of=as_of)),
        special_inspections=_first(pm, "ssj_special_inspections", as_of=as_of),
        group_rule=_first(pm, "ssj_group_rule", as_of=as_of),
        eligibility=_first(pm, "ssj_eligibility", as_of=as_of),
        recusal_rule=_first(pm, "ssj_recusal_rule", as_of=as_of),
        methods=_first(pm, "ssj_methods", as_of=as_of),
        on_site_rule=_first(pm, "ssj_on_site_rule", as_of=as_of),
        report_rule=_first(pm, "ssj_report_rule", as_of=as_of),
        publication_deadline=_first(
            pm, "ssj_publication_deadline", as_of=as_of, task=TaskFacts()
        ),
        result_types=_all(pm, "ssj_result_types", as_of=as_of),
        credit_classes=tuple(pm.hook.ssj_credit_classes(as_of=as_of) or ()),
    )


def deadline_rule(pm: pluggy.PluginManager, *, as_of: date, task: TaskFacts) -> DeadlineRule:
    """The publication deadline for one task whose work ended on ``as_of``."""
    return _first(pm, "ssj_publication_deadline", as_of=as_of, task=task)


def plan_window(pm: pluggy.PluginManager, *, as_of: date, year: int) -> PlanWindow:
    """The annual-plan window for ``year``."""
    return _first(pm, "ssj_plan_window", as_of=as_of, year=year)
