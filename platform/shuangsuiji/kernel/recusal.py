"""Recusal (回避): withdraw with a drawn replacement, or swap targets with another group.

Each step N draws only from stream ``"recusal/N"``: earlier results and steps never change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from shuangsuiji.kernel.canonical import canonical_text
from shuangsuiji.kernel.errors import InvalidInput, RecusalImpossible, RuleRefused
from shuangsuiji.kernel.model import DrawResult, Group, RecusalOutcome, RecusalStep
from shuangsuiji.kernel.quotas import sides
from shuangsuiji.kernel.streams import Stream
from shuangsuiji.messages import either, msg
from shuangsuiji.rules import RECUSAL_MODES, RecusalRule

RECUSAL_LABEL = "recusal/"  # + step number in decimal


def apply_recusal(
    result: DrawResult,
    seed: str,
    step: int,
    person_id: str,
    target_id: str,
    mode: str,
    rule: RecusalRule,
    conflicts: Iterable[tuple[str, str]] = (),
    *,
    stream_seed: str | None = None,
) -> RecusalOutcome:
    """Carry out recusal step ``step`` of ``person_id`` from ``target_id`` in ``mode``.

    ``conflicts`` are all declared conflicts of interest (person id, credit code) known at
    this step; the one being recused is added. *withdraw*: the person leaves the task (本人不
    参与本次执法检查) and takes no further part; a replacement is drawn into the same place
    in the group from the eligible inspectors (experts: the expert directory) not yet in
    the task and with no declared conflict with the group's targets (experts: any drawn
    target). If the person led the group, a leader is drawn anew among the group. *swap*
    (inspectors only): the target is exchanged with a target of another group none of whose
    members has a declared conflict with it, and with which no member of this group has one.

    ``stream_seed`` (v2 bundles, docs/draw-spec.md §12): the key of the step's stream, the
    draw's seed mixed with a beacon value that did not exist when the step was declared;
    without it the stream is keyed by the draw's seed (v1). The conflicts declared in the
    announcement (``result.conflicts``) always count.
    """
    if seed != result.seed:
        raise InvalidInput(msg("the seed given for the recusal differs from the draw's seed"))
    if step != len(result.recusals) + 1:
        raise InvalidInput(msg(
            "recusal step %(step)s asked, but %(taken)s steps were taken: the next is step "
            "%(next)s", step=step, taken=len(result.recusals), next=len(result.recusals) + 1,
        ))
    if mode not in RECUSAL_MODES:
        raise InvalidInput(msg("recusal mode %(mode)r is unknown; use %(modes)s", mode=mode,
                               modes=either(RECUSAL_MODES)))
    if mode not in rule.modes:
        raise RuleRefused(msg(
            "recusal by %(mode)s is not allowed: %(cite)s allows only %(allowed)s — use "
            "%(instead)s", mode=mode, cite=str(rule.cite), allowed=rule.modes,
            instead=rule.modes[0] if rule.modes else msg("no recusal"),
        ))
    person_id, target_id = canonical_text(person_id), canonical_text(target_id)
    declared = sorted(
        {(canonical_text(p), canonical_text(t)) for p, t in conflicts}
        | set(result.conflicts)
        | {(person_id, target_id)},
        key=lambda pair: (pair[0].encode("utf-8"), pair[1].encode("utf-8")),
    )
    conflict_set = set(declared)
    stream = Stream(stream_seed or seed, f"{RECUSAL_LABEL}{step}")
    base = RecusalStep(
        step=step,
        person_id=person_id,
        target_id=target_id,
        mode=mode,
        rule=rule,
        conflicts=tuple(declared),
        role="inspector",
        group=None,
    )
    group = next((g for g in result.final_groups if person_id in g.members), None)
    if group is not None:
        if target_id not in group.targets:
            raise InvalidInput(msg(
                "target %(target)r is not assigned to group %(group)s of %(person)r: a recusal "
                "names a target of the person's own group",
                target=target_id, group=group.number, person=person_id,
            ))
        base = replace(base, group=group.number)
        if mode == "withdraw":
            return _withdraw_inspector(result, base, group, conflict_set, stream)
        return _swap(result, base, group, conflict_set, stream)
    if person_id in result.final_experts:
        if target_id not in set(result.selected):
            raise InvalidInput(msg("target %(target)r was not drawn in this task",
                                   target=target_id))
        if mode == "swap":
            raise RecusalImpossible(msg(
                "expert %(person)r holds no targets to swap: experts are drawn for the whole "
                "task; recuse the expert by withdraw", person=person_id,
            ))
        return _withdraw_expert(result, replace(base, role="expert"), conflict_set, stream)
    earlier = next((s for s in result.recusals
                    if s.mode == "withdraw" and s.person_id == person_id), None)
    if earlier is not None:
        raise InvalidInput(msg(
            "%(person)r already withdrew from this task (recusal step %(step)s, replaced by "
            "%(replacement)r): there is nothing left to recuse; recuse the replacement if "
            "needed", person=person_id, step=earlier.step,
            replacement=earlier.replacement or "-",
        ))
    raise InvalidInput(msg("%(person)r is neither an inspector nor an expert drawn in this task",
                           person=person_id))


def _withdrawn(result: DrawResult, role: str) -> set[str]:
    return {s.person_id for s in result.recusals if s.mode == "withdraw" and s.role == role}


def _withdraw_inspector(
    result: DrawResult,
    step: RecusalStep,
    group: Group,
    conflicts: set[tuple[str, str]],
    stream: Stream,
) -> RecusalOutcome:
    in_task = {m for g in result.final_groups for m in g.members} | _withdrawn(result, "inspector")
    targets = set(group.targets)
    conflicted = {p for p, t in conflicts if t in targets}
    candidates = [p for p in result.eligible_inspectors if p not in in_task and p not in conflicted]
    if result.participants:  # a joint task: the same participant's inspector (§6.5)
        side = sides(result.inspectors, result.participants)
        candidates = [p for p in candidates if side.get(p) == side.get(step.person_id)]
    if not candidates:
        raise RecusalImpossible(msg(
            "no inspector is left to replace %(person)r in group %(group)s: all %(eligible)s "
            "eligible inspectors are in the task, have withdrawn, or have a conflict with the "
            "group's targets — add inspectors to the directory or recuse by swap where allowed",
            person=step.person_id, group=group.number, eligible=len(result.eligible_inspectors),
        ))
    replacement = candidates[stream.below(len(candidates))]
    members = tuple(replacement if m == step.person_id else m for m in group.members)
    leader = group.leader
    new_leader = None
    if leader == step.person_id:
        leader = new_leader = members[stream.below(len(members))]
    changed = replace(group, members=members, leader=leader)
    step = replace(step, replacement=replacement, new_leader=new_leader)
    return _outcome(result, step, _put(result.final_groups, changed), result.final_experts)


def _withdraw_expert(
    result: DrawResult, step: RecusalStep, conflicts: set[tuple[str, str]], stream: Stream
) -> RecusalOutcome:
    in_task = set(result.final_experts) | _withdrawn(result, "expert")
    drawn = set(result.selected)
    conflicted = {p for p, t in conflicts if t in drawn}
    candidates = [
        e.person_id
        for e in result.experts_directory
        if e.person_id not in in_task and e.person_id not in conflicted
    ]
    if not candidates:
        raise RecusalImpossible(msg(
            "no expert is left to replace %(person)r: all %(experts)s experts are in the task, "
            "have withdrawn or have a conflict with a drawn target — add experts to the "
            "directory", person=step.person_id, experts=len(result.experts_directory),
        ))
    replacement = candidates[stream.below(len(candidates))]
    experts = tuple(replacement if e == step.person_id else e for e in result.final_experts)
    step = replace(step, replacement=replacement)
    return _outcome(result, step, result.final_groups, experts)


def _swap(
    result: DrawResult,
    step: RecusalStep,
    group: Group,
    conflicts: set[tuple[str, str]],
    stream: Stream,
) -> RecusalOutcome:
    target = step.target_id
    candidates: list[tuple[Group, str]] = []
    for other in result.final_groups:
        if other.number == group.number:
            continue
        if any((m, target) in conflicts for m in other.members):
            continue
        for t in other.targets:
            if not any((m, t) in conflicts for m in group.members):
                candidates.append((other, t))
    if not candidates:
        raise RecusalImpossible(msg(
            "no target can be swapped for %(target)r of group %(group)s: every other group has "
            "a member in conflict with it, or holds only targets this group is in conflict "
            "with — recuse by withdraw where allowed", target=target, group=group.number,
        ))
    other, received = candidates[stream.below(len(candidates))]
    mine = replace(group, targets=tuple(received if t == target else t for t in group.targets))
    theirs = replace(other, targets=tuple(target if t == received else t for t in other.targets))
    groups = _put(_put(result.final_groups, mine), theirs)
    step = replace(step, swap_group=other.number, swap_target=received)
    return _outcome(result, step, groups, result.final_experts)


def _put(groups: tuple[Group, ...], changed: Group) -> tuple[Group, ...]:
    return tuple(changed if g.number == changed.number else g for g in groups)


def _outcome(
    result: DrawResult,
    step: RecusalStep,
    groups: tuple[Group, ...],
    experts: tuple[str, ...],
) -> RecusalOutcome:
    after = replace(
        result, final_groups=groups, final_experts=experts, recusals=(*result.recusals, step)
    )
    return RecusalOutcome(step=step, result=after)
