"""The draw: each stratum, the batch order, then groups, leaders and experts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from shuangsuiji.kernel.canonical import canonical_text
from shuangsuiji.kernel.errors import InvalidInput, RuleRefused
from shuangsuiji.kernel.model import (
    Batch,
    DrawParams,
    DrawResult,
    DrawRules,
    Expert,
    FrozenPool,
    Inspector,
    Participant,
    StratumDraw,
)
from shuangsuiji.kernel.people import (
    avoid_conflicts,
    canonical_experts,
    canonical_inspectors,
    conflict_free_experts,
    draw_experts,
    draw_groups,
    eligible_inspectors,
    group_count,
)
from shuangsuiji.kernel.quotas import (
    canonical_participants,
    draw_joint_groups,
    joint_eligible,
    sides,
)
from shuangsuiji.kernel.streams import Stream, permutation, sample
from shuangsuiji.messages import msg
from shuangsuiji.rules import ItemCategory

TARGETS_LABEL = "targets/"  # + stratum name
BATCHES_LABEL = "batches"


def draw(
    pool: FrozenPool,
    seed: str,
    *,
    rules: DrawRules,
    params: DrawParams | None = None,
    inspectors: Iterable[Inspector] = (),
    experts: Iterable[Expert] = (),
    conflicts: Iterable[tuple[str, str]] = (),
    participants: Iterable[Participant] = (),
) -> DrawResult:
    """Draw targets, batch order, inspector groups with leaders, and experts from ``pool``.

    ``seed`` is used exactly as recorded (no normalisation). Every random choice comes
    from a stream labelled by its purpose (docs/draw-spec.md), so the result is a
    function of (pool, seed, params, rules, directories) alone.

    ``conflicts`` (person id, credit code), declared in the announcement, are never
    assigned: such an inspector is replaced in the group (stream ``conflicts``) and such an
    expert is not drawn (§4, steps 6a and 7).

    ``participants`` (a joint task, §6.5) draw each group with a quota from each of them.
    """
    params = params or DrawParams()
    if not seed:
        raise InvalidInput(msg("the seed is empty: type in the ceremony seed or generate one"))
    strata = tuple(
        StratumDraw(
            s.name,
            tuple(
                map(s.code_at, sample(Stream(seed, TARGETS_LABEL + s.name), len(s.lines), s.size))
            ),
        )
        for s in pool.strata
    )
    drawn = [code for s in strata for code in s.selected]
    batches = draw_batches(
        seed, drawn, params.batch_count, rules.item_category, pool.sampling.ratio_permille
    )
    order = [code for b in batches for code in b.targets] if batches else drawn
    directory = canonical_inspectors(inspectors)
    eligible = eligible_inspectors(directory, pool.task, params, rules)
    declared = frozenset(
        (canonical_text(p), canonical_text(t)) for p, t in conflicts
    )
    joint = tuple(participants)
    side: dict[str, str] | None = None
    if joint:
        joint = canonical_participants(joint, pool.task)
        side = sides(directory, joint)
        eligible = joint_eligible(eligible, side)
        count = group_count(params, len(order))
        drawn_groups = (draw_joint_groups(seed, eligible, side, joint, order, params, rules, count)
                        if count else ())
    else:
        drawn_groups = draw_groups(seed, eligible, order, params, rules)
    groups = avoid_conflicts(seed, drawn_groups, eligible, declared, side)
    expert_dir = canonical_experts(experts)
    chosen_experts = draw_experts(
        seed, conflict_free_experts(expert_dir, drawn, declared), params.experts_count
    )
    return DrawResult(
        pool=pool,
        seed=seed,
        params=params,
        rules=rules,
        inspectors=directory,
        experts_directory=expert_dir,
        strata=strata,
        batches=batches,
        eligible_inspectors=eligible,
        groups=groups,
        experts=chosen_experts,
        final_groups=groups,
        final_experts=chosen_experts,
        conflicts=tuple(sorted(declared)),
        participants=joint,
    )


def draw_batches(
    seed: str,
    drawn: Sequence[str],
    batch_count: int | None,
    category: ItemCategory,
    ratio_permille: int,
) -> tuple[Batch, ...]:
    """Split ``drawn`` into ``batch_count`` runs and draw the order they are inspected in.

    Runs are contiguous in drawn order, numbered from 1; the first ``S mod b`` runs hold
    one target more. The inspection order of the runs is ``permutation(b)`` of stream
    ``"batches"``. Allowed only where the item category allows it and the ratio reaches
    its threshold (CQ Art. 5). ``None`` or 1 batch: no batches.
    """
    if batch_count is None or batch_count == 1:
        return ()
    if not category.batch_order:
        raise RuleRefused(msg(
            "%(category)s (%(code)s) items may not have their batch order drawn (%(cite)s); "
            "leave the batch count empty",
            category=category.name_zh, code=category.code, cite=str(category.cite),
        ))
    if ratio_permille < category.batch_order_min_permille:
        raise RuleRefused(msg(
            "the batch order may be drawn only from a ratio of %(minimum)s ‰ (%(cite)s); this "
            "task's ratio is %(ratio)s ‰ — leave the batch count empty",
            minimum=category.batch_order_min_permille, cite=str(category.cite),
            ratio=ratio_permille,
        ))
    if not 1 <= batch_count <= len(drawn):
        raise InvalidInput(msg(
            "batch_count=%(batch_count)s for %(drawn)s drawn targets: choose from 2 to %(drawn)s",
            batch_count=batch_count, drawn=len(drawn),
        ))
    base, extra = divmod(len(drawn), batch_count)
    runs: list[Batch] = []
    start = 0
    for b in range(batch_count):
        end = start + base + (1 if b < extra else 0)
        runs.append(Batch(b + 1, tuple(drawn[start:end])))
        start = end
    return tuple(runs[i] for i in permutation(Stream(seed, BATCHES_LABEL), batch_count))
