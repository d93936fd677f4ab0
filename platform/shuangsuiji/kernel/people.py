"""Inspectors and experts: canonical directories, eligibility, scope, groups, leaders, experts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from itertools import pairwise

from shuangsuiji.kernel.canonical import canonical_text
from shuangsuiji.kernel.errors import InvalidInput, NotEnoughPeople, RuleRefused
from shuangsuiji.kernel.model import DrawParams, DrawRules, Expert, Group, Inspector, Task
from shuangsuiji.kernel.streams import Stream, sample
from shuangsuiji.messages import msg
from shuangsuiji.rules import INSPECTOR_SCOPES, Eligibility

INSPECTORS_LABEL = "inspectors"
LEADERS_LABEL = "leaders"
EXPERTS_LABEL = "experts"
CONFLICTS_LABEL = "conflicts"


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
    _unique([p.person_id for p in out], msg("inspector directory"))
    return tuple(out)


def canonical_experts(experts: Iterable[Expert]) -> tuple[Expert, ...]:
    """Experts with canonical text, sorted by person id; duplicate ids refused."""
    out = sorted(
        (Expert(canonical_text(e.person_id), canonical_text(e.name)) for e in experts),
        key=lambda e: e.person_id,
    )
    _unique([e.person_id for e in out], msg("expert directory"))
    return tuple(out)


def _unique(ids: list[str], where: str) -> None:
    for a, b in pairwise(ids):
        if a == b:
            raise InvalidInput(msg("person id %(id)r occurs twice in the %(where)s: merge the "
                                   "entries", id=a, where=where))
    for a in ids:
        if not a:
            raise InvalidInput(msg("a person in the %(where)s has an empty id: fix the "
                                   "directory", where=where))


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
    ``across_departments``: every person of the directory;
    ``unified`` (CQ 第六条, 综合执法处统一调配): every person of the directory, as one pool.
    With an organisation tree, ``department`` and ``subordinate`` are the person's 司局 and
    flag as the tree gives them (kernel/orgtree.py, checked by the verifier).
    """
    if scope in ("across_departments", "unified"):
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
        raise InvalidInput(msg(
            "inspector scope %(scope)r is unknown; choose one of %(scopes)s", scope=scope,
            scopes=INSPECTOR_SCOPES,
        ))
    if scope not in rules.group_rule.scopes:
        raise RuleRefused(msg(
            "inspector scope %(scope)r is not allowed (%(cite)s); allowed: %(allowed)s",
            scope=scope, cite=str(rules.group_rule.cite), allowed=rules.group_rule.scopes,
        ))
    on = params.inspection_date or task.start_date
    return tuple(
        p.person_id
        for p in inspectors
        if in_scope(p, scope, task.department) and is_eligible(p, rules.eligibility, on)
    )


def group_count(params: DrawParams, target_count: int) -> int | None:
    """Number of groups to form for ``target_count`` targets (None: no groups asked for)."""
    if params.group_count is not None and params.targets_per_group is not None:
        raise InvalidInput(msg("give group_count or targets_per_group, not both"))
    if params.targets_per_group is not None:
        if params.targets_per_group < 1:
            raise InvalidInput(msg("targets_per_group=%(value)s: must be 1 or more",
                                   value=params.targets_per_group))
        return -(-target_count // params.targets_per_group)
    if params.group_count is None:
        return None
    if not 1 <= params.group_count <= target_count:
        raise InvalidInput(msg(
            "group_count=%(group_count)s for %(targets)s drawn targets: each group needs a "
            "target, so choose from 1 to %(targets)s",
            group_count=params.group_count, targets=target_count,
        ))
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
        raise RuleRefused(msg(
            "groups of %(size)s are too small: at least %(minimum)s inspectors per group "
            "(%(cite)s)", size=size, minimum=rule.min_size, cite=str(rule.cite),
        ))
    need = count * size
    if len(eligible) < need:
        raise NotEnoughPeople(
            msg("need %(need)s inspectors for %(count)s groups of %(size)s, only %(eligible)s "
                "eligible: %(missing)s missing (scope %(scope)s; eligibility %(credentials)s per "
                "%(cite)s) — add inspectors, widen the scope, or form fewer groups",
                need=need, count=count, size=size, eligible=len(eligible),
                missing=need - len(eligible), scope=params.scope,
                credentials=rules.eligibility.credentials, cite=str(rules.eligibility.cite)),
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
        raise InvalidInput(msg("experts_count=%(count)s: must be 0 or more", count=count))
    if count > len(directory):
        raise NotEnoughPeople(
            msg("need %(count)s experts, only %(available)s in the expert directory: "
                "%(missing)s missing — add experts or ask for fewer", count=count,
                available=len(directory), missing=count - len(directory)),
            needed=count,
            available=len(directory),
        )
    if not count:
        return ()
    chosen = sample(Stream(seed, EXPERTS_LABEL), len(directory), count)
    return tuple(directory[i].person_id for i in chosen)


def avoid_conflicts(
    seed: str,
    groups: tuple[Group, ...],
    eligible: tuple[str, ...],
    conflicts: frozenset[tuple[str, str]],
    side: Mapping[str, str] | None = None,
) -> tuple[Group, ...]:
    """Groups in which no member has a conflict declared in the announcement with one of
    the group's targets (docs/draw-spec.md §4, step 6a).

    Groups in number order, members in position order: a member with such a conflict is
    replaced, in the same position (and as leader if they led), by
    ``candidates[below(len)]`` on stream ``"conflicts"``; the candidates are the eligible
    inspectors, in canonical order, not in any group now, not replaced out earlier, and with
    no declared conflict with the group's targets. No candidate: the draw is refused.
    ``side`` (a joint task, §6.5): only candidates of the replaced member's participant.
    """
    if not conflicts or not groups:
        return groups
    stream = Stream(seed, CONFLICTS_LABEL)
    out = list(groups)
    replaced: set[str] = set()
    for gi, g in enumerate(out):
        targets = set(g.targets)
        conflicted = {p for p, t in conflicts if t in targets}
        members = list(g.members)
        leader = g.leader
        for pos, m in enumerate(members):
            if m not in conflicted:
                continue
            in_task = {x for h in out for x in h.members} | set(members) | replaced
            candidates = [p for p in eligible if p not in in_task and p not in conflicted
                          and (side is None or side.get(p) == side.get(m))]
            if not candidates:
                raise NotEnoughPeople(
                    msg("inspector %(person)r has a declared conflict of interest with a "
                        "target of group %(group)s and no eligible inspector without one is "
                        "left to take the place — add inspectors or form fewer groups",
                        person=m, group=g.number),
                    needed=1, available=0,
                )
            chosen = candidates[stream.below(len(candidates))]
            replaced.add(m)
            members[pos] = chosen
            if leader == m:
                leader = chosen
        out[gi] = replace(g, members=tuple(members), leader=leader)
    return tuple(out)


def conflict_free_experts(
    directory: tuple[Expert, ...], drawn: Sequence[str], conflicts: frozenset[tuple[str, str]]
) -> tuple[Expert, ...]:
    """The expert directory less the experts with a declared conflict with a drawn target."""
    if not conflicts:
        return directory
    targets = set(drawn)
    barred = {p for p, t in conflicts if t in targets}
    return tuple(e for e in directory if e.person_id not in barred)
