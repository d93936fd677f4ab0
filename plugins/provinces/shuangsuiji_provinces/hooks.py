"""Hook implementations that answer from a province file's (already checked) rule tables.

Every hook of the contract is implemented; a hook whose table the version does not have
returns ``None``, so pluggy asks the parent pack (MIIT) next. Values were validated by
:mod:`.loader`, so this module only converts them into the dataclasses of
:mod:`shuangsuiji.rules`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from shuangsuiji.toolkit import (
    Citation,
    CreditClass,
    DeadlineRule,
    Eligibility,
    ExclusionPolicy,
    ExclusionRule,
    GroupRule,
    ItemCategory,
    MethodRule,
    OnSiteRule,
    OrgRoles,
    PackRules,
    PackVersion,
    PlanWindow,
    RecusalRule,
    ReportRule,
    ResultType,
    RiskRule,
    SpecialInspectionRule,
    TaskFacts,
    hookimpl,
)

Tables = dict[str, dict[str, Any]]


class DeclarativeRules(PackRules):
    """The rules of one version of a province file."""

    def __init__(self, pack: str, version: PackVersion, tables: Tables) -> None:
        super().__init__(pack, version)
        self.tables = tables

    @classmethod
    def factory(cls, tables: Tables) -> Callable[[str, PackVersion], DeclarativeRules]:
        """The factory :class:`~shuangsuiji.packs.Pack` expects, bound to ``tables``."""

        def build(pack: str, version: PackVersion) -> DeclarativeRules:
            return cls(pack, version, tables)

        return build

    def _table(self, name: str) -> tuple[dict[str, Any], Citation] | None:
        table = self.tables.get(name)
        if table is None:
            return None
        return table, self.cite(table["article"])

    def _entry_cite(self, entry: dict[str, Any], table_cite: Citation) -> Citation:
        return self.cite(entry["article"]) if entry.get("article") else table_cite

    @hookimpl
    def ssj_org_roles(self, as_of: date) -> OrgRoles | None:
        if (found := self._table("org_roles")) is None:
            return None
        t, cite = found
        return OrgRoles(lead_organ=t["lead_organ"], acting_unit=t["acting_unit"],
                        notifying_unit=t["notifying_unit"], cite=cite)

    @hookimpl
    def ssj_item_categories(self, as_of: date) -> tuple[ItemCategory, ...] | None:
        if (found := self._table("item_categories")) is None:
            return None
        t, cite = found
        return tuple(
            ItemCategory(
                code=e["code"], name_zh=e["name_zh"], name_en=e["name_en"],
                cap_permille=e["cap_permille"], cap_required=e["cap_required"],
                batch_order=e["batch_order"],
                batch_order_min_permille=e["batch_order_min_permille"],
                cite=self._entry_cite(e, cite),
            )
            for e in t["categories"]
        )

    @hookimpl
    def ssj_exclusion_policy(self, as_of: date) -> ExclusionPolicy | None:
        if (found := self._table("exclusion_policy")) is None:
            return None
        t, cite = found
        return ExclusionPolicy(
            once_per_year=t["once_per_year"],
            same_quarter_other_divisions=t["same_quarter_other_divisions"],
            exempt_risk_flags=frozenset(t["exempt_risk_flags"]),
            cite=cite,
        )

    @hookimpl
    def ssj_extra_exclusions(self, as_of: date) -> list[ExclusionRule] | None:
        if (found := self._table("extra_exclusions")) is None:
            return None
        t, cite = found
        out = []
        for e in t["exclusions"]:
            params: list[tuple[str, str | int]] = [
                ("days", e["days"]) if e["kind"] == "recently_inspected" else ("flag", e["flag"])
            ]
            for option in ("categories", "exempt_flags"):
                if e.get(option):
                    params.append((option, ",".join(sorted(e[option]))))
            out.append(ExclusionRule(code=e["code"], kind=e["kind"], params=tuple(params),
                                     cite=self._entry_cite(e, cite)))
        return out

    @hookimpl
    def ssj_risk_rules(self, as_of: date) -> tuple[RiskRule, ...] | None:
        if (found := self._table("risk_rules")) is None:
            return None
        t, cite = found
        return tuple(
            RiskRule(flag=e["flag"], ratio_permille=e["ratio_permille"],
                     multiplier=e["multiplier"], cite=self._entry_cite(e, cite))
            for e in t["flags"]
        )

    @hookimpl
    def ssj_credit_classes(self, as_of: date) -> tuple[CreditClass, ...] | None:
        if (found := self._table("credit_classes")) is None:
            return None
        t, cite = found
        return tuple(
            CreditClass(code=e["code"], name_zh=e["name_zh"], name_en=e["name_en"],
                        ratio_permille=e["ratio_permille"], cite=self._entry_cite(e, cite))
            for e in t["classes"]
        )

    @hookimpl
    def ssj_special_inspections(self, as_of: date) -> SpecialInspectionRule | None:
        if (found := self._table("special_inspections")) is None:
            return None
        t, cite = found
        return SpecialInspectionRule(triggers=tuple(t["triggers"]), cite=cite)

    @hookimpl
    def ssj_group_rule(self, as_of: date) -> GroupRule | None:
        if (found := self._table("group_rule")) is None:
            return None
        t, cite = found
        return GroupRule(min_size=t["min_size"], leader=t["leader"], scopes=tuple(t["scopes"]),
                         cite=cite)

    @hookimpl
    def ssj_eligibility(self, as_of: date) -> Eligibility | None:
        if (found := self._table("eligibility")) is None:
            return None
        t, cite = found
        return Eligibility(credentials=tuple(t["credentials"]), valid_on_date=t["valid_on_date"],
                           cite=cite)

    @hookimpl
    def ssj_recusal_rule(self, as_of: date) -> RecusalRule | None:
        if (found := self._table("recusal_rule")) is None:
            return None
        t, cite = found
        return RecusalRule(modes=tuple(t["modes"]), cite=cite)

    @hookimpl
    def ssj_methods(self, as_of: date) -> MethodRule | None:
        if (found := self._table("methods")) is None:
            return None
        t, cite = found
        return MethodRule(methods=tuple(t["methods"]), cite=cite)

    @hookimpl
    def ssj_on_site_rule(self, as_of: date) -> OnSiteRule | None:
        if (found := self._table("on_site_rule")) is None:
            return None
        t, cite = found
        return OnSiteRule(min_inspectors=t["min_inspectors"],
                          credentials=tuple(t["credentials"]), cite=cite)

    @hookimpl
    def ssj_report_rule(self, as_of: date) -> ReportRule | None:
        if (found := self._table("report_rule")) is None:
            return None
        t, cite = found
        return ReportRule(required=t["required"], fields=tuple(t["fields"]), cite=cite)

    @hookimpl
    def ssj_publication_deadline(self, as_of: date, task: TaskFacts) -> DeadlineRule | None:
        if (found := self._table("publication_deadline")) is None:
            return None
        t, cite = found
        return DeadlineRule(
            working_days=t["working_days"], start_event=t["start_event"],
            excluded_periods=tuple(t["excluded_periods"]), channels=tuple(t["channels"]),
            per_target_results=t["per_target_results"], cite=cite,
        )

    @hookimpl
    def ssj_plan_window(self, as_of: date, year: int) -> PlanWindow | None:
        if (found := self._table("plan_window")) is None:
            return None
        t, cite = found
        (sm, sd), (em, ed) = (map(int, t[k].split("-")) for k in ("start", "end"))
        return PlanWindow(start=date(year, sm, sd), end=date(year, em, ed), cite=cite)

    @hookimpl
    def ssj_result_types(self, as_of: date) -> list[ResultType] | None:
        if (found := self._table("result_types")) is None:
            return None
        t, cite = found
        return [
            ResultType(code=e["code"], name_zh=e["name_zh"], name_en=e["name_en"],
                       problem_found=e["problem_found"], cite=self._entry_cite(e, cite))
            for e in t["results"]
        ]
