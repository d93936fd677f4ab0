"""The ``values`` conformance check: each rule's values are sane (known methods,
credentials, scopes, flags and modes; caps within 0..1000 ‰; unique codes).
"""

from __future__ import annotations

from typing import Any

from shuangsuiji import rules
from shuangsuiji.credit_rules import CreditClass, class_problems
from shuangsuiji.packkit.contract_checks import implemented_answers
from shuangsuiji.packkit.problems import Context, Problem

# --- values --------------------------------------------------------------------------------


def _subset(values: tuple[str, ...] | frozenset[str], known: tuple[str, ...], what: str,
            *, non_empty: bool = True) -> list[str]:
    out = [f"{what}: {v!r} is not one of {', '.join(known)}" for v in values if v not in known]
    if non_empty and not values:
        out.append(f"{what} is empty")
    if isinstance(values, tuple) and len(set(values)) != len(values):
        out.append(f"{what} lists a value twice: {values}")
    return out


def _permille(value: int | None, what: str) -> list[str]:
    if value is not None and not 0 <= value <= 1000:
        return [f"{what} is {value} ‰; it must be within 0..1000 ‰ (1000 ‰ = 100 %)"]
    return []


def _code(value: str, what: str) -> list[str]:
    """The same pattern as province files (``rules.CODE_PATTERN``)."""
    if rules.CODE_PATTERN.match(value):
        return []
    return [f"{what} code {value!r} does not have the form {rules.CODE_PATTERN.pattern} (a "
            "lower-case letter, then lower-case letters, digits and underscores)"]


def _bounded(value: Any, name: str, what: str) -> list[str]:
    low, high = rules.BOUNDS[name]
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return []
    return [f"{what} is {value!r}; it must be within {low}..{high}"]


def sane(value: Any) -> list[str]:
    """Plain-language problems with one rule value (not its type, not its citation).

    The limits are those of the province-file schema (``rules.BOUNDS``, ``CODE_PATTERN``
    and the vocabularies), so a Python pack and a TOML file are held to the same rules.
    """
    r = rules
    match value:
        case r.DeadlineRule():
            out = _bounded(value.working_days, "working_days", "working_days")
            out += _subset(value.channels, r.CHANNELS, "publication channels", non_empty=False)
            if value.start_event not in r.START_EVENTS:
                out.append(f"start_event {value.start_event!r} is not one of "
                           f"{', '.join(r.START_EVENTS)}")
            return out + _subset(value.excluded_periods, r.EXCLUDABLE_PERIODS,
                                 "excluded_periods", non_empty=False)
        case r.RecusalRule():
            return _subset(value.modes, r.RECUSAL_MODES, "recusal modes")
        case r.MethodRule():
            return _subset(value.methods, r.METHODS, "methods")
        case r.OnSiteRule():
            out = _bounded(value.min_inspectors, "min_inspectors", "min_inspectors")
            return out + _subset(value.credentials, r.CREDENTIALS, "on-site credentials")
        case r.Eligibility():
            return _subset(value.credentials, r.CREDENTIALS, "eligibility credentials")
        case r.GroupRule():
            out = _bounded(value.min_size, "min_size", "min_size")
            return out + _subset(value.scopes, r.INSPECTOR_SCOPES, "inspector scopes")
        case r.ItemCategory():
            out = _permille(value.cap_permille, f"category {value.code!r} cap")
            out += _permille(value.batch_order_min_permille,
                             f"category {value.code!r} batch_order_min_permille")
            out += _code(value.code, "item category")
            # cap_required without a pack ceiling is CQ 第五条 as written: each general
            # item's cap is set on the item list, the text gives no pack-wide figure
            return out
        case r.ExclusionPolicy():
            return _subset(value.exempt_risk_flags, r.RISK_FLAGS, "exempt risk flags",
                           non_empty=False)
        case r.ExclusionRule():
            return _exclusion_rule(value)
        case r.RiskRule():
            out = _subset((value.flag,), r.RISK_FLAGS, "risk flag")
            out += _permille(value.ratio_permille, f"risk rule {value.flag!r} ratio")
            if value.multiplier < 1:
                out.append(f"risk rule {value.flag!r} multiplier is {value.multiplier}; it "
                           "must be at least 1 (risk raises the ratio, never lowers it)")
            else:
                out += _bounded(value.multiplier, "multiplier",
                                f"risk rule {value.flag!r} multiplier")
            return out
        case r.SpecialInspectionRule():
            return _subset(value.triggers, r.SPECIAL_TRIGGERS, "special-inspection triggers")
        case r.ReportRule():
            out = _subset(value.fields, r.REPORT_FIELDS, "report fields", non_empty=False)
            return out + (["a report is required but no fields are named"] if (
                value.required and not value.fields) else [])
        case r.PlanWindow():
            return [f"plan window ends ({value.end}) before it starts ({value.start})"] if (
                value.end < value.start) else []
        case r.ResultType():
            if value.code in r.STANDARD_RESULTS:
                return [f"result type {value.code!r} repeats a standard result; use a new code"]
            return _code(value.code, "result type")
        case CreditClass():
            return class_problems([value])
        case r.OrgRoles():
            return [f"{f} is empty" for f in ("lead_organ", "acting_unit", "notifying_unit")
                    if not getattr(value, f).strip()]
    return []


def _exclusion_options(value: rules.ExclusionRule) -> list[str]:
    """The optional params ``categories`` and ``exempt_flags``, as the schema checks them."""
    params = dict(value.params)
    own = {"recently_inspected": "days", "flag": "flag"}.get(value.kind)
    out = [f"extra exclusion {value.code!r} has params {name!r}; known: {own}, "
           f"{', '.join(rules.EXCLUSION_OPTIONS)}" for name in params
           if name != own and name not in rules.EXCLUSION_OPTIONS]
    for option in rules.EXCLUSION_OPTIONS:
        if option in params and not isinstance(params[option], str):
            out.append(f"extra exclusion {value.code!r}: params {option!r} must be text, codes "
                       f"joined by commas, not {params[option]!r}")
    for category in value.categories:
        out += _code(category, f"extra exclusion {value.code!r}: item category")
    out += _subset(tuple(sorted(value.exempt_flags)), rules.RISK_FLAGS,
                   f"extra exclusion {value.code!r} exempt flags", non_empty=False)
    return out


def _exclusion_rule(value: rules.ExclusionRule) -> list[str]:
    params = dict(value.params)
    codes = _code(value.code, "extra exclusion") + _exclusion_options(value)
    if value.kind == "recently_inspected":
        days = params.get("days")
        low, high = rules.BOUNDS["days"]
        if not isinstance(days, int) or isinstance(days, bool) or not low <= days <= high:
            return [*codes, f"extra exclusion {value.code!r} (recently_inspected) needs params "
                    f"days within {low}..{high}, got {days!r}"]
        return codes
    if value.kind == "flag":
        if params.get("flag") not in rules.RISK_FLAGS:
            return [*codes, f"extra exclusion {value.code!r} (flag) needs params flag, one of "
                    f"{', '.join(rules.RISK_FLAGS)}; got {params.get('flag')!r}"]
        return codes
    return [*codes, f"extra exclusion {value.code!r} has kind {value.kind!r}; the kernel knows "
            "recently_inspected and flag"]


_UNIQUE_KEY = {"ssj_item_categories": "code", "ssj_extra_exclusions": "code",
               "ssj_risk_rules": "flag", "ssj_result_types": "code",
               "ssj_credit_classes": "code"}


def check_values(ctx: Context) -> list[Problem]:
    out: list[Problem] = []
    seen: set[tuple[str, str, str]] = set()
    for meta, hook, _day, answer in implemented_answers(ctx):
        if answer is None:
            continue
        items = list(answer) if isinstance(answer, tuple | list) else [answer]
        messages = [m for item in items for m in sane(item)]
        key = _UNIQUE_KEY.get(hook)
        if key is not None:
            ids = [getattr(i, key, None) for i in items]
            messages += [f"{key} {v!r} is declared twice" for v in sorted(
                {v for v in ids if ids.count(v) > 1}, key=str)]
        for message in messages:
            if (meta.version, hook, message) not in seen:  # same answer on each probe day
                seen.add((meta.version, hook, message))
                out.append(ctx.problem("values", message, version=meta.version, hook=hook))
    return out
