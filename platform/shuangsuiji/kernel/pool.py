"""Freezing the pool: exclusions, canonical order, strata, sizes and the pool digest.

The pool is frozen, and its digest shown, before the seed is known; :func:`freeze_pool` is
therefore separate from :mod:`shuangsuiji.kernel.draw`.
"""

from __future__ import annotations

import hashlib
import unicodedata
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import timedelta
from itertools import islice, pairwise
from operator import eq, itemgetter

from shuangsuiji.kernel.canonical import canonical_json, canonical_text, check_field
from shuangsuiji.kernel.codec import plain
from shuangsuiji.kernel.errors import EmptyPool, InvalidInput
from shuangsuiji.kernel.gcpause import paused_gc
from shuangsuiji.kernel.model import (
    COUNTED_STATUSES,
    GENERAL,
    RISK_PREFIX,
    VOIDED,
    Exclusion,
    FrozenPool,
    Inspection,
    PoolRules,
    Sampling,
    Stratum,
    Target,
    Task,
    quarter_of,
)
from shuangsuiji.kernel.ratio import risk_ratio, stratum_size, validate_sampling
from shuangsuiji.rules import Citation, ExclusionRule

POOL_FORMAT = "shuangsuiji-pool/1"
ONCE_PER_YEAR = "once_per_year"
SAME_QUARTER = "same_quarter_other_divisions"
#: Kinds of extra exclusion rule the kernel understands.
EXTRA_KINDS = ("recently_inspected", "flag")

_CHUNK = 65536  # digest lines hashed per update: bounded memory, few calls


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
    candidates: Iterable[Target],
    inspections: Iterable[Inspection],
    task: Task,
    sampling: Sampling,
    rules: PoolRules,
) -> FrozenPool:
    """Apply the exclusions to ``candidates``, split the rest into strata, and digest it.

    ``inspections`` are this tenant's earlier inspections (ongoing and completed; voided
    ones are skipped). Raises :class:`EmptyPool` when no target is left, and
    :class:`InvalidInput` for malformed input (duplicate credit codes, a tab in a name, an
    unknown kind of extra rule, a bad ratio).
    """
    validate_sampling(sampling)
    task = canonical_task(task)
    if not task.item_codes:
        raise InvalidInput(f"task {task.task_id!r} has no item codes: add its items first")
    for extra in rules.extra_exclusions:
        _check_extra(extra)
    with paused_gc():
        targets = canonical_targets(candidates)
        kept, excluded = _exclude(targets, inspections, task, rules)
        return stratify(kept, excluded, task, sampling, rules)


def canonical_targets(candidates: Iterable[Target]) -> list[Target]:
    """The candidates with canonical credit codes and names (NFC, stripped).

    Checked in bulk first (a few C-level passes over all strings); only when some string
    is not canonical is every target rebuilt.
    """
    targets = list(candidates)
    codes = list(map(_CODE, targets))
    names = list(map(_NAME, targets))
    clean = (
        unicodedata.is_normalized("NFC", "\x00".join(codes))
        and unicodedata.is_normalized("NFC", "\x00".join(names))
        and sum(map(len, codes)) == sum(map(len, map(str.strip, codes)))
        and sum(map(len, names)) == sum(map(len, map(str.strip, names)))
    )
    if not clean:
        # \x00 never composes with a neighbour, so the joined test above is exact
        targets = [Target(canonical_text(c), canonical_text(n), f) for c, n, f in targets]
    if not all(codes) or not all(map(_CODE, targets)):
        bad = next(t for t in targets if not t.credit_code)
        raise InvalidInput(
            f"a candidate target ({bad.name!r}) has no credit code: fix the directory"
        )
    return targets


def _check_extra(rule: ExclusionRule) -> None:
    if rule.kind not in EXTRA_KINDS:
        raise InvalidInput(
            f"extra exclusion {rule.code!r} ({rule.cite}) has kind {rule.kind!r}; the kernel "
            f"knows {', '.join(EXTRA_KINDS)}: fix the pack"
        )
    names = dict(rule.params)
    needed, typ = ("days", int) if rule.kind == "recently_inspected" else ("flag", str)
    if not isinstance(names.get(needed), typ) or isinstance(names.get(needed), bool):
        raise InvalidInput(
            f"extra exclusion {rule.code!r} ({rule.cite}) of kind {rule.kind!r} needs "
            f"params {needed!r} of type {typ.__name__}; fix the pack"
        )


def _index(inspections: Iterable[Inspection], task_id: str) -> dict[str, list[Inspection]]:
    """Earlier inspections by canonical credit code; voided ones and this task's own skipped."""
    index: dict[str, list[Inspection]] = {}
    for ins in inspections:
        if ins.status not in COUNTED_STATUSES:
            if ins.status == VOIDED:
                continue  # a voided draw inspects nobody
            raise InvalidInput(
                f"earlier inspection of {ins.credit_code!r} in task {ins.task_id!r} has status "
                f"{ins.status!r}; expected one of {', '.join(COUNTED_STATUSES)} or {VOIDED}"
            )
        if ins.task_id == task_id:
            continue  # freezing the same task again must not exclude by its own records
        index.setdefault(canonical_text(ins.credit_code), []).append(ins)
    return index


def _earliest(matches: list[Inspection]) -> str:
    return min(matches, key=lambda i: (i.date, i.task_id.encode("utf-8"))).task_id


def _exclude(
    targets: list[Target],
    inspections: Iterable[Inspection],
    task: Task,
    rules: PoolRules,
) -> tuple[list[Target], list[Exclusion]]:
    policy = rules.exclusion_policy
    if task.special:
        return targets, []  # 专项检查: outside every sampling exclusion
    once = policy.once_per_year
    quarter_rule = policy.same_quarter_other_divisions and not task.joint
    extras = rules.extra_exclusions
    flag_rules = [r for r in extras if r.kind == "flag"]
    index = _index(inspections, task.task_id)
    if not index and not flag_rules:
        return targets, []
    # only targets with a history (or a flag, when a flag rule exists) can be excluded
    if flag_rules:
        kept = [t for t in targets if t[0] not in index and not t[2]]
        suspects = [t for t in targets if t[0] in index or t[2]]
    else:
        kept = [t for t in targets if t[0] not in index]
        suspects = [t for t in targets if t[0] in index]

    excluded: list[Exclusion] = []
    items = frozenset(task.item_codes)
    year, quarter, division = task.year, task.quarter, task.division
    exempt_flags = policy.exempt_risk_flags
    recent_from = {
        r.code: task.start_date - timedelta(days=int(r.param("days")))
        for r in extras
        if r.kind == "recently_inspected"
    }
    for t in suspects:
        code, name, flags = t
        history = index.get(code, ())
        hit: tuple[str, Citation, str | None] | None = None
        exempt = bool(flags & exempt_flags) if flags else False
        if history and not exempt:
            if once:
                m = [i for i in history if i.item_code in items and i.date.year == year]
                if m:
                    hit = (ONCE_PER_YEAR, policy.cite, _earliest(m))
            if hit is None and quarter_rule:
                m = [
                    i
                    for i in history
                    if i.date.year == year
                    and quarter_of(i.date) == quarter
                    and i.division != division
                ]
                if m:
                    hit = (SAME_QUARTER, policy.cite, _earliest(m))
        if hit is None:
            for rule in extras:
                if rule.kind == "flag":
                    if rule.param("flag") in flags:
                        hit = (rule.code, rule.cite, None)
                        break
                elif history:
                    start = recent_from[rule.code]
                    m = [i for i in history if i.date >= start]
                    if m:
                        hit = (rule.code, rule.cite, _earliest(m))
                        break
        if hit is None:
            kept.append(t)
        else:
            excluded.append(Exclusion(code, name, hit[0], hit[1], hit[2]))
    return kept, excluded


def stratify(
    kept: Sequence[Target],
    excluded: Sequence[Exclusion],
    task: Task,
    sampling: Sampling,
    rules: PoolRules,
) -> FrozenPool:
    """Sort the kept targets canonically, split them into strata, size them, digest the pool.

    A target carrying several risk flags of the pack goes into the stratum of the first of
    ``rules.risk_rules`` whose flag it carries; targets with none go to ``"general"``.
    Strata are ordered as the risk rules, then general; empty strata are left out.
    """
    validate_sampling(sampling)
    with paused_gc():
        members = sorted(kept, key=_CODE)
        _no_duplicates(members, excluded)
        order: dict[str, int] = {}
        for i, rule in enumerate(rules.risk_rules):
            order.setdefault(rule.flag, i)
        risk_flags = frozenset(order)
        buckets: list[list[Target]] = [[] for _ in rules.risk_rules]
        general = [t for t in members if not (t[2] and t[2] & risk_flags)]
        for t in members:
            if t[2]:
                for f in t[2]:
                    if "," in f:
                        raise InvalidInput(
                            f"risk flag {f!r} of {t[0]!r} contains a comma: flag codes are "
                            "identifiers such as 'bad_credit'"
                        )
                ranks = [order[f] for f in t[2] if f in order]
                if ranks:
                    buckets[min(ranks)].append(t)
        return _build(buckets, general, excluded, task, sampling, rules)


def _build(
    buckets: list[list[Target]],
    general: list[Target],
    excluded: Sequence[Exclusion],
    task: Task,
    sampling: Sampling,
    rules: PoolRules,
) -> FrozenPool:
    strata: list[Stratum] = []
    for rule, bucket in zip(rules.risk_rules, buckets, strict=True):
        if bucket:
            ratio = risk_ratio(sampling.ratio_permille, rule)
            strata.append(
                Stratum(
                    RISK_PREFIX + rule.flag,
                    ratio,
                    stratum_size(len(bucket), ratio, sampling),
                    tuple(bucket),
                )
            )
    if general:
        r = sampling.ratio_permille
        strata.append(Stratum(GENERAL, r, stratum_size(len(general), r, sampling), tuple(general)))
    if not strata:
        raise EmptyPool(_empty_message(task, excluded))
    exclusions = tuple(sorted(excluded, key=_excluded_code))
    digest = pool_digest(task, sampling, rules, strata, exclusions)
    return FrozenPool(task, sampling, rules, tuple(strata), exclusions, digest)


_CODE = itemgetter(0)
_NAME = itemgetter(1)


def _excluded_code(e: Exclusion) -> str:
    return e.credit_code


def _no_duplicates(members: list[Target], excluded: Sequence[Exclusion]) -> None:
    codes = list(map(_CODE, members))
    if any(map(eq, codes, islice(codes, 1, None))):
        a, b = next((a, b) for a, b in pairwise(members) if a[0] == b[0])
        raise InvalidInput(
            f"credit code {a[0]!r} occurs twice among the candidates ({a[1]!r}, {b[1]!r}): "
            "merge the duplicate entries in the directory"
        )
    seen: set[str] = set()
    for e in excluded:
        i = bisect_left(codes, e.credit_code)
        if (i < len(codes) and codes[i] == e.credit_code) or e.credit_code in seen:
            raise InvalidInput(
                f"credit code {e.credit_code!r} occurs twice among the candidates: merge the "
                "duplicate entries in the directory"
            )
        seen.add(e.credit_code)


def _empty_message(task: Task, excluded: Sequence[Exclusion]) -> str:
    items = ", ".join(task.item_codes)
    if not excluded:
        return (
            f"task {task.task_id!r}: the pool is empty, no candidate target for items {items}; "
            "import the target directory for these items first"
        )
    counts = Counter(e.rule_code for e in excluded)
    why = ", ".join(f"{code}: {n}" for code, n in sorted(counts.items()))
    return (
        f"task {task.task_id!r}: the pool is empty, all {len(excluded)} candidates were "
        f"excluded ({why}); nothing can be drawn — widen the items, wait for the next "
        "period, or run it as a special inspection if the rules allow"
    )


# --- the pool digest -------------------------------------------------------------------


def pool_header(task: Task, sampling: Sampling, rules: PoolRules) -> dict[str, object]:
    """The object whose canonical JSON is the second line of the pool digest."""
    return {"task": plain(task), "sampling": plain(sampling), "rules": plain(rules)}


def exclusion_citations(rules: PoolRules) -> dict[str, Citation]:
    """Citation of every exclusion rule code the pool may name."""
    cites = {
        ONCE_PER_YEAR: rules.exclusion_policy.cite,
        SAME_QUARTER: rules.exclusion_policy.cite,
    }
    for r in rules.extra_exclusions:
        cites[r.code] = r.cite
    return cites


def pool_digest(
    task: Task,
    sampling: Sampling,
    rules: PoolRules,
    strata: Sequence[Stratum],
    excluded: Sequence[Exclusion],
) -> str:
    """SHA-256 (hex) of the pool's canonical line serialisation (docs/draw-spec.md).

    Streamed in chunks: a million members never become one string.
    """
    h = hashlib.sha256()
    h.update(f"{POOL_FORMAT}\n".encode())
    h.update(canonical_json(pool_header(task, sampling, rules)) + b"\n")
    for s in strata:
        check_field(s.name, "stratum name")
        h.update(f"stratum\t{s.name}\t{s.ratio_permille}\t{s.size}\t{len(s.members)}\n".encode())
        members = s.members
        for start in range(0, len(members), _CHUNK):
            part = members[start : start + _CHUNK]
            text = "".join(
                [f"member\t{c}\t{n}\t{','.join(sorted(f)) if f else ''}\n" for c, n, f in part]
            )
            # a stray tab or line break would make lines ambiguous: count them in C
            if text.count("\t") != 3 * len(part) or text.count("\n") != len(part):
                _find_bad_member(part)
            h.update(text.encode("utf-8"))
    for start in range(0, len(excluded), _CHUNK):
        ex = excluded[start : start + _CHUNK]
        text = "".join(
            [
                f"excluded\t{e.credit_code}\t{e.name}\t{e.rule_code}\t{e.citation.article}\t"
                f"{e.trigger_task_id or ''}\n"
                for e in ex
            ]
        )
        if text.count("\t") != 5 * len(ex) or text.count("\n") != len(ex):
            for e in ex:
                check_field(e.credit_code, "credit code")
                check_field(e.name, f"name of {e.credit_code!r}")
                check_field(e.rule_code, "exclusion rule code")
                check_field(e.citation.article, "citation article")
                check_field(e.trigger_task_id or "", "task id")
        h.update(text.encode("utf-8"))
    return h.hexdigest()


def _find_bad_member(part: Sequence[Target]) -> None:
    for t in part:
        check_field(t.credit_code, "credit code")
        check_field(t.name, f"name of {t.credit_code!r}")
        for f in t.flags:
            check_field(f, f"risk flag of {t.credit_code!r}")
    raise InvalidInput("a pool line is malformed")  # unreachable unless counts disagree
