"""The pool's canonical lines (docs/draw-spec.md §3.3): the strata sized, the digest, the
stored form and its parse back into the bundle's ``pool`` object."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator, Sequence
from operator import attrgetter, itemgetter
from typing import Any

from shuangsuiji.kernel.canonical import canonical_json, check_field
from shuangsuiji.kernel.classes import stratum_name
from shuangsuiji.kernel.codec import plain
from shuangsuiji.kernel.errors import EmptyPool, InvalidInput
from shuangsuiji.kernel.exclusionlines import ExclusionLines
from shuangsuiji.kernel.model import (
    GENERAL,
    Exclusion,
    FrozenPool,
    PoolRules,
    Sampling,
    Stratum,
    Task,
)
from shuangsuiji.kernel.ratio import risk_ratio, stratum_size
from shuangsuiji.messages import Message, msg
from shuangsuiji.rules import Citation

POOL_FORMAT = "shuangsuiji-pool/1"
ONCE_PER_YEAR = "once_per_year"
SAME_QUARTER = "same_quarter_other_divisions"

_CHUNK = 65536  # lines per chunk of text: bounded temporaries, few calls


def _build(
    buckets: list[list[bytes]],
    general: list[bytes],
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
                    stratum_name(rule.flag),
                    ratio,
                    stratum_size(len(bucket), ratio, sampling),
                    bucket,
                )
            )
    if general:
        r = sampling.ratio_permille
        strata.append(Stratum(GENERAL, r, stratum_size(len(general), r, sampling), general))
    if not strata:
        raise EmptyPool(_empty_message(task, excluded))
    exclusions: Sequence[Exclusion]
    if isinstance(excluded, ExclusionLines):  # sorted, and their lines made, already
        exclusions, excluded_text = excluded, excluded.text
    else:
        exclusions = tuple(sorted(excluded, key=_excluded_code))
        excluded_text = tuple(excluded_lines(exclusions))
    h = hashlib.sha256()
    for part in pool_text(task, sampling, rules, strata, exclusions, excluded_text):
        h.update(part)
    return FrozenPool(
        task, sampling, rules, tuple(strata), exclusions, h.hexdigest(), excluded_text
    )


_excluded_code = itemgetter(0)  # of an Exclusion: its credit code


def _empty_message(task: Task, excluded: Sequence[Exclusion]) -> Message:
    if not excluded:
        return msg(
            "task %(task)r: the pool is empty, no candidate target for items %(items)s; "
            "import the target directory for these items first",
            task=task.task_id, items=tuple(task.item_codes),
        )
    counts = Counter(e.rule_code for e in excluded)
    why = tuple(f"{code}: {n}" for code, n in sorted(counts.items()))
    return msg(
        "task %(task)r: the pool is empty, all %(count)s candidates were excluded (%(why)s); "
        "nothing can be drawn — widen the items, wait for the next period, or run it as a "
        "special inspection if the rules allow",
        task=task.task_id, count=len(excluded), why=why,
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


def pool_text(
    task: Task,
    sampling: Sampling,
    rules: PoolRules,
    strata: Sequence[Stratum],
    excluded: Sequence[Exclusion],
    excluded_text: Sequence[bytes] | None = None,
) -> Iterator[bytes]:
    """The pool's canonical lines (docs/draw-spec.md §3.3), UTF-8, in chunks.

    Their SHA-256 is the pool digest; joined, they are also the pool as the platform stores
    it. A million members never become one string.
    """
    yield f"{POOL_FORMAT}\n".encode()
    yield canonical_json(pool_header(task, sampling, rules)) + b"\n"
    for s in strata:
        check_field(s.name, msg("stratum name"))
        yield f"stratum\t{s.name}\t{s.ratio_permille}\t{s.size}\t{len(s.lines)}\n".encode()
        lines = s.lines
        for start in range(0, len(lines), _CHUNK):
            yield b"\n".join(lines[start : start + _CHUNK])
            yield b"\n"  # apart: the joined chunk is not copied once more to append it
    yield from excluded_lines(excluded) if excluded_text is None else excluded_text


_EXCLUDED = "excluded\t{}\t{}\t{}\t{}\t{}\n".format
# fields of a verdict or an exclusion, read by C loops (typed loosely: they serve both)
_FIELD0: Any = itemgetter(0)
_FIELD1: Any = itemgetter(1)
_FIELD2: Any = itemgetter(2)
_FIELD4: Any = itemgetter(4)
_ARTICLE = attrgetter("citation.article")


def excluded_lines(excluded: Sequence[Exclusion]) -> Iterator[bytes]:
    """The excluded targets' digest lines, UTF-8, in chunks."""
    for start in range(0, len(excluded), _CHUNK):
        ex = excluded[start : start + _CHUNK]
        text = "".join(
            map(
                _EXCLUDED,
                map(_FIELD0, ex),
                map(_FIELD1, ex),
                map(_FIELD2, ex),
                map(_ARTICLE, ex),
                [t or "" for t in map(_FIELD4, ex)],
            )
        )
        if text.count("\t") != 5 * len(ex) or text.count("\n") != len(ex):
            for e in ex:
                check_field(e.credit_code, msg("credit code"))
                check_field(e.name, msg("name of %(code)r", code=e.credit_code))
                check_field(e.rule_code, msg("exclusion rule code"))
                check_field(e.citation.article, msg("citation article"))
                check_field(e.trigger_task_id or "", msg("task id"))
        yield text.encode("utf-8")


def frozen_pool_text(pool: FrozenPool) -> Iterator[bytes]:
    """:func:`pool_text` of a frozen pool."""
    return pool_text(
        pool.task,
        pool.sampling,
        pool.rules,
        pool.strata,
        pool.excluded,
        pool.excluded_text if pool.excluded_text or not pool.excluded else None,
    )


def pool_digest(
    task: Task,
    sampling: Sampling,
    rules: PoolRules,
    strata: Sequence[Stratum],
    excluded: Sequence[Exclusion],
) -> str:
    """SHA-256 (hex) of the pool's canonical line serialisation (docs/draw-spec.md)."""
    h = hashlib.sha256()
    for part in pool_text(task, sampling, rules, strata, excluded):
        h.update(part)
    return h.hexdigest()


def parse_pool_text(data: bytes) -> dict[str, object]:
    """The bundle's ``pool`` object from the pool's canonical lines (:func:`pool_text`).

    The inverse of the serialisation, for a pool stored as its lines: ``{"strata": [{name,
    ratio_permille, size, members: [[code, name, [flags]]]}], "excluded": [[code, name, rule
    code, trigger or null]]}``.
    """
    text = data.decode("utf-8")
    lines = text.split("\n")
    if len(lines) < 3 or lines[0] != POOL_FORMAT or lines[-1] != "":
        raise InvalidInput(msg("not a stored pool (shuangsuiji-pool/1 lines)"))
    strata: list[dict[str, object]] = []
    excluded: list[list[str | None]] = []
    i, end = 2, len(lines) - 1
    while i < end and lines[i].startswith("stratum\t"):
        _, name, ratio, size, count = lines[i].split("\t")
        n = int(count)
        rows = [f.split("\t") for f in lines[i + 1 : i + 1 + n]]
        strata.append(
            {
                "name": name,
                "ratio_permille": int(ratio),
                "size": int(size),
                "members": [[c, nm, fl.split(",") if fl else []] for _, c, nm, fl in rows],
            }
        )
        i += 1 + n
    for line in lines[i:end]:
        tag, code, name, rule, _article, trigger = line.split("\t")
        if tag != "excluded":
            raise InvalidInput(msg("stored pool: unexpected line %(line)r", line=line[:60]))
        excluded.append([code, name, rule, trigger or None])
    return {"strata": strata, "excluded": excluded}

