"""Freezing the pool: exclusions, canonical order, strata, sizes and the pool digest.

The pool is frozen, and its digest shown, before the seed is known; :func:`freeze_pool` is
therefore separate from :mod:`shuangsuiji.kernel.draw`.

A pool holds each member as its digest line (``member<TAB>code<TAB>name<TAB>flags``, UTF-8,
docs/draw-spec.md §3.3) rather than as three objects: a million members are a million
``bytes`` (about half the memory of code, name and tuple), sorting them sorts by credit code
(UTF-8 byte order is code-point order, and the code is followed by a TAB), and the digest
and the stored pool are these very lines joined. Members without flags or history, nearly
all of them, never pass through Python code one by one: their lines are formatted, encoded
and split by C loops over whole chunks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from shuangsuiji.kernel.canonical import canonical_text
from shuangsuiji.kernel.errors import InvalidInput
from shuangsuiji.kernel.exclusionlines import ExclusionLines
from shuangsuiji.kernel.gcpause import paused_gc
from shuangsuiji.kernel.model import (
    COUNTED_STATUSES,
    VOIDED,
    Exclusion,
    FrozenPool,
    Inspection,
    PoolRules,
    Sampling,
    Task,
    TaskInspections,
)
from shuangsuiji.kernel.poolbuilder import _Builder
from shuangsuiji.kernel.poolcolumns import Chunks, _canonical_joined, candidate_chunks
from shuangsuiji.kernel.pooltext import (
    ONCE_PER_YEAR,
    POOL_FORMAT,
    SAME_QUARTER,
    excluded_lines,
    exclusion_citations,
    frozen_pool_text,
    parse_pool_text,
    pool_digest,
    pool_header,
    pool_text,
)
from shuangsuiji.kernel.ratio import validate_sampling
from shuangsuiji.messages import msg
from shuangsuiji.rules import ExclusionRule

#: Kinds of extra exclusion rule the kernel understands.
EXTRA_KINDS = ("recently_inspected", "flag")


def canonical_task(task: Task) -> Task:
    """The task with canonical text and its item codes sorted and unique."""
    items = sorted({canonical_text(c) for c in task.item_codes})
    return replace(
        task,
        task_id=canonical_text(task.task_id),
        item_codes=tuple(items),
        department=canonical_text(task.department),
        division=canonical_text(task.division),
    )


def freeze_pool(
    candidates: Chunks,
    inspections: Iterable[Inspection | TaskInspections],
    task: Task,
    sampling: Sampling,
    rules: PoolRules,
) -> FrozenPool:
    """Apply the exclusions to ``candidates``, split the rest into strata, and digest it.

    ``candidates`` are :class:`Target` tuples, or chunks of them as :class:`Candidates`
    columns (what a database read gives cheaply) or as :class:`CandidateText` (what a
    database aggregate gives more cheaply still). ``inspections`` are this tenant's earlier
    inspections (ongoing and completed; voided ones are skipped), one by one or as
    :class:`TaskInspections` records (the cheap form). Raises :class:`EmptyPool`
    when no target is left, and :class:`InvalidInput` for malformed input (duplicate credit
    codes, a tab in a name, an unknown kind of extra rule, a bad ratio).
    """
    validate_sampling(sampling)
    task = canonical_task(task)
    if not task.item_codes:
        raise InvalidInput(msg("task %(task)r has no item codes: add its items first",
                               task=task.task_id))
    for extra in rules.extra_exclusions:
        _check_extra(extra)
    with paused_gc():
        builder = _Builder(task, rules, exclude=not task.special)
        if not task.special:
            builder.set_history(_history(inspections, task.task_id))
        for chunk in candidate_chunks(candidates):
            builder.add_chunk(chunk)
        return builder.finish(sampling)


def stratify(
    candidates: Chunks,
    excluded: Sequence[Exclusion],
    task: Task,
    sampling: Sampling,
    rules: PoolRules,
    *,
    found_lines: list[tuple[list[bytes], list[int]] | None] | None = None,
    excluded_checked: bool = False,
) -> FrozenPool:
    """Sort the kept targets canonically, split them into strata, size them, digest the pool.

    ``found_lines``, if given, receives for each chunk of ``candidates`` (when it was
    canonical text as given, else ``None``) the lines of its members without flags or
    history, in the order given, and the positions of the others: a verifier compares them
    with the recomputed strata without formatting them again. ``excluded_checked``: the
    caller has made sure no excluded code is also among ``candidates`` (a verifier does so
    with one set of strings) and the excluded codes are unique.

    No exclusion is applied (``excluded`` are taken as given): this is what a verifier
    recomputes from a bundle. A target carrying several risk flags of the pack goes into the
    stratum of the first of ``rules.risk_rules`` whose flag it carries; targets with none go
    to ``"general"``. Strata are ordered as the risk rules, then general; empty strata are
    left out.
    """
    validate_sampling(sampling)
    with paused_gc():
        builder = _Builder(task, rules, exclude=False)
        builder.found_lines = found_lines
        if isinstance(excluded, ExclusionLines):
            builder.given_lines = excluded  # in canonical order, as their lines
        else:
            builder.excluded.extend(excluded)
        if not excluded_checked:
            for e in excluded:
                builder.note_special(e.credit_code)
                builder.probe.append(e.credit_code)
        for chunk in candidate_chunks(candidates):
            builder.add_chunk(chunk)
        return builder.finish(sampling)



def _check_extra(rule: ExclusionRule) -> None:
    if rule.kind not in EXTRA_KINDS:
        raise InvalidInput(msg(
            "extra exclusion %(rule)r (%(cite)s) has kind %(kind)r; the kernel knows "
            "%(kinds)s: fix the pack", rule=rule.code, cite=str(rule.cite), kind=rule.kind,
            kinds=EXTRA_KINDS,
        ))
    names = dict(rule.params)
    for option in ("categories", "exempt_flags"):
        if option in names and not isinstance(names[option], str):
            raise InvalidInput(msg(
                "extra exclusion %(rule)r (%(cite)s): params %(param)r must be text (codes "
                "joined by commas); fix the pack", rule=rule.code, cite=str(rule.cite),
                param=option,
            ))
    needed, typ = ("days", int) if rule.kind == "recently_inspected" else ("flag", str)
    if not isinstance(names.get(needed), typ) or isinstance(names.get(needed), bool):
        raise InvalidInput(msg(
            "extra exclusion %(rule)r (%(cite)s) of kind %(kind)r needs params %(param)r of "
            "type %(type)s; fix the pack", rule=rule.code, cite=str(rule.cite),
            kind=rule.kind, param=needed, type=typ.__name__,
        ))


def _history(
    inspections: Iterable[Inspection | TaskInspections], task_id: str
) -> list[TaskInspections]:
    """Earlier inspections as task records, codes canonical; voided ones and this task's
    own skipped. A loose :class:`Inspection` becomes a record of one code."""
    records: list[TaskInspections] = []
    for item in inspections:
        record = (
            item
            if isinstance(item, TaskInspections)
            else TaskInspections(
                item.task_id, (item.item_code,), item.date, item.division, item.status,
                (item.credit_code,), item.department,
            )
        )
        if record.status not in COUNTED_STATUSES:
            if record.status == VOIDED:
                continue  # a voided draw inspects nobody
            raise InvalidInput(msg(
                "earlier inspection of %(code)r in task %(task)r has status %(status)r; "
                "expected one of %(statuses)s or %(voided)s",
                code=next(iter(record.credit_codes), ""), task=record.task_id,
                status=record.status, statuses=COUNTED_STATUSES, voided=VOIDED,
            ))
        if record.task_id == task_id:
            continue  # freezing the same task again must not exclude by its own records
        codes = record.credit_codes
        joined = "\n".join(codes)
        # canonical already (the usual case, checked in bulk)? then no per-code canonical_text
        if not _canonical_joined(joined, codes):
            record = replace(record, credit_codes=[canonical_text(c) for c in codes])
        records.append(record)
    return records




__all__ = [
    "EXTRA_KINDS",
    "ONCE_PER_YEAR",
    "POOL_FORMAT",
    "SAME_QUARTER",
    "Chunks",
    "candidate_chunks",
    "canonical_task",
    "excluded_lines",
    "exclusion_citations",
    "freeze_pool",
    "frozen_pool_text",
    "parse_pool_text",
    "pool_digest",
    "pool_header",
    "pool_text",
    "stratify",
]
