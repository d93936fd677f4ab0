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
                 bundle; the data hold every declared credit-risk class, each a stratum at
                 its own ratio.
"""

from __future__ import annotations

from shuangsuiji import rules
from shuangsuiji.packkit.contract_checks import (
    check_contract,
    check_hooks,
    check_types,
    check_versions,
    hook_kwargs,
    single_manager,
)
from shuangsuiji.packkit.problems import HOOK_NAMES, Check, Context, Problem
from shuangsuiji.packkit.rule_checks import (
    check_citations,
    check_deadline,
    check_draw,
    check_resolution,
    resolved_rules,
)
from shuangsuiji.packkit.value_checks import check_values
from shuangsuiji.packs.base import Pack
from shuangsuiji.packs.registry import BASELINE, PackRegistry

__all__ = ["CHECKS", "CHECK_NAMES", "HOOK_NAMES", "Check", "Context", "Problem", "chain_for",
           "check_pack", "credential_warnings", "fallbacks", "hook_kwargs", "run_checks"]


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
    pm = single_manager(ctx, meta)
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
