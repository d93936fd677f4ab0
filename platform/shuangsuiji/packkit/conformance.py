"""The conformance kit: does a pack keep the hook contract, and does it work over MIIT?

:func:`check_pack` runs every :data:`CHECKS` entry and returns the problems found, in plain
language, each naming the pack, the version, the hook and — for a province file — the
file and line. The same checks run from ``ssj pack check``, from the pytest plugin
(:mod:`shuangsuiji.packkit.pytest_plugin`) in a pack author's own test suite, and from our
test suite on the built-in packs.

What is checked, in order (a check that cannot run because an earlier one failed says so
rather than piling up consequential problems):

``contract``     the pack's contract major version is the platform's.
``versions``     versions exist, have unique names, effective dates, and do not overlap.
``hooks``        every ``ssj_*`` method is a decorated hook the contract knows, with known
                 arguments (a misspelled hook would otherwise be ignored silently).
``types``        each hook the pack implements returns the documented type (the hookspec's
                 return annotation, down to every dataclass field), or ``None``.
``values``       values are sane: known methods, credentials, scopes, flags and modes,
                 positive working days, caps within 0..1000 ‰, unique codes, ...
``citations``    every rule carries a Citation with an article, this pack's name and the
                 version it came from.
``resolution``   on top of MIIT (and the pack it ``extends``), every rule resolves on each
                 version's first and last day.
``deadline``     a publication deadline counts in the PRC working-day calendar.
``draw``         a pool freezes and a draw (targets, batches, groups, experts, every
                 allowed recusal mode) succeeds on generated data and verifies from its
                 bundle.
"""

from __future__ import annotations

import dataclasses
import itertools
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pluggy

from shuangsuiji import hookspecs, rules
from shuangsuiji.packs.base import Pack
from shuangsuiji.packs.policy import TenantPolicy
from shuangsuiji.packs.registry import BASELINE, PackRegistry, new_plugin_manager
from shuangsuiji.packs.ruleset import RuleSet, plan_window

#: The hook names of the contract, in the order hookspecs.py declares them.
HOOK_NAMES: tuple[str, ...] = tuple(
    name for name, obj in vars(hookspecs).items()
    if name.startswith("ssj_") and callable(obj)
)


@dataclass(frozen=True)
class Problem:
    """One way a pack fails a check, said so that its author knows what to change."""

    check: str
    message: str
    pack: str
    version: str | None = None
    hook: str | None = None
    where: str | None = None  # "file:line" for a province file, else the pack's module

    def __str__(self) -> str:
        scope = self.pack + (f"@{self.version}" if self.version else "")
        if self.hook:
            scope += f" {self.hook}"
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}[{self.check}] {scope}: {self.message}"


@dataclass
class Context:
    """What the checks share: the pack, the chain it is checked in, and earlier findings."""

    pack: Pack
    chain: tuple[Pack, ...]  # most general first, ending with the pack
    failed: set[str] = dataclasses.field(default_factory=set)

    def problem(self, check: str, message: str, *, version: str | None = None,
                hook: str | None = None, table: str | None = None,
                key: str | None = None) -> Problem:
        return Problem(check, message, self.pack.name, version, hook,
                       self.where(version, hook, table, key))

    def where(self, version: str | None, hook: str | None, table: str | None = None,
              key: str | None = None) -> str:
        """``file:line`` when the pack can locate its rules (province files), else its source."""
        locate = getattr(self.pack, "locate", None)
        if locate is not None and version is not None:
            return str(locate(version, table or (hook[4:] if hook else None), key))
        return self.pack.source

    def versions(self) -> Iterator[rules.PackVersion]:
        for meta, _ in self.pack.versions:
            yield meta

    def probe_dates(self, meta: rules.PackVersion) -> tuple[date, ...]:
        """The days a version is asked about: its first day and, if repealed, its last."""
        days = [meta.effective]
        if meta.repealed is not None and meta.repealed - timedelta(days=1) > meta.effective:
            days.append(meta.repealed - timedelta(days=1))
        return tuple(days)


@dataclass(frozen=True)
class Check:
    """A named check; ``needs`` are checks whose failure makes this one meaningless."""

    name: str
    doc: str
    run: Callable[[Context], list[Problem]]
    needs: tuple[str, ...] = ()


# --- contract and versions ---------------------------------------------------------------


def _major(version: str) -> int | None:
    try:
        return int(version.split(".", 1)[0])
    except ValueError:
        return None


def check_contract(ctx: Context) -> list[Problem]:
    host = _major(hookspecs.CONTRACT_VERSION)
    mine = _major(ctx.pack.contract)
    if mine is None:
        return [ctx.problem("contract", f"contract version {ctx.pack.contract!r} is not "
                            "MAJOR.MINOR; declare contract=\"" + hookspecs.CONTRACT_VERSION + "\"")]
    if mine != host:
        assert host is not None
        changed = "; ".join(f"{v}: {hookspecs.CONTRACT_CHANGES.get(v, 'unknown')}"
                            for v in range(min(mine, host) + 1, max(mine, host) + 1))
        return [ctx.problem("contract", f"written for contract {ctx.pack.contract}, the "
                            f"platform speaks {hookspecs.CONTRACT_VERSION}; what changed: "
                            f"{changed}. Update the pack and its contract version.")]
    return []


def check_versions(ctx: Context) -> list[Problem]:
    out: list[Problem] = []
    metas = list(ctx.versions())
    if not metas:
        return [ctx.problem("versions", "declares no versions; add one with its effective date")]
    seen: set[str] = set()
    for m in metas:
        p = lambda msg, key=None, m=m: ctx.problem(  # noqa: E731 - a local shorthand
            "versions", msg, version=m.version, key=key)
        if m.version in seen:
            out.append(p(f"version name {m.version!r} is used twice"))
        seen.add(m.version)
        for name in ("issued", "effective"):
            value = getattr(m, name)
            if not isinstance(value, date) or isinstance(value, _datetime_type()):
                out.append(p(f"{name} must be a date, not {value!r}"))
        if not (m.document or "").strip():
            out.append(p("has no document number (e.g. 渝经信发〔2021〕6号)"))
        if isinstance(m.issued, date) and isinstance(m.effective, date) and m.issued > m.effective:
            out.append(p(f"effective {m.effective} is before issued {m.issued}"))
        if m.repealed is not None and isinstance(m.effective, date) and m.repealed <= m.effective:
            out.append(p(f"repealed {m.repealed} is not after effective {m.effective}"))
    if out:
        return out
    ordered = sorted(metas, key=lambda m: m.effective)
    for a, b in itertools.pairwise(ordered):
        if a.repealed is None or a.repealed > b.effective:
            out.append(ctx.problem(
                "versions", f"overlaps version {b.version} (effective {b.effective}): set "
                f"{a.version}'s repealed date to {b.effective} or earlier", version=a.version,
                key="repealed" if a.repealed else "effective"))
    return out


def _datetime_type() -> type:
    from datetime import datetime

    return datetime


# --- hooks as declared ---------------------------------------------------------------------


def _is_hookimpl(obj: object) -> bool:
    return hasattr(obj, f"{hookspecs.PROJECT}_impl")


def check_hooks(ctx: Context) -> list[Problem]:
    out: list[Problem] = []
    for meta in ctx.versions():
        try:
            plugin = ctx.pack.plugin(meta)
        except Exception as exc:  # the factory is pack code: report whatever it raised
            out.append(ctx.problem("hooks", f"building the rules object failed: {exc!r}",
                                   version=meta.version))
            continue
        for name in dir(plugin):
            attr = getattr(plugin, name, None)
            if name.startswith("ssj_") and callable(attr) and not _is_hookimpl(attr):
                hint = "" if name in HOOK_NAMES else " (and the contract has no such hook)"
                out.append(ctx.problem(
                    "hooks", f"method {name} is not decorated with @hookimpl, so pluggy never "
                    f"calls it{hint}", version=meta.version, hook=name))
        pm = new_plugin_manager()
        try:
            pm.register(plugin, name=f"{ctx.pack.name}@{meta.version}")
            pm.check_pending()
        except pluggy.PluginValidationError as exc:
            ctx.failed.add("register")  # the checks that call hooks cannot run
            out.append(ctx.problem("hooks", f"{exc}. The contract's hooks are: "
                                   f"{', '.join(HOOK_NAMES)}", version=meta.version))
    return out


def _single_manager(ctx: Context, meta: rules.PackVersion) -> pluggy.PluginManager:
    pm = new_plugin_manager()
    pm.register(ctx.pack.plugin(meta), name=f"{ctx.pack.name}@{meta.version}")
    return pm


def hook_kwargs(hook: str, as_of: date) -> dict[str, Any]:
    """Arguments to call ``hook`` with as of ``as_of`` (a regular task, that year's plan)."""
    spec = getattr(hookspecs, hook)
    names = spec.__code__.co_varnames[: spec.__code__.co_argcount]
    values: dict[str, Any] = {"as_of": as_of, "task": rules.TaskFacts(), "year": as_of.year}
    return {n: values[n] for n in names}


def implemented_answers(ctx: Context) -> Iterator[tuple[rules.PackVersion, str, date, Any]]:
    """(version, hook, day, answer) for every hook the pack implements, on each probe day.

    A hook that raises is reported by :func:`check_types` and skipped here.
    """
    for meta in ctx.versions():
        pm = _single_manager(ctx, meta)
        for hook in HOOK_NAMES:
            caller = getattr(pm.hook, hook)
            if not caller.get_hookimpls():
                continue
            for day in ctx.probe_dates(meta):
                try:
                    answer = caller(**hook_kwargs(hook, day))
                except Exception:
                    continue
                if not caller.spec.opts.get("firstresult"):
                    answer = answer[0] if answer else None
                yield meta, hook, day, answer


# --- types ---------------------------------------------------------------------------------


def _type_name(tp: Any) -> str:
    if tp is type(None):
        return "None"
    if isinstance(tp, type):
        return tp.__name__
    return str(tp).replace("typing.", "").replace("shuangsuiji.rules.", "").replace(
        "datetime.", "")


def conforms(value: Any, tp: Any, path: str) -> list[str]:
    """Where ``value`` differs from the annotation ``tp`` (a subset of typing: what
    :mod:`shuangsuiji.rules` uses); empty when it conforms."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is Any:
        return []
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return []
        others = [a for a in args if a is not type(None)]
        if value is not None and len(others) == 1:
            return conforms(value, others[0], path)  # say what inside it is wrong
        for option in args:
            if not conforms(value, option, path):
                return []
        return [f"{path} is {type(value).__name__} {value!r:.60}, expected {_type_name(tp)}"]
    if tp is type(None):
        return [] if value is None else [f"{path} is {value!r:.60}, expected None"]
    if origin in (tuple, list, frozenset):
        if not isinstance(value, origin):
            return [f"{path} is {type(value).__name__}, expected {_type_name(tp)}"]
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            if len(value) != len(args):
                return [f"{path} has {len(value)} elements, expected {len(args)}"]
            return [e for i, (v, t) in enumerate(zip(value, args, strict=True))
                    for e in conforms(v, t, f"{path}[{i}]")]
        return [e for i, v in enumerate(value) for e in conforms(v, args[0], f"{path}[{i}]")]
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(value, tp):
            return [f"{path} is {type(value).__name__}, expected {tp.__name__}"]
        hints = typing.get_type_hints(tp)
        return [e for f in dataclasses.fields(tp)
                for e in conforms(getattr(value, f.name), hints[f.name], f"{path}.{f.name}")]
    if tp is int and isinstance(value, bool):
        return [f"{path} is a bool, expected int"]
    if tp is date and isinstance(value, _datetime_type()):
        return [f"{path} is a datetime, expected a date"]
    if isinstance(tp, type) and not isinstance(value, tp):
        return [f"{path} is {type(value).__name__} {value!r:.60}, expected {tp.__name__}"]
    return []


def return_type(hook: str) -> Any:
    """The documented return type of ``hook`` (its hookspec's annotation)."""
    return typing.get_type_hints(getattr(hookspecs, hook))["return"]


def check_types(ctx: Context) -> list[Problem]:
    out: list[Problem] = []
    for meta in ctx.versions():
        pm = _single_manager(ctx, meta)
        for hook in HOOK_NAMES:
            caller = getattr(pm.hook, hook)
            if not caller.get_hookimpls():
                continue
            for day in ctx.probe_dates(meta):
                try:
                    answer = caller(**hook_kwargs(hook, day))
                except Exception as exc:
                    out.append(ctx.problem("types", f"raised {type(exc).__name__}: {exc} when "
                                           f"asked as of {day}", version=meta.version, hook=hook))
                    continue
                if not caller.spec.opts.get("firstresult"):
                    answer = answer[0] if answer else None
                for error in conforms(answer, return_type(hook), "the answer"):
                    out.append(ctx.problem("types", f"{error} (as of {day})",
                                           version=meta.version, hook=hook))
    return out


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
               "ssj_risk_rules": "flag", "ssj_result_types": "code"}


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


# --- citations -----------------------------------------------------------------------------


def cited(value: Any) -> Iterator[tuple[str, Any]]:
    """Every (description, rule) inside ``value`` that should carry a ``cite``."""
    if isinstance(value, tuple | list):
        for item in value:
            yield from cited(item)
    elif (dataclasses.is_dataclass(value) and not isinstance(value, type)
          and any(f.name == "cite" for f in dataclasses.fields(value))):
        label = getattr(value, "code", None) or getattr(value, "flag", None)
        yield (f"{type(value).__name__}" + (f" {label!r}" if label else ""), value)


def check_citations(ctx: Context) -> list[Problem]:
    out: list[Problem] = []
    seen: set[tuple[str, str, str]] = set()
    for meta, hook, _day, answer in implemented_answers(ctx):
        for label, rule in cited(answer):
            cite = rule.cite
            if not isinstance(cite, rules.Citation):
                message = f"{label} has no Citation (cite={cite!r}); use self.cite(\"第N条\")"
            elif not (cite.article or "").strip():
                message = f"{label} cites no article; name the article it implements"
            elif cite.pack != ctx.pack.name:
                message = (f"{label} cites pack {cite.pack!r}, not {ctx.pack.name!r}; build "
                           "citations with PackRules.cite")
            elif cite.version != meta.version:
                message = (f"{label} cites version {cite.version!r} but was returned by "
                           f"version {meta.version!r}; build citations with PackRules.cite")
            else:
                continue
            if (meta.version, hook, message) not in seen:
                seen.add((meta.version, hook, message))
                out.append(ctx.problem("citations", message, version=meta.version, hook=hook))
    return out


# --- resolution over the baseline --------------------------------------------------------


def resolved_rules(ctx: Context) -> Iterator[tuple[rules.PackVersion, date, RuleSet]]:
    """The chain's rules on each probe day of each version (resolution errors skipped)."""
    policy = TenantPolicy(ctx.chain)
    for meta in ctx.versions():
        for day in ctx.probe_dates(meta):
            try:
                yield meta, day, policy.rules(day)
            except Exception:
                continue


def check_resolution(ctx: Context) -> list[Problem]:
    out: list[Problem] = []
    policy = TenantPolicy(ctx.chain)
    chain = " → ".join(p.name for p in ctx.chain)
    for meta in ctx.versions():
        for day in ctx.probe_dates(meta):
            try:
                ruleset = policy.rules(day)
                pm = policy.plugin_manager(day)
                plan_window(pm, as_of=day, year=day.year)
                for task in (rules.TaskFacts(methods=("testing",)), rules.TaskFacts(special=True)):
                    policy.deadline_rule(day, task)
            except Exception as exc:
                out.append(ctx.problem("resolution", f"the rules of {chain} do not resolve on "
                                       f"{day}: {exc}", version=meta.version))
                continue
            if ruleset.governing != (ctx.pack.name, meta.version):
                out.append(ctx.problem("resolution", f"on {day} the governing version is "
                                       f"{ruleset.governing}, expected {meta.version}",
                                       version=meta.version))
            known = {c.code for c in ruleset.item_categories}
            for extra in ruleset.extra_exclusions:
                unknown = [c for c in extra.categories if c not in known]
                if unknown:
                    out.append(ctx.problem(
                        "resolution", f"on {day} extra exclusion {extra.code!r} ({extra.cite}) "
                        f"is limited to item categories {', '.join(unknown)}, which the chain "
                        f"does not have (item categories: {', '.join(sorted(known))})",
                        version=meta.version, hook="ssj_extra_exclusions"))
    return out


# --- deadline and draw on generated data ---------------------------------------------------


def check_deadline(ctx: Context) -> list[Problem]:
    from shuangsuiji.workdays import ExcludedPeriod, WorkCalendar, due_date

    out: list[Problem] = []
    calendar = WorkCalendar()
    for meta, day, ruleset in resolved_rules(ctx):
        rule = ruleset.publication_deadline
        try:
            deadline = due_date(day, rule, calendar)
            if not (deadline.due > day and len(deadline.counted) == rule.working_days):
                raise ValueError(f"due {deadline.due} after counting {len(deadline.counted)} "
                                 f"of {rule.working_days} working days")
            if rule.excluded_periods:
                period = ExcludedPeriod(day + timedelta(days=1), day + timedelta(days=14),
                                        rule.excluded_periods[0])
                later = due_date(day, rule, calendar, excluded=[period])
                if later.due <= deadline.due:
                    raise ValueError(f"an excluded {period.kind} period did not move the "
                                     f"deadline ({later.due})")
        except Exception as exc:
            out.append(ctx.problem("deadline", f"counting the publication deadline for work "
                                   f"ended {day} ({rule.cite}) failed: {exc}",
                                   version=meta.version, hook="ssj_publication_deadline"))
    return out


def check_draw(ctx: Context) -> list[Problem]:
    from shuangsuiji.packkit.sample import DrawFailure, sample_draw

    out: list[Problem] = []
    for meta, day, ruleset in resolved_rules(ctx):
        for category in ruleset.item_categories:
            try:
                sample_draw(ruleset, category, day)
            except DrawFailure as exc:
                out.append(ctx.problem("draw", f"item category {category.code!r} as of {day}: "
                                       f"{exc}", version=meta.version, hook=exc.hook))
    return out


CHECKS: tuple[Check, ...] = (
    Check("contract", "the contract major version is the platform's", check_contract),
    Check("versions", "versions exist, are dated and do not overlap", check_versions),
    Check("hooks", "every hook is known to the contract and decorated", check_hooks),
    Check("types", "hooks return the documented types", check_types, ("register",)),
    Check("values", "rule values are sane", check_values, ("register",)),
    Check("citations", "every rule cites this pack, its version and an article",
          check_citations, ("register",)),
    Check("resolution", "rules resolve fully over the baseline", check_resolution,
          ("contract", "versions", "register", "types")),
    Check("deadline", "a publication deadline can be counted", check_deadline,
          ("resolution", "values")),
    Check("draw", "a pool freezes and a draw succeeds on generated data", check_draw,
          ("resolution", "values")),
)
CHECK_NAMES: tuple[str, ...] = tuple(c.name for c in CHECKS)


def chain_for(pack: Pack, registry: PackRegistry | None) -> tuple[Pack, ...]:
    """The chain a pack is checked in: the baseline, the pack it extends, then the pack."""
    chain: list[Pack] = []
    if registry is not None:
        for name in (BASELINE, pack.extends):
            if name and name != pack.name and name in registry:
                candidate = registry.get(name)
                if candidate not in chain:
                    chain.append(candidate)
    return (*chain, pack)


def run_checks(pack: Pack, registry: PackRegistry | None = None,
               only: tuple[str, ...] | None = None) -> dict[str, list[Problem]]:
    """Run the checks (all, or those named in ``only`` and what they need), by name.

    A check whose prerequisite failed is not run; it reports one problem saying so.
    """
    ctx = Context(pack, chain_for(pack, registry))
    wanted = set(only or CHECK_NAMES)
    # pull in prerequisites, transitively: a check only needs earlier ones, so one pass
    # from the last check back reaches them all
    for c in reversed(CHECKS):
        if c.name in wanted:
            wanted.update(n.replace("register", "hooks") for n in c.needs)
    results: dict[str, list[Problem]] = {}
    for c in CHECKS:
        if c.name not in wanted:
            continue
        blocked = [n.replace("register", "hooks") for n in c.needs if n in ctx.failed]
        if blocked:
            problems = [ctx.problem(c.name, f"not run: fix the {', '.join(blocked)} problems "
                                    "first")]
        else:
            try:
                problems = c.run(ctx)
            except Exception as exc:  # a check must report, never crash the caller
                problems = [ctx.problem(c.name, f"the check itself failed: {exc!r}")]
        if problems:
            ctx.failed.add(c.name)
        results[c.name] = problems
    return {name: results[name] for name in results if only is None or name in only}


def credential_warnings(pack: Pack, registry: PackRegistry | None = None) -> list[str]:
    """Where the pack's eligibility admits a credential its on-site rule refuses (MIIT /
    CQ 第十三条): people drawn on it alone could never inspect on site. A warning, not a
    failure: a group drawn for written checks only may still use them."""
    ctx = Context(pack, chain_for(pack, registry))
    out: list[str] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for meta, day, ruleset in resolved_rules(ctx):
        extra = tuple(c for c in ruleset.eligibility.credentials
                      if c not in ruleset.on_site_rule.credentials)
        if extra and (meta.version, extra) not in seen:
            seen.add((meta.version, extra))
            out.append(f"{pack.name}@{meta.version} (as of {day}): eligibility "
                       f"({ruleset.eligibility.cite}) admits {', '.join(extra)}, which the "
                       f"on-site rule ({ruleset.on_site_rule.cite}) refuses: groups could be "
                       "drawn that can never inspect on site")
    return out


def _answered(ctx: Context, meta: rules.PackVersion) -> set[str]:
    """The hooks version ``meta`` answers (not None, not an empty list) on its first day."""
    pm = _single_manager(ctx, meta)
    out = set()
    for hook in HOOK_NAMES:
        caller = getattr(pm.hook, hook)
        if not caller.get_hookimpls():
            continue
        try:
            answer = caller(**hook_kwargs(hook, meta.effective))
        except Exception:  # reported by the types check
            continue
        if not caller.spec.opts.get("firstresult"):
            answer = [a for a in answer if a]
        if answer:
            out.add(hook)
    return out


def fallbacks(pack: Pack, registry: PackRegistry | None = None) -> list[Problem]:
    """Warnings (not failures) for the rules a pack leaves to its parent without saying so.

    For each version: every hook an *earlier* version answered and this one does not — the
    silent fallback of a revised 细则 that forgot a table (a province file: add ``inherits``;
    Python: subclass the earlier rules) — and, in one line, the hooks no version answers.
    """
    ctx = Context(pack, chain_for(pack, registry))
    parent = ctx.chain[-2].name if len(ctx.chain) > 1 else "nobody"
    is_file = hasattr(pack, "locate")

    def name(hook: str) -> str:
        return f"[versions.rules.{hook[4:]}]" if is_file else hook

    out: list[Problem] = []
    ordered = sorted(ctx.versions(), key=lambda m: m.effective)
    try:
        answered = {m.version: _answered(ctx, m) for m in ordered}
    except Exception:  # an unregistrable version: the hooks check reports it
        return []
    for i, meta in enumerate(ordered):
        own = answered[meta.version]
        for hook in HOOK_NAMES:
            if hook in own:
                continue
            earlier = [m.version for m in ordered[:i] if hook in answered[m.version]]
            if earlier:
                fix = (f"add inherits = \"{earlier[-1]}\" to carry the tables of "
                       f"{earlier[-1]!r} over, or state the table again") if is_file else (
                       f"subclass the rules of {earlier[-1]!r}, or implement {hook} again")
                out.append(ctx.problem(
                    "fallback", f"leaves out {name(hook)}, which version {earlier[-1]!r} "
                    f"states: from {meta.effective} {parent} answers it instead — {fix}",
                    version=meta.version, hook=hook))
        never = [h for h in HOOK_NAMES if not any(h in answered[m.version] for m in ordered)]
        if never and i == 0:
            out.append(ctx.problem(
                "fallback", f"answered by {parent}, as no version states them: "
                + ", ".join(name(h) for h in never), version=None))
    return out


def check_pack(pack: Pack, registry: PackRegistry | None = None) -> list[Problem]:
    """Every problem the conformance kit finds in ``pack``, checked on top of the baseline
    (and the pack it ``extends``) taken from ``registry``; empty when the pack conforms.

    Without a registry the pack is checked alone and must answer every hook itself, as the
    MIIT baseline does.
    """
    return [p for problems in run_checks(pack, registry).values() for p in problems]
