"""Inspectors and experts: canonical directories, eligibility, scope, groups, leaders, experts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from itertools import pairwise

from shuangsuiji.kernel.canonical import canonical_text
from shuangsuiji.kernel.errors import InvalidInput, NotEnoughPeople, RuleRefused
from shuangsuiji.kernel.model import DrawParams, DrawRules, Expert, Group, Inspector, Task
from shuangsuiji.kernel.streams import Stream, sample
from shuangsuiji.rules import INSPECTOR_SCOPES, Eligibility

INSPECTORS_LABEL = "inspectors"
LEADERS_LABEL = "leaders"
EXPERTS_LABEL = "experts"


def canonical_inspectors(inspectors: Iterable[Inspector]) -> tuple[Inspector, ...]:
    """Inspectors with canonical text, sorted by person id; duplicate ids refused."""
    out = sorted(
        (
            replace(
                p,
                person_id=canonical_text(p.person_id),
                name=canonical_text(p.name),
                department=canonical_text(p.department),
                division=canonical_text(p.division),
                credentials=tuple(replace(c, kind=canonical_text(c.kind)) for c in p.credentials),
            )
            for p in inspectors
        ),
        key=lambda p: p.person_id,
    )
    _unique([p.person_id for p in out], "inspector directory")
    return tuple(out)


def canonical_experts(experts: Iterable[Expert]) -> tuple[Expert, ...]:
    """Experts with canonical text, sorted by person id; duplicate ids refused."""
    out = sorted(
        (Expert(canonical_text(e.person_id), canonical_text(e.name)) for e in experts),
        key=lambda e: e.person_id,
    )
    _unique([e.person_id for e in out], "expert directory")
    return tuple(out)


def _unique(ids: list[str], where: str) -> None:
    for a, b in pairwise(ids):
        if a == b:
            raise InvalidInput(f"person id {a!r} occurs twice in the {where}: merge the entries")
    for a in ids:
        if not a:
            raise InvalidInput(f"a person in the {where} has an empty id: fix the directory")


def is_eligible(person: Inspector, eligibility: Eligibility, on: date) -> bool:
    """True when the person holds an accepted credential, still valid on ``on`` if required."""
    for c in person.credentials:
        if c.kind in eligibility.credentials and (
            not eligibility.valid_on_date or c.expires is None or c.expires >= on
        ):
            return True
    return False


def in_scope(person: Inspector, scope: str, department: str) -> bool:
    """Whether the person belongs to the inspector scope (MIIT Art. 8 ¶2) of ``department``.

    ``within_department``: the task's department, not its subordinate authorities;
    ``with_subordinates``: the department and its subordinate authorities;
    ``across_departments``: every person of the directory.
    """
    if scope == "across_departments":
        return True
    if person.department != department:
        return False
    return scope == "with_subordinates" or not person.subordinate


def eligible_inspectors(
    inspectors: Sequence[Inspector], task: Task, params: DrawParams, rules: DrawRules
) -> tuple[str, ...]:
    """Ids of the inspectors who may be drawn, in canonical order."""
    scope = params.scope
    if scope not in INSPECTOR_SCOPES:
        raise InvalidInput(
            f"inspector scope {scope!r} is unknown; choose one of {', '.join(INSPECTOR_SCOPES)}"
        )
    if scope not in rules.group_rule.scopes:
        raise RuleRefused(
            f"inspector scope {scope!r} is not allowed ({rules.group_rule.cite}); allowed: "
            f"{', '.join(rules.group_rule.scopes)}"
        )
    on = params.inspection_date or task.start_date
    return tuple(
        p.person_id
        for p in inspectors
        if in_scope(p, scope, task.department) and is_eligible(p, rules.eligibility, on)
    )


def group_count(params: DrawParams, target_count: int) -> int | None:
    """Number of groups to form for ``target_count`` targets (None: no groups asked for)."""
    if params.group_count is not None and params.targets_per_group is not None:
        raise InvalidInput("give group_count or targets_per_group, not both")
    if params.targets_per_group is not None:
        if params.targets_per_group < 1:
            raise InvalidInput(f"targets_per_group={params.targets_per_group}: must be 1 or more")
        return -(-target_count // params.targets_per_group)
    if params.group_count is None:
        return None
    if not 1 <= params.group_count <= target_count:
        raise InvalidInput(
            f"group_count={params.group_count} for {target_count} drawn targets: each group "
            f"needs a target, so choose from 1 to {target_count}"
        )
    return params.group_count


def draw_groups(
    seed: str,
    eligible: tuple[str, ...],
    order: Sequence[str],
    params: DrawParams,
    rules: DrawRules,
) -> tuple[Group, ...]:
    """Draw the groups, their leaders, and assign ``order`` (targets) to them round-robin.

    ``k = G × size`` people are chosen from ``eligible`` with stream ``"inspectors"``; the
    i-th drawn goes to group ``i // size``. Each group's leader is its member at
    ``below(size)`` of stream ``"leaders"``, groups in order. The target at position p of
    the inspection order goes to group ``p mod G``.
    """
    count = group_count(params, len(order))
    if not count:
        return ()
    rule = rules.group_rule
    size = rule.min_size if params.group_size is None else params.group_size
    if size < rule.min_size:
        raise RuleRefused(
            f"groups of {size} are too small: at least {rule.min_size} inspectors per group "
            f"({rule.cite})"
        )
    need = count * size
    if len(eligible) < need:
        raise NotEnoughPeople(
            f"need {need} inspectors for {count} groups of {size}, only {len(eligible)} "
            f"eligible: {need - len(eligible)} missing (scope {params.scope}; eligibility "
            f"{', '.join(rules.eligibility.credentials)} per {rules.eligibility.cite}) — add "
            "inspectors, widen the scope, or form fewer groups",
            needed=need,
            available=len(eligible),
        )
    drawn = [eligible[i] for i in sample(Stream(seed, INSPECTORS_LABEL), len(eligible), need)]
    leaders = Stream(seed, LEADERS_LABEL)
    groups = []
    for g in range(count):
        members = tuple(drawn[g * size : (g + 1) * size])
        leader = members[leaders.below(size)] if rule.leader else None
        groups.append(Group(g + 1, members, leader, tuple(order[g::count])))
    return tuple(groups)


def draw_experts(seed: str, directory: tuple[Expert, ...], count: int) -> tuple[str, ...]:
    """Draw ``count`` experts for the task from stream ``"experts"``, in drawn order."""
    if count < 0:
        raise InvalidInput(f"experts_count={count}: must be 0 or more")
    if count > len(directory):
        raise NotEnoughPeople(
            f"need {count} experts, only {len(directory)} in the expert directory: "
            f"{count - len(directory)} missing — add experts or ask for fewer",
            needed=count,
            available=len(directory),
        )
    if not count:
        return ()
    chosen = sample(Stream(seed, EXPERTS_LABEL), len(directory), count)
    return tuple(directory[i].person_id for i in chosen)
