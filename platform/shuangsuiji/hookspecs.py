"""The plugin contract: every hook a policy pack may implement.

A policy pack (实施细则 as a plugin) declares rules; it never acts. pluggy always calls hooks
with keyword arguments (hookspecs cannot use ``*``, pluggy ignores keyword-only parameters),
so an implementation may declare any subset of a hook's arguments, in any order, and a new
argument added to a hook later does not break older packs. Each hook takes and returns the
plain values of :mod:`shuangsuiji.rules`, never a database session, a request or an app.
Hooks marked *first answer wins* are called on the most specific pack first (the tenant's
own, then its ancestors', then the MIIT baseline); returning ``None`` falls through to the
parent. Hooks marked *every pack contributes* collect a list from every pack in the chain.

Each hook is called for one pack version at a time: ``as_of`` is the date the rule is
asked for (the task's date, the end of the work, the plan's year start), and the host
registers, for each pack, the version in force on that date.

The contract is versioned by :data:`CONTRACT_VERSION` (``MAJOR.MINOR``): a pack declares
the major version it was written for; the host refuses a pack of another major version at
start-up and says what changed (:data:`CONTRACT_CHANGES`).
"""

from __future__ import annotations

from datetime import date

import pluggy

from shuangsuiji.credit_rules import CreditClass
from shuangsuiji.rules import (
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

PROJECT = "shuangsuiji"
CONTRACT_VERSION = "1.0"

#: What changed at each major version of the contract, for the start-up refusal message.
CONTRACT_CHANGES: dict[int, str] = {
    1: "first published contract: rules as frozen dataclasses with a Citation, keyword-only "
    "hooks taking as_of",
}

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec(firstresult=True)
def ssj_org_roles(as_of: date) -> OrgRoles | None:
    """Return who leads the work, who runs draws and who notifies targets. First answer wins."""


@hookspec(firstresult=True)
def ssj_item_categories(as_of: date) -> tuple[ItemCategory, ...] | None:
    """Return the item categories, their ratio caps and batch-order rules. First answer wins."""


@hookspec(firstresult=True)
def ssj_exclusion_policy(as_of: date) -> ExclusionPolicy | None:
    """Return which built-in exclusions apply and which risk flags exempt from them (from
    the built-in ones only; extra exclusions name their own). First answer wins."""


@hookspec
def ssj_extra_exclusions(as_of: date) -> list[ExclusionRule] | None:
    """Return extra declarative exclusion rules, each maybe limited to item categories and
    with its own exempt flags. Every pack contributes; codes must be unique."""


@hookspec(firstresult=True)
def ssj_risk_rules(as_of: date) -> tuple[RiskRule, ...] | None:
    """Return the risk flags that raise the ratio, and by how much. First answer wins."""


@hookspec(firstresult=True)
def ssj_credit_classes(as_of: date) -> tuple[CreditClass, ...] | None:
    """Return the credit-risk classes (信用风险分类) and the ratio each class's stratum is
    drawn at (国发〔2019〕5号). First answer wins; ``None`` everywhere: no classes, the pool
    is stratified by risk flags alone (docs/draw-spec.md §3.2)."""


@hookspec(firstresult=True)
def ssj_special_inspections(as_of: date) -> SpecialInspectionRule | None:
    """Return the triggers that make work a special inspection, exempt from sampling rules."""


@hookspec(firstresult=True)
def ssj_group_rule(as_of: date) -> GroupRule | None:
    """Return minimum group size, whether a leader is named, and the allowed inspector scopes."""


@hookspec(firstresult=True)
def ssj_eligibility(as_of: date) -> Eligibility | None:
    """Return which credentials make a person eligible to be drawn as an inspector."""


@hookspec(firstresult=True)
def ssj_recusal_rule(as_of: date) -> RecusalRule | None:
    """Return the allowed recusal modes (swap, withdraw). First answer wins."""


@hookspec(firstresult=True)
def ssj_methods(as_of: date) -> MethodRule | None:
    """Return the allowed inspection methods. First answer wins."""


@hookspec(firstresult=True)
def ssj_on_site_rule(as_of: date) -> OnSiteRule | None:
    """Return the minimum inspectors on site and the credentials they may show."""


@hookspec(firstresult=True)
def ssj_report_rule(as_of: date) -> ReportRule | None:
    """Return whether a task report is required after the work, and its fields."""


@hookspec(firstresult=True)
def ssj_publication_deadline(as_of: date, task: TaskFacts) -> DeadlineRule | None:
    """Return the publication deadline in working days for a task whose work ended on as_of."""


@hookspec(firstresult=True)
def ssj_plan_window(as_of: date, year: int) -> PlanWindow | None:
    """Return the window in which the annual plan for ``year`` must be made."""


@hookspec
def ssj_result_types(as_of: date) -> list[ResultType] | None:
    """Return result types added to the standard list. Every pack contributes."""
