"""The MIIT pack: 《工业和信息化部“双随机一公开”监管实施办法》 (工信厅政〔2018〕45号).

The national baseline. It answers every hook of the contract, so a pack that inherits it
only declares where its own 实施细则 differs. Article numbers cite the MIIT text.
"""

from __future__ import annotations

from datetime import date

from shuangsuiji.toolkit import (
    DeadlineRule,
    Eligibility,
    ExclusionPolicy,
    ExclusionRule,
    GroupRule,
    ItemCategory,
    MethodRule,
    OnSiteRule,
    OrgRoles,
    Pack,
    PackRules,
    PackVersion,
    PlanWindow,
    PlatformDefault,
    RecusalRule,
    ReportRule,
    ResultType,
    RiskRule,
    SpecialInspectionRule,
    TaskFacts,
    hookimpl,
)

#: 45号 takes effect on the day of issue (第二十条). The text we hold does not print that
#: day; the document number fixes the year, so the version runs from 2018-01-01, a
#: placeholder. A search of the stored public sources (2026-12-01: pages and docs, for
#: "工信厅政〔2018〕45号" and the notice's title) found no source establishing the day, so the
#: date is marked unconfirmed and pages say so. Replace it, cite the source here and set
#: ``issued_confirmed=True`` once a public source is found.
V2018 = PackVersion(
    version="2018",
    document="工信厅政〔2018〕45号",
    title="工业和信息化部“双随机一公开”监管实施办法",
    issued=date(2018, 1, 1),
    effective=date(2018, 1, 1),
    issued_confirmed=False,
    defaults=(
        PlatformDefault(
            setting="risk_rules.multiplier",
            value="2×",
            article="第十条第三款",
            note="“加大抽查力度，提高抽查比例和频次”未规定幅度：风险标记对象按事项比例的2倍抽取",
        ),
    ),
)


class Miit2018(PackRules):
    """Rules of 工信厅政〔2018〕45号."""

    @hookimpl
    def ssj_org_roles(self, as_of: date) -> OrgRoles:
        return OrgRoles(
            lead_organ="部政策法规司",
            acting_unit="职能司局",
            notifying_unit="职能司局",
            cite=self.cite("第四条"),
        )

    @hookimpl
    def ssj_item_categories(self, as_of: date) -> tuple[ItemCategory, ...]:
        # 第五条: one kind of item; 第七条: the plan sets ratio and frequency, no ceiling.
        return (
            ItemCategory(
                code="general",
                name_zh="抽查事项",
                name_en="item",
                cap_permille=None,
                cap_required=False,
                batch_order=False,
                batch_order_min_permille=1000,
                cite=self.cite("第五条、第七条"),
            ),
        )

    @hookimpl
    def ssj_exclusion_policy(self, as_of: date) -> ExclusionPolicy:
        return ExclusionPolicy(
            once_per_year=True,
            same_quarter_other_divisions=True,
            # 第十条第一、二款 "除本条第三款规定的情形外": risk-flagged targets are exempt.
            exempt_risk_flags=frozenset({"complaints", "bad_credit", "administrative_penalty"}),
            cite=self.cite("第十条"),
        )

    @hookimpl
    def ssj_extra_exclusions(self, as_of: date) -> list[ExclusionRule]:
        return []

    @hookimpl
    def ssj_risk_rules(self, as_of: date) -> tuple[RiskRule, ...]:
        # 第十条第三款: 加大抽查力度，提高抽查比例和频次. The text sets no figure; the
        # baseline doubles the item's ratio in a stratum of their own.
        cite = self.cite("第十条第三款")
        return tuple(
            RiskRule(flag=f, ratio_permille=0, multiplier=2, cite=cite)
            for f in ("complaints", "bad_credit", "administrative_penalty")
        )

    @hookimpl
    def ssj_special_inspections(self, as_of: date) -> SpecialInspectionRule:
        return SpecialInspectionRule(
            triggers=("complaint", "assigned_from_above", "transferred_lead", "ministry_provision"),
            cite=self.cite("第十九条第三款"),
        )

    @hookimpl
    def ssj_group_rule(self, as_of: date) -> GroupRule:
        return GroupRule(
            min_size=2,  # 第十三条: on site, no fewer than two
            leader=True,  # 第八条: 组长负责制
            scopes=("within_department", "across_departments", "with_subordinates"),
            cite=self.cite("第八条"),
        )

    @hookimpl
    def ssj_eligibility(self, as_of: date) -> Eligibility:
        return Eligibility(
            credentials=("enforcement_certificate", "work_id"),
            valid_on_date=True,
            cite=self.cite("第六条、第十三条"),
        )

    @hookimpl
    def ssj_recusal_rule(self, as_of: date) -> RecusalRule:
        return RecusalRule(modes=("swap", "withdraw"), cite=self.cite("第九条"))

    @hookimpl
    def ssj_methods(self, as_of: date) -> MethodRule:
        return MethodRule(
            methods=("written", "on_site", "network_monitoring", "testing"),
            cite=self.cite("第十二条"),
        )

    @hookimpl
    def ssj_on_site_rule(self, as_of: date) -> OnSiteRule:
        return OnSiteRule(
            min_inspectors=2,
            credentials=("enforcement_certificate", "work_id"),
            cite=self.cite("第十三条第一款"),
        )

    @hookimpl
    def ssj_report_rule(self, as_of: date) -> ReportRule:
        return ReportRule(
            required=True,
            fields=("period", "target_count", "content", "findings", "handling", "suggestions"),
            cite=self.cite("第十四条"),
        )

    @hookimpl
    def ssj_publication_deadline(self, as_of: date, task: TaskFacts) -> DeadlineRule:
        return DeadlineRule(
            working_days=30,
            start_event="work_end",
            excluded_periods=(),
            channels=("portal", "credit_publicity"),
            per_target_results=True,
            cite=self.cite("第十五条"),
        )

    @hookimpl
    def ssj_plan_window(self, as_of: date, year: int) -> PlanWindow:
        return PlanWindow(start=date(year, 1, 1), end=date(year, 3, 31), cite=self.cite("第七条"))

    @hookimpl
    def ssj_result_types(self, as_of: date) -> list[ResultType]:
        return []


pack = Pack(
    name="miit",
    title="工业和信息化部“双随机一公开”监管实施办法",
    versions=((V2018, Miit2018),),
    contract="1.0",
    description="National baseline (工信厅政〔2018〕45号)",
    source=__name__,
)
