"""The plugin toolkit: everything a policy pack may import from the platform, in one place.

A pack imports from here and nowhere else (``from shuangsuiji.toolkit import ...``); the
names below are the stable surface, documented one by one in docs/plugins.md ("The
toolkit"), and a name leaves it only with a new major :data:`CONTRACT_VERSION`. The
platform's other modules are its own business and may change in any release. CKAN's
``ckan.plugins.toolkit`` is the model.

The surface, by use:

- *declaring a pack*: :class:`Pack`, :class:`PackVersion`, :class:`PackRules` (whose
  ``cite()`` builds a :class:`Citation`), :data:`hookimpl`, :data:`CONTRACT_VERSION`;
- *the rules hooks return*: the frozen dataclasses of :mod:`shuangsuiji.rules`, and the
  vocabularies their fields take (:data:`METHODS`, :data:`CREDENTIALS`, ...,
  :data:`CODE_PATTERN` for every code a pack invents);
- *testing a pack*: :func:`ssj_pack_conformance` (one pytest test per conformance check),
  :func:`check_pack` and :class:`Problem`, :class:`PackRegistry` (``policy(chain)`` gives a
  :class:`TenantPolicy`, whose ``rules(as_of)`` is a :class:`RuleSet`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from shuangsuiji.credit_rules import CLASS_CODE, CreditClass
from shuangsuiji.hookspecs import CONTRACT_VERSION, hookimpl
from shuangsuiji.packkit.conformance import Problem, check_pack
from shuangsuiji.packs.base import Pack, PackRules
from shuangsuiji.packs.policy import TenantPolicy
from shuangsuiji.packs.registry import PackRegistry
from shuangsuiji.packs.ruleset import RuleSet
from shuangsuiji.rules import (
    CODE_PATTERN,
    CREDENTIALS,
    EXCLUDABLE_PERIODS,
    INSPECTOR_SCOPES,
    METHODS,
    PLATFORM_DEFAULT_ZH,
    RECUSAL_MODES,
    RESULT_NAMES_ZH,
    RISK_FLAGS,
    SPECIAL_TRIGGERS,
    STANDARD_RESULTS,
    START_EVENTS,
    Citation,
    DeadlineRule,
    Eligibility,
    ExclusionPolicy,
    ExclusionRule,
    GroupRule,
    ItemCategory,
    MethodRule,
    OnSiteRule,
    OrgRoles,
    PackVersion,
    PlanWindow,
    PlatformDefault,
    RecusalRule,
    ReportRule,
    ResultType,
    RiskRule,
    SpecialInspectionRule,
    TaskFacts,
)

if TYPE_CHECKING:
    from shuangsuiji.packkit.pytest_plugin import RegistrySpec


def ssj_pack_conformance(
    pack: str | Path | Pack, registry: RegistrySpec = None
) -> Callable[..., None]:
    """A pytest test, one case per conformance check, for ``pack`` (a name, a Pack or a
    province file); assign it to a ``test_*`` name in a test module.

    Imported lazily, so that a pack imports the toolkit without importing pytest.
    """
    from shuangsuiji.packkit.pytest_plugin import ssj_pack_conformance as make

    return make(pack, registry)


__all__ = [
    "CLASS_CODE",
    "CODE_PATTERN",
    "CONTRACT_VERSION",
    "CREDENTIALS",
    "EXCLUDABLE_PERIODS",
    "INSPECTOR_SCOPES",
    "METHODS",
    "PLATFORM_DEFAULT_ZH",
    "RECUSAL_MODES",
    "RESULT_NAMES_ZH",
    "RISK_FLAGS",
    "SPECIAL_TRIGGERS",
    "STANDARD_RESULTS",
    "START_EVENTS",
    "Citation",
    "CreditClass",
    "DeadlineRule",
    "Eligibility",
    "ExclusionPolicy",
    "ExclusionRule",
    "GroupRule",
    "ItemCategory",
    "MethodRule",
    "OnSiteRule",
    "OrgRoles",
    "Pack",
    "PackRegistry",
    "PackRules",
    "PackVersion",
    "PlanWindow",
    "PlatformDefault",
    "Problem",
    "RecusalRule",
    "ReportRule",
    "ResultType",
    "RiskRule",
    "RuleSet",
    "SpecialInspectionRule",
    "TaskFacts",
    "TenantPolicy",
    "check_pack",
    "hookimpl",
    "ssj_pack_conformance",
]
