"""Conformance checks of the rules at work: citations, resolution over the baseline, the
publication deadline and a draw on generated data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from shuangsuiji import rules
from shuangsuiji.packkit.contract_checks import implemented_answers
from shuangsuiji.packkit.problems import Context, Problem
from shuangsuiji.packs.policy import TenantPolicy
from shuangsuiji.packs.ruleset import RuleSet, plan_window

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
