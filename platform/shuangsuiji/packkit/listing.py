"""Every rule in force, one by one, with its value, its citation and the pack that answered.

:func:`rule_lines` turns a resolved :class:`~shuangsuiji.packs.ruleset.RuleSet` into one
:class:`RuleLine` per rule (a member of a collection — an item category, a risk rule, an
extra exclusion, a result type — is a rule of its own), in RuleSet field order. ``ssj pack
rules`` and ``ssj tenants show`` print them with :func:`format_rules`; the answering pack is
the rule's citation's pack (a *first answer wins* hook is answered by the most specific pack
that did not return ``None``; an *every pack contributes* hook's members each name theirs).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

from shuangsuiji.packkit.diff import KEYED, _plain
from shuangsuiji.packs.policy import TenantPolicy
from shuangsuiji.packs.ruleset import RuleSet, plan_window
from shuangsuiji.rules import Citation, PlanWindow

#: RuleSet fields that are not rules.
NOT_RULES = ("as_of", "versions")


@dataclass(frozen=True)
class RuleLine:
    """One rule: its RuleSet field, its key in a collection (or None), its fields' plain
    values (without the citation), and its citation."""

    rule: str
    key: str | None
    values: tuple[tuple[str, Any], ...]
    cite: Citation | None  # None: an empty collection (no pack contributes a member)

    @property
    def label(self) -> str:
        return self.rule + (f"[{self.key}]" if self.key is not None else "")

    @property
    def answered_by(self) -> str:
        """The pack (and version) in the chain whose answer this is ("" for none)."""
        return f"{self.cite.pack} {self.cite.version}" if self.cite else ""


def _line(rule: str, key: str | None, value: Any) -> RuleLine:
    values = tuple(
        (f.name, dict(getattr(value, f.name)) if f.name == "params"  # (name, value) pairs
         else _plain(getattr(value, f.name)))
        for f in dataclasses.fields(value) if f.name != "cite")
    return RuleLine(rule, key, values, value.cite)


def plan_window_on(policy: TenantPolicy, day: date) -> PlanWindow:
    """The annual-plan window of ``day``'s year under the rules in force on ``day`` (the plan
    window is asked per year, so a :class:`RuleSet` does not hold it)."""
    return plan_window(policy.plugin_manager(day), as_of=day, year=day.year)


def rule_lines(rules: RuleSet, window: PlanWindow | None = None) -> list[RuleLine]:
    """Every rule of ``rules``, in RuleSet field order (collections member by member), then
    the plan window when given."""
    out: list[RuleLine] = []
    for f in dataclasses.fields(RuleSet):
        if f.name in NOT_RULES:
            continue
        value = getattr(rules, f.name)
        if f.name in KEYED:
            out.extend(_line(f.name, str(getattr(m, KEYED[f.name])), m) for m in value)
            if not value:
                out.append(RuleLine(f.name, None, (), None))
        else:
            out.append(_line(f.name, None, value))
    if window is not None:
        out.append(_line("plan_window", None, window))
    return out


def show_value(value: Any) -> str:
    """A plain value as the CLI prints it."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(show_value(v) for v in value) or "(empty)"
    if isinstance(value, dict):
        return "; ".join(f"{k}={show_value(v)}" for k, v in value.items())
    return str(value)


def chain_text(rules: RuleSet) -> str:
    """``miit 2018 → chongqing 2021``: the pack versions in force, most general first."""
    return " → ".join(f"{p} {v}" for p, v in rules.versions)


def format_rules(rules: RuleSet, window: PlanWindow | None = None) -> list[str]:
    """The lines ``ssj pack rules`` prints: each rule with its citation and answering pack,
    then its fields indented."""
    lines = []
    own = rules.governing[0]
    for line in rule_lines(rules, window):
        if line.cite is None:
            lines.append(f"{line.label}  (none: no pack in the chain declares any)")
            continue
        by = "" if line.cite.pack == own else f"  [from {line.cite.pack}]"
        lines.append(f"{line.label}  ({line.cite}){by}")
        for name, value in line.values:
            if line.key is not None and name == KEYED[line.rule]:
                continue  # already in the label
            lines.append(f"    {name} = {show_value(value)}")
    return lines
