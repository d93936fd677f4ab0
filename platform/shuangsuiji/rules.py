"""The plain values that policy-pack hooks return: the rules of a jurisdiction.

A pack imports these through :mod:`shuangsuiji.toolkit`, the one surface it may use.
Every value is a frozen dataclass of plain Python types, so that a
rule can be serialised into a draw bundle and compared across packs.

Every rule carries a :class:`Citation` naming the pack, the pack version and the
article of the 实施细则 it implements; the host records it with every decision
that depends on the rule.

Ratios and caps are integers in per mille (‰) so that no floating point enters a
draw: ``100`` means 10 %.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

#: The form of every code a pack invents (item categories, extra exclusions, result types):
#: a lower-case letter, then lower-case letters, digits and underscores. Province files and
#: Python packs are held to the same pattern (the schema and the conformance kit use this).
CODE_PATTERN: re.Pattern[str] = re.compile(r"^[a-z][a-z0-9_]*$")

#: Inspection methods (检查方式) known to the platform.
METHODS: tuple[str, ...] = ("written", "on_site", "network_monitoring", "testing")

#: Credentials (执法证 / 工作证) an inspector may show on site.
CREDENTIALS: tuple[str, ...] = ("enforcement_certificate", "work_id")

#: Recusal modes (回避方式): 交换检查对象 / 重新随机抽取替代人员.
RECUSAL_MODES: tuple[str, ...] = ("swap", "withdraw")

#: Scopes from which inspectors are drawn (MIIT Art. 8 ¶2).
INSPECTOR_SCOPES: tuple[str, ...] = (
    "within_department",  # 本司局内随机抽取
    "across_departments",  # 跨司局间随机抽取 (CQ: one central pool)
    "with_subordinates",  # 本司局与下级主管部门间随机抽取
    "unified",  # CQ 第六条: 综合执法处统一调配, one pool of the whole tenant
)

#: Risk flags (风险标记) a target may carry.
RISK_FLAGS: tuple[str, ...] = (
    "complaints",  # 投诉举报多
    "abnormal_operations",  # 列入经营异常名录
    "bad_credit",  # 不良信用记录
    "administrative_penalty",  # 被行政处罚
)

#: Events from which a publication deadline may be counted.
START_EVENTS: tuple[str, ...] = ("work_end",)

#: Periods that a deadline may leave out of its count (CQ Art. 14: 检验、检测、鉴定).
EXCLUDABLE_PERIODS: tuple[str, ...] = ("testing", "inspection", "appraisal")

#: Triggers that make a task a special or dragnet inspection (专项检查 / 拉网式检查).
SPECIAL_TRIGGERS: tuple[str, ...] = (
    "complaint",  # 群众投诉举报
    "assigned_from_above",  # 上级机关交办
    "transferred_lead",  # 其他部门移送案件线索
    "ministry_provision",  # 工业和信息化部有特别规定
    "local_government_provision",  # 地方人民政府有特别规定 (CQ)
)

#: Publication channels (MIIT Art. 15: 门户网站、有关信用信息公示系统).
CHANNELS: tuple[str, ...] = ("portal", "credit_publicity")

#: Fields a task report may require (MIIT Art. 14).
REPORT_FIELDS: tuple[str, ...] = (
    "period", "target_count", "content", "findings", "handling", "suggestions",
)

#: Bounds (inclusive) of the counted fields of rules, the same for province files and Python
#: packs: ``working_days`` of a deadline, ``min_size`` of a group, ``min_inspectors`` on site,
#: ``days`` of a ``recently_inspected`` exclusion, ``multiplier`` of a risk rule.
BOUNDS: dict[str, tuple[int, int]] = {
    "working_days": (1, 365),
    "min_size": (1, 50),
    "min_inspectors": (1, 50),
    "days": (1, 3660),
    "multiplier": (1, 1000),
}

#: Results of an inspection of one target, in Chinese as the national list of result
#: categories (抽查检查结果) names them; packs may add to this list (:class:`ResultType`).
#: The last three are the platform's earlier results, kept for results already recorded.
RESULT_NAMES_ZH: dict[str, str] = {
    "no_problem": "未发现问题",
    "unpublished_information": "未按规定公示应当公示的信息",
    "false_publicity": "公示信息隐瞒真实情况、弄虚作假",
    "unreachable_at_address": "通过登记的住所（经营场所）无法联系",
    "refused_inspection": "不配合检查情节严重",
    "no_relevant_activity": "未发现开展本次抽查涉及的经营活动",
    "problem_rectified": "发现问题已责令改正",
    "problem_pending": "发现问题待后续处理",
    "problem_transferred": "发现问题已移送",
    "not_found": "查无下落",
    "closed_down": "已注销或已停业",
}
STANDARD_RESULTS: tuple[str, ...] = tuple(RESULT_NAMES_ZH)
#: The standard results that mean a problem was found.
PROBLEM_RESULTS: frozenset[str] = frozenset({
    "unpublished_information", "false_publicity", "unreachable_at_address",
    "refused_inspection", "problem_rectified", "problem_pending", "problem_transferred",
})


@dataclass(frozen=True)
class Citation:
    """Where a rule comes from: pack, pack version and article (e.g. ``"第十条第一款"``)."""

    pack: str
    version: str
    article: str

    def __str__(self) -> str:
        return f"{self.pack} {self.version} {self.article}"


#: How pages label a figure the regulation text does not fix (issue #14): it is a tenant or
#: item setting, and the value shown is the platform's default.
PLATFORM_DEFAULT_ZH = "平台默认值（原文未规定）"
PLATFORM_DEFAULT_EN = "platform default (not set by the text)"


@dataclass(frozen=True)
class PlatformDefault:
    """A figure the text leaves open, which the pack fills with a default.

    ``setting`` names where a tenant or the item list overrides it (e.g.
    ``"item.batch_order_min_permille"``), ``value`` is the default as shown, ``article`` is
    the article that leaves the figure open. Pages show it as :data:`PLATFORM_DEFAULT_ZH`.
    """

    setting: str
    value: str
    article: str
    note: str = ""


@dataclass(frozen=True)
class PackVersion:
    """One version of a pack's 实施细则, in force from ``effective`` to ``repealed`` (exclusive)."""

    version: str
    document: str  # e.g. "工信厅政〔2018〕45号"
    title: str
    issued: date
    effective: date
    repealed: date | None = None
    repeals: str | None = None  # the document this version repealed, as cited in its text
    #: False while no public source establishes ``issued`` (pages say it is unconfirmed)
    issued_confirmed: bool = True
    #: figures the text leaves open that this version fills with a default
    defaults: tuple[PlatformDefault, ...] = ()

    def in_force(self, on: date) -> bool:
        return self.effective <= on and (self.repealed is None or on < self.repealed)


@dataclass(frozen=True)
class OrgRoles:
    """Who leads and who acts (MIIT Art. 4 / CQ Art. 4, 11)."""

    lead_organ: str
    acting_unit: str
    notifying_unit: str
    cite: Citation


@dataclass(frozen=True)
class ItemCategory:
    """An item category (CQ Art. 5: 重点检查事项 / 一般检查事项).

    ``cap_permille`` is the pack's ceiling on the ratio one task may draw of an item of this
    category (per task, not per year), ``None`` for no ceiling. ``cap_required`` means each
    item of the category must carry its own cap (CQ general items: the item list sets it,
    the pack sets none). ``batch_order`` means the order of inspection batches may be drawn
    at random once the task's ratio is high: from the item list's threshold for the item, or
    ``batch_order_min_permille`` (the default; ``0``: at any ratio) where the item list sets
    none; batches are drawn only for a task created with a batch count (``--batches N``).
    """

    code: str
    name_zh: str
    name_en: str
    cap_permille: int | None
    cap_required: bool
    batch_order: bool
    batch_order_min_permille: int
    cite: Citation


@dataclass(frozen=True)
class ExclusionPolicy:
    """Which exclusions apply to a regular (non-special) task (MIIT Art. 10, CQ Art. 10).

    ``exempt_risk_flags`` exempt flagged targets from the two built-in rules only; an extra
    :class:`ExclusionRule` names its own ``exempt_flags``.
    """

    once_per_year: bool
    same_quarter_other_divisions: bool
    exempt_risk_flags: frozenset[str]
    cite: Citation


@dataclass(frozen=True)
class ExclusionRule:
    """An extra, declarative exclusion a pack contributes.

    ``kind`` is one of the kernel's vocabulary (see docs/draw-spec.md):
    ``"recently_inspected"`` (``params["days"]``: any item within that many days before
    the task's start) or ``"flag"`` (``params["flag"]``: targets carrying that flag).

    Two optional params: ``"categories"`` (item-category codes joined by commas) limits the
    rule to tasks with an item of one of those categories; ``"exempt_flags"`` (risk flags
    joined by commas) are flags whose targets this rule does not exclude. The exclusion
    policy's ``exempt_risk_flags`` cover the built-in rules only, never an extra rule.
    """

    code: str
    kind: str
    params: tuple[tuple[str, str | int], ...]
    cite: Citation

    def param(self, name: str) -> str | int:
        return dict(self.params)[name]

    def _codes(self, name: str) -> tuple[str, ...]:
        value = dict(self.params).get(name)
        return tuple(c for c in str(value).split(",") if c) if value is not None else ()

    @property
    def categories(self) -> tuple[str, ...]:
        """The item categories the rule is limited to; empty: every task."""
        return self._codes("categories")

    @property
    def exempt_flags(self) -> frozenset[str]:
        """Risk flags whose targets this rule does not exclude."""
        return frozenset(self._codes("exempt_flags"))

    def applies_to(self, categories: tuple[str, ...] | frozenset[str] | set[str]) -> bool:
        """Whether the rule applies to a task whose items are of ``categories``."""
        return not self.categories or not set(self.categories).isdisjoint(categories)


#: The params an :class:`ExclusionRule` may carry besides its kind's own.
EXCLUSION_OPTIONS: tuple[str, ...] = ("categories", "exempt_flags")


@dataclass(frozen=True)
class RiskRule:
    """A risk flag that raises the ratio (MIIT Art. 10 ¶3, CQ Art. 10 ¶2).

    Targets with the flag form a stratum of their own, drawn at
    ``max(item ratio, ratio_permille)`` — or the item ratio times ``multiplier`` when
    that is larger — capped at 1000 ‰.
    """

    flag: str
    ratio_permille: int
    multiplier: int
    cite: Citation


@dataclass(frozen=True)
class GroupRule:
    """How inspectors are drawn into groups (MIIT Art. 8, CQ Art. 8)."""

    min_size: int
    leader: bool
    scopes: tuple[str, ...]
    cite: Citation


@dataclass(frozen=True)
class Eligibility:
    """Who may be drawn as an inspector (CQ Art. 6: holders of an enforcement certificate).

    ``credentials``: any one of these makes a person eligible. ``valid_on_date``: the
    credential must not have expired on the inspection date.
    """

    credentials: tuple[str, ...]
    valid_on_date: bool
    cite: Citation


@dataclass(frozen=True)
class RecusalRule:
    """Allowed recusal modes (MIIT Art. 9: swap or withdraw; CQ Art. 9: withdraw only)."""

    modes: tuple[str, ...]
    cite: Citation


@dataclass(frozen=True)
class MethodRule:
    """Allowed inspection methods (MIIT Art. 12, CQ Art. 12)."""

    methods: tuple[str, ...]
    cite: Citation


@dataclass(frozen=True)
class OnSiteRule:
    """On-site inspection rules (MIIT Art. 13, CQ Art. 13)."""

    min_inspectors: int
    credentials: tuple[str, ...]
    cite: Citation


@dataclass(frozen=True)
class ReportRule:
    """Whether a 抽查情况报告 is required after each task, and its fields (MIIT Art. 14)."""

    required: bool
    fields: tuple[str, ...]
    cite: Citation


@dataclass(frozen=True)
class DeadlineRule:
    """Publication deadline (MIIT Art. 15, CQ Art. 14).

    ``working_days`` counted from the day after ``start_event`` in the PRC calendar;
    ``excluded_periods`` are kinds of period left out of the count (CQ: 检验、检测、鉴定).
    """

    working_days: int
    start_event: str
    excluded_periods: tuple[str, ...]
    channels: tuple[str, ...]
    per_target_results: bool
    cite: Citation


@dataclass(frozen=True)
class PlanWindow:
    """When the annual plan must be made (MIIT Art. 7, CQ Art. 7: the first quarter)."""

    start: date
    end: date  # inclusive
    cite: Citation


@dataclass(frozen=True)
class SpecialInspectionRule:
    """Triggers that make work a special or dragnet inspection, outside the sampling rules."""

    triggers: tuple[str, ...]
    cite: Citation


@dataclass(frozen=True)
class ResultType:
    """A result a pack adds to :data:`STANDARD_RESULTS`."""

    code: str
    name_zh: str
    name_en: str
    problem_found: bool
    cite: Citation


@dataclass(frozen=True)
class TaskFacts:
    """What a hook may know of a task when asked about it."""

    special: bool = False
    methods: tuple[str, ...] = ()
    item_categories: tuple[str, ...] = ()
    extra: tuple[tuple[str, str], ...] = field(default_factory=tuple)
