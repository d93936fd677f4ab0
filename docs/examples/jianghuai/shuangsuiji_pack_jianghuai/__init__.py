"""The jianghuai policy pack: 江淮省's 实施细则, a made-up province, over the MIIT baseline.

The second example pack of docs/plugins.md, written from the toolkit alone
(``shuangsuiji.toolkit``) and tested in the platform's suite as a third-party pack: it is
installed from this folder with pip. The documents, numbers and dates are invented.

江淮省工业和信息化厅“双随机、一公开”监管实施细则 (江工信规〔2025〕3号), where it differs
from MIIT: results published within 15 working days (第十四条); general items sampled at
most 5 % (第五条); risk-flagged targets sampled at double the ratio (第十一条); a target
inspected in the last 90 days is not drawn for a general item, unless it has complaints
(第十条第三款); a recused inspector withdraws and a replacement is drawn (第九条); only
holders of an enforcement certificate (执法证) are drawn and show it on site (第六条、第十三条);
no testing (检验检测) among the methods (第十二条). The 2027 revision (江工信规〔2026〕11号)
raises the general cap to 8 % and changes nothing else.
"""

from __future__ import annotations

from datetime import date

from shuangsuiji.toolkit import (
    DeadlineRule,
    Eligibility,
    ExclusionRule,
    ItemCategory,
    MethodRule,
    OnSiteRule,
    Pack,
    PackRules,
    PackVersion,
    RecusalRule,
    RiskRule,
    TaskFacts,
    hookimpl,
)

V2025 = PackVersion(
    version="2025",
    document="江工信规〔2025〕3号",
    title="江淮省工业和信息化厅“双随机、一公开”监管实施细则",
    issued=date(2025, 2, 10),
    effective=date(2025, 3, 1),
    repealed=date(2027, 1, 1),
)

V2027 = PackVersion(
    version="2027",
    document="江工信规〔2026〕11号",
    title="江淮省工业和信息化厅“双随机、一公开”监管实施细则（2026年修订）",
    issued=date(2026, 11, 20),
    effective=date(2027, 1, 1),
    repeals="江工信规〔2025〕3号",
)


class Rules2025(PackRules):
    """Rules of 江工信规〔2025〕3号, where they differ from MIIT."""

    #: 第五条第二款: 一般检查事项的抽查比例不超过5%.
    general_cap_permille = 50

    @hookimpl
    def ssj_item_categories(self, as_of: date) -> tuple[ItemCategory, ...]:
        return (
            ItemCategory(code="key", name_zh="重点检查事项", name_en="key item",
                         cap_permille=None, cap_required=False, batch_order=True,
                         batch_order_min_permille=500, cite=self.cite("第五条第一款")),
            ItemCategory(code="general", name_zh="一般检查事项", name_en="general item",
                         cap_permille=self.general_cap_permille, cap_required=True,
                         batch_order=False, batch_order_min_permille=1000,
                         cite=self.cite("第五条第二款")),
        )

    @hookimpl
    def ssj_risk_rules(self, as_of: date) -> tuple[RiskRule, ...]:
        # 第十一条: 对有风险标记的检查对象，按一般比例的两倍抽取
        return tuple(RiskRule(flag=flag, ratio_permille=0, multiplier=2,
                              cite=self.cite("第十一条"))
                     for flag in ("complaints", "abnormal_operations", "bad_credit",
                                  "administrative_penalty"))

    @hookimpl
    def ssj_extra_exclusions(self, as_of: date) -> list[ExclusionRule]:
        # 第十条第三款: 一般检查事项的抽查，近90日内已接受过检查的检查对象不再抽取；
        # 有投诉举报的除外
        return [ExclusionRule(code="general_within_90_days", kind="recently_inspected",
                              params=(("days", 90), ("categories", "general"),
                                      ("exempt_flags", "complaints")),
                              cite=self.cite("第十条第三款"))]

    @hookimpl
    def ssj_recusal_rule(self, as_of: date) -> RecusalRule:
        return RecusalRule(modes=("withdraw",), cite=self.cite("第九条"))

    @hookimpl
    def ssj_eligibility(self, as_of: date) -> Eligibility:
        return Eligibility(credentials=("enforcement_certificate",), valid_on_date=True,
                           cite=self.cite("第六条"))

    @hookimpl
    def ssj_methods(self, as_of: date) -> MethodRule:
        return MethodRule(methods=("written", "on_site", "network_monitoring"),
                          cite=self.cite("第十二条"))

    @hookimpl
    def ssj_on_site_rule(self, as_of: date) -> OnSiteRule:
        return OnSiteRule(min_inspectors=2, credentials=("enforcement_certificate",),
                          cite=self.cite("第十三条"))

    @hookimpl
    def ssj_publication_deadline(self, as_of: date, task: TaskFacts) -> DeadlineRule:
        return DeadlineRule(working_days=15, start_event="work_end",
                            excluded_periods=("testing", "inspection", "appraisal"),
                            channels=("portal", "credit_publicity"), per_target_results=True,
                            cite=self.cite("第十四条"))


class Rules2027(Rules2025):
    """江工信规〔2026〕11号: the general cap rises to 8 %; every other rule carries over
    (as a subclass, citing the 2027 version)."""

    general_cap_permille = 80


pack = Pack(
    name="jianghuai",
    title="江淮省工业和信息化厅“双随机、一公开”监管实施细则",
    versions=((V2025, Rules2025), (V2027, Rules2027)),
    contract="1.0",
    description="江淮省 (made-up example province, docs/examples/jianghuai), over MIIT",
    source=__name__,
    extends="miit",
)
