"""The Chongqing pack: 重庆市经济和信息化委员会“双随机、一公开”监管实施办法 (渝经信发〔2021〕6号).

A full Python pack over the MIIT baseline. It answers only where the Chongqing text
differs from MIIT; every other hook falls through to the baseline. Articles cite the
Chongqing text.
"""

from __future__ import annotations

from datetime import date, timedelta

from shuangsuiji.toolkit import (
    DeadlineRule,
    Eligibility,
    ExclusionPolicy,
    GroupRule,
    ItemCategory,
    MethodRule,
    OnSiteRule,
    OrgRoles,
    Pack,
    PackRules,
    PackVersion,
    PlatformDefault,
    RecusalRule,
    ReportRule,
    RiskRule,
    SpecialInspectionRule,
    TaskFacts,
    hookimpl,
)

ISSUED = date(2021, 1, 9)

#: 第五条: "抽查比例高的，可以通过随机抽取的方式确定检查批次顺序" names no figure for "high":
#: the item list sets each key item's threshold; this is the default where it sets none.
BATCH_ORDER_DEFAULT_PERMILLE = 300

V2021 = PackVersion(
    version="2021",
    document="渝经信发〔2021〕6号",
    title="重庆市经济和信息化委员会“双随机、一公开”监管实施办法",
    issued=ISSUED,
    effective=ISSUED + timedelta(days=30),  # 第十八条: 自印发之日起三十日后施行
    repeals="渝经信发〔2018〕55号",
    defaults=(
        PlatformDefault(
            setting="item.batch_order_min_permille",
            value=f"{BATCH_ORDER_DEFAULT_PERMILLE}‰",
            article="第五条",
            note="重点检查事项“抽查比例高的”可随机确定检查批次顺序；“高”的比例原文未规定，"
            "由随机抽查事项清单逐项设定",
        ),
        PlatformDefault(
            setting="risk_rules.multiplier",
            value="2×",
            article="第十条第二款",
            note="“加大抽查力度，提高抽查比例和频次”未规定幅度：风险标记对象按事项比例的2倍抽取",
        ),
    ),
)


class Chongqing2021(PackRules):
    """Rules of 渝经信发〔2021〕6号, where they differ from MIIT."""

    @hookimpl
    def ssj_org_roles(self, as_of: date) -> OrgRoles:
        return OrgRoles(
            lead_organ="综合执法处",
            acting_unit="综合执法处、业务处室",
            notifying_unit="检查处室",
            cite=self.cite("第四条、第十一条"),
        )

    @hookimpl
    def ssj_item_categories(self, as_of: date) -> tuple[ItemCategory, ...]:
        cite = self.cite("第五条")
        return (
            ItemCategory(
                code="key",
                name_zh="重点检查事项",
                name_en="key item",
                cap_permille=None,  # 抽查比例不设上限
                cap_required=False,
                batch_order=True,  # 抽查比例高的，可以通过随机抽取的方式确定检查批次顺序
                batch_order_min_permille=BATCH_ORDER_DEFAULT_PERMILLE,
                cite=cite,
            ),
            ItemCategory(
                code="general",
                name_zh="一般检查事项",
                name_en="general item",
                # 抽查比例应根据监管实际情况设置上限: each general item's own cap, set on
                # the item list; the text gives no pack-wide figure
                cap_permille=None,
                cap_required=True,
                batch_order=False,
                batch_order_min_permille=1000,
                cite=cite,
            ),
        )

    @hookimpl
    def ssj_exclusion_policy(self, as_of: date) -> ExclusionPolicy:
        return ExclusionPolicy(
            once_per_year=True,  # 第十条第一款
            same_quarter_other_divisions=False,  # no such rule in the Chongqing text
            # 第十条第一款 "除本条第二款规定的情形外": the risk-flagged targets of ¶2 are exempt.
            exempt_risk_flags=frozenset(
                {"complaints", "abnormal_operations", "bad_credit", "administrative_penalty"}
            ),
            cite=self.cite("第十条"),
        )

    @hookimpl
    def ssj_risk_rules(self, as_of: date) -> tuple[RiskRule, ...]:
        cite = self.cite("第十条第二款")
        return tuple(
            RiskRule(flag=f, ratio_permille=0, multiplier=2, cite=cite)
            for f in ("complaints", "abnormal_operations", "bad_credit", "administrative_penalty")
        )

    @hookimpl
    def ssj_special_inspections(self, as_of: date) -> SpecialInspectionRule:
        return SpecialInspectionRule(
            triggers=(
                "complaint",
                "assigned_from_above",
                "transferred_lead",
                "ministry_provision",
                "local_government_provision",
            ),
            cite=self.cite("第十七条第二款"),
        )

    @hookimpl
    def ssj_group_rule(self, as_of: date) -> GroupRule:
        return GroupRule(
            min_size=2,
            leader=True,  # 确定一名执法人员为组长
            # 第六条: 综合执法处统一调配执法人员 (unified; across_departments kept for tasks
            # made before the scope existed: the same one pool of the whole tenant)
            scopes=("unified", "across_departments"),
            cite=self.cite("第六条、第八条"),
        )

    @hookimpl
    def ssj_eligibility(self, as_of: date) -> Eligibility:
        return Eligibility(
            credentials=("enforcement_certificate",),
            valid_on_date=True,
            cite=self.cite("第六条第二款"),
        )

    @hookimpl
    def ssj_recusal_rule(self, as_of: date) -> RecusalRule:
        return RecusalRule(modes=("withdraw",), cite=self.cite("第九条"))

    @hookimpl
    def ssj_methods(self, as_of: date) -> MethodRule:
        return MethodRule(
            methods=("written", "on_site", "network_monitoring"), cite=self.cite("第十二条")
        )

    @hookimpl
    def ssj_on_site_rule(self, as_of: date) -> OnSiteRule:
        return OnSiteRule(
            min_inspectors=2, credentials=("enforcement_certificate",), cite=self.cite("第十三条")
        )

    @hookimpl
    def ssj_report_rule(self, as_of: date) -> ReportRule:
        # 第十四条 publishes 抽查情况 but the text asks for no separate report.
        return ReportRule(required=False, fields=(), cite=self.cite("第十四条"))

    @hookimpl
    def ssj_publication_deadline(self, as_of: date, task: TaskFacts) -> DeadlineRule:
        return DeadlineRule(
            working_days=20,
            start_event="work_end",
            excluded_periods=("testing", "inspection", "appraisal"),  # 需要检验、检测、鉴定的除外
            channels=("portal", "credit_publicity"),
            per_target_results=False,
            cite=self.cite("第十四条"),
        )


pack = Pack(
    name="chongqing",
    title="重庆市经济和信息化委员会“双随机、一公开”监管实施办法",
    versions=((V2021, Chongqing2021),),
    contract="1.0",
    description="Chongqing 实施细则 (渝经信发〔2021〕6号), over the MIIT baseline",
    source=__name__,
    extends="miit",
)
