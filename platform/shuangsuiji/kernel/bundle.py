"""The draw bundle (``shuangsuiji-draw/1``): everything a third party needs to recompute a draw.

:func:`make_bundle` writes it; :func:`verify_bundle` recomputes the pool digest, the strata
and their sizes, the draw, every recusal step and the draw digest from the bundle alone,
and reports the first field that differs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from shuangsuiji.kernel.canonical import canonical_json
from shuangsuiji.kernel.codec import (
    BundleFormatError,
    Reader,
    plain,
    read_draw_params,
    read_draw_rules,
    read_expert,
    read_inspector,
    read_pool_rules,
    read_recusal_rule,
    read_sampling,
    read_task,
)
from shuangsuiji.kernel.draw import draw
from shuangsuiji.kernel.errors import KernelError
from shuangsuiji.kernel.gcpause import paused_gc
from shuangsuiji.kernel.model import DrawResult, Exclusion, Group, Target
from shuangsuiji.kernel.pool import exclusion_citations, stratify
from shuangsuiji.kernel.recusal import apply_recusal
from shuangsuiji.rules import RecusalRule

FORMAT = "shuangsuiji-draw/1"
#: Top-level keys of a bundle, in the order the verifier compares them.
KEYS = (
    "format",
    "task",
    "sampling",
    "pool_rules",
    "pool",
    "seed",
    "draw_parameters",
    "draw_rules",
    "inspectors",
    "experts_directory",
    "result",
    "recusals",
    "final",
    "digests",
)


def _groups(groups: tuple[Group, ...]) -> list[dict[str, Any]]:
    return [
        {
            "number": g.number,
            "members": list(g.members),
            "leader": g.leader,
            "targets": list(g.targets),
        }
        for g in groups
    ]


#: Optional top-level key: what the platform says about the ceremony and the record (task
#: title, witnesses, seed source, attempt...). Not recomputed, but covered by the draw digest.
ANNOTATIONS = "annotations"


def make_bundle(
    result: DrawResult, annotations: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Return the JSON-ready bundle of ``result`` (its pool, inputs, draw and recusals).

    ``annotations`` (plain JSON) is carried verbatim and covered by the draw digest.
    """
    with paused_gc():
        return _make_bundle(result, annotations)


def _make_bundle(result: DrawResult, annotations: dict[str, Any] | None = None) -> dict[str, Any]:
    pool = result.pool
    bundle: dict[str, Any] = {
        "format": FORMAT,
        "task": plain(pool.task),
        "sampling": plain(pool.sampling),
        "pool_rules": plain(pool.rules),
        "pool": {
            "strata": [
                {
                    "name": s.name,
                    "ratio_permille": s.ratio_permille,
                    "size": s.size,
                    # most members carry no flag: skip sorted() of an empty set
                    "members": [[c, n, sorted(f) if f else []] for c, n, f in s.members],
                }
                for s in pool.strata
            ],
            "excluded": [
                [e.credit_code, e.name, e.rule_code, e.trigger_task_id] for e in pool.excluded
            ],
        },
        "seed": result.seed,
        "draw_parameters": plain(result.params),
        "draw_rules": plain(result.rules),
        "inspectors": plain(result.inspectors),
        "experts_directory": plain(result.experts_directory),
        "result": {
            "strata": [{"name": s.name, "selected": list(s.selected)} for s in result.strata],
            "batches": [{"number": b.number, "targets": list(b.targets)} for b in result.batches],
            "eligible_inspectors": list(result.eligible_inspectors),
            "groups": _groups(result.groups),
            "experts": list(result.experts),
        },
        "recusals": [plain(s) for s in result.recusals],
        "final": {"groups": _groups(result.final_groups), "experts": list(result.final_experts)},
    }
    if annotations is not None:
        bundle[ANNOTATIONS] = annotations
    bundle["digests"] = {"pool": pool.digest, "draw": draw_digest(bundle, pool.digest)}
    return bundle


def draw_digest(bundle: dict[str, Any], pool_digest: str) -> str:
    """SHA-256 of the canonical JSON of the bundle without ``pool`` and ``digests``, plus
    ``"pool_digest"``: it covers every field the pool digest does not."""
    body = {k: v for k, v in bundle.items() if k not in ("pool", "digests")}
    body["pool_digest"] = pool_digest
    return hashlib.sha256(canonical_json(body)).hexdigest()


@dataclass(frozen=True)
class VerifyReport:
    """Outcome of :func:`verify_bundle`: ok, or the first mismatch (path, expected, found)."""

    ok: bool
    path: str | None = None
    expected: Any = None
    found: Any = None
    problem: str | None = None
    summary: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        if self.ok:
            s = self.summary
            return (
                f"bundle OK: task {s.get('task_id')}, pool {s.get('pool_size')} targets in "
                f"{s.get('strata')} strata ({s.get('excluded')} excluded), "
                f"{s.get('selected')} drawn, {s.get('groups')} groups, {s.get('experts')} "
                f"experts, {s.get('recusals')} recusal steps; pool digest {s.get('pool_digest')}"
            )
        text = f"bundle does NOT verify: first mismatch at {self.path}"
        if self.problem:
            text += f": {self.problem}"
        else:
            text += f": expected {_short(self.expected)}, found {_short(self.found)}"
        return text


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def _fail(path: str, expected: Any = None, found: Any = None, problem: str | None = None) -> Any:
    return VerifyReport(ok=False, path=path, expected=expected, found=found, problem=problem)


def verify_bundle(bundle: dict[str, Any]) -> VerifyReport:
    """Recompute ``bundle`` from its inputs and return ok or its first mismatch.

    Recomputed: the strata (assignment by risk flag, canonical order, ratios, sizes), the
    pool digest, the draw, every recusal step in order, and the draw digest. The
    exclusions themselves need the tenant's earlier inspections, which a bundle does not
    hold; they are covered by the pool digest, published before the draw.
    """
    try:
        top = Reader(bundle, "bundle")
        if top.text("format") != FORMAT:
            return _fail(
                "format",
                FORMAT,
                bundle.get("format"),
                f"unsupported format; this verifier reads {FORMAT}",
            )
        with paused_gc():
            expected = _recompute(top)
    except BundleFormatError as e:
        return _fail(e.path, problem=e.problem)
    except KernelError as e:
        return _fail("bundle", problem=f"the draw cannot be recomputed: {e}")

    for key in KEYS:
        if key not in bundle:
            return _fail(key, problem="missing")
        with paused_gc():
            mismatch = _first_difference(expected[key], bundle[key], key)
        if mismatch is not None:
            return _fail(*mismatch)
    extra = sorted(set(bundle) - set(KEYS) - {ANNOTATIONS})
    if extra:
        return _fail(extra[0], problem="field not part of the format")
    # == treats true as 1: the digest of the bundle as found catches such type changes
    found = draw_digest(bundle, bundle["digests"]["pool"])
    if found != bundle["digests"]["draw"]:
        return _fail(
            "digests.draw",
            found,
            bundle["digests"]["draw"],
            "the draw digest does not match the bundle's content",
        )
    return VerifyReport(ok=True, summary=_summary(expected))


def _result_of(top: Reader) -> DrawResult:
    task = read_task(top.sub("task"))
    sampling = read_sampling(top.sub("sampling"))
    rules = read_pool_rules(top.sub("pool_rules"))
    pool_r = top.sub("pool")
    members: list[Target] = []
    for s in pool_r.subs("strata"):
        members.extend(_members(s.array("members"), s.at("members")))
    cites = exclusion_citations(rules)
    excluded: list[Exclusion] = []
    for i, row in enumerate(pool_r.array("excluded")):
        path = f"pool.excluded[{i}]"
        ok = (
            isinstance(row, list)
            and len(row) == 4
            and all(isinstance(x, str) for x in row[:3])
            and (row[3] is None or isinstance(row[3], str))
        )
        if not ok:
            raise BundleFormatError(path, "expected [credit code, name, rule code, task id|null]")
        if row[2] not in cites:
            raise BundleFormatError(f"{path}[2]", f"unknown exclusion rule code {row[2]!r}")
        excluded.append(Exclusion(row[0], row[1], row[2], cites[row[2]], row[3]))
    pool = stratify(members, excluded, task, sampling, rules)

    result = draw(
        pool,
        top.text("seed"),
        rules=read_draw_rules(top.sub("draw_rules")),
        params=read_draw_params(top.sub("draw_parameters")),
        inspectors=[read_inspector(r) for r in top.subs("inspectors")],
        experts=[read_expert(r) for r in top.subs("experts_directory")],
    )
    for r in top.subs("recusals"):
        pairs: list[tuple[str, str]] = []
        for j, pair in enumerate(r.array("conflicts")):
            if not (
                isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)
            ):
                raise BundleFormatError(f"{r.at('conflicts')}[{j}]", "expected [person, target]")
            pairs.append((pair[0], pair[1]))
        result = apply_recusal(
            result,
            result.seed,
            r.integer("step"),
            r.text("person_id"),
            r.text("target_id"),
            r.text("mode"),
            read_recusal_rule(r.sub("rule")),
            pairs,
        ).result
    return result


def _recompute(top: Reader) -> dict[str, Any]:
    annotations = top.obj.get(ANNOTATIONS)
    if annotations is not None and not isinstance(annotations, dict):
        raise BundleFormatError(top.at(ANNOTATIONS), "expected an object")
    return _make_bundle(_result_of(top), annotations)


def result_from_bundle(bundle: dict[str, Any]) -> DrawResult:
    """The :class:`DrawResult` a bundle describes, recomputed from its inputs (its pool,
    seed, people and recusal steps). Raises :class:`BundleFormatError` on a malformed bundle."""
    with paused_gc():
        return _result_of(Reader(bundle, "bundle"))


def recusal_rule_from_plain(obj: dict[str, Any]) -> RecusalRule:
    """A :class:`RecusalRule` from its plain form in a bundle's recusal step."""
    return read_recusal_rule(Reader(obj, "rule"))


def _members(rows: list[Any], path: str) -> list[Target]:
    """Read ``[code, name, [flags]]`` rows; type checks run in bulk, in C, when all is well."""
    try:
        out = [Target(c, n, frozenset(f)) for c, n, f in rows]
    except (TypeError, ValueError):
        out = None
    well_formed = (
        out is not None
        and set(map(type, rows)) <= {list}
        and set(map(type, map(itemgetter(0), rows))) <= {str}
        and set(map(type, map(itemgetter(1), rows))) <= {str}
        and set(map(type, map(itemgetter(2), rows))) <= {list}
        and all(type(x) is str for row in rows if row[2] for x in row[2])
    )
    if out is None or not well_formed:
        return [_member(row, f"{path}[{i}]") for i, row in enumerate(rows)]
    return out


def _member(row: Any, path: str) -> Target:
    ok = (
        isinstance(row, list)
        and len(row) == 3
        and isinstance(row[0], str)
        and isinstance(row[1], str)
        and isinstance(row[2], list)
        and all(isinstance(f, str) for f in row[2])
    )
    if not ok:
        raise BundleFormatError(path, "expected [credit code, name, [flags]]")
    return Target(row[0], row[1], frozenset(row[2]))


def _first_difference(expected: Any, found: Any, path: str) -> tuple[Any, ...] | None:
    """First (path, expected, found) where the two JSON trees differ, in document order."""
    if type(expected) is type(found) and expected == found:
        return None
    if isinstance(expected, dict) and isinstance(found, dict):
        for key, value in expected.items():
            if key not in found:
                return (f"{path}.{key}", value, None, "missing")
            sub = _first_difference(value, found[key], f"{path}.{key}")
            if sub is not None:
                return sub
        for key in found:
            if key not in expected:
                return (f"{path}.{key}", None, found[key], "field not part of the format")
        return None
    if isinstance(expected, list) and isinstance(found, list):
        for i, (a, b) in enumerate(zip(expected, found, strict=False)):
            sub = _first_difference(a, b, f"{path}[{i}]")
            if sub is not None:
                return sub
        if len(expected) != len(found):
            n = min(len(expected), len(found))
            return (
                f"{path}[{n}]",
                expected[n] if n < len(expected) else None,
                found[n] if n < len(found) else None,
                f"list has {len(found)} entries, expected {len(expected)}",
            )
        return None
    return (path, expected, found)


def _summary(bundle: dict[str, Any]) -> dict[str, Any]:
    strata = bundle["pool"]["strata"]
    return {
        "task_id": bundle["task"]["task_id"],
        "pool_size": sum(len(s["members"]) for s in strata),
        "strata": len(strata),
        "excluded": len(bundle["pool"]["excluded"]),
        "selected": sum(len(s["selected"]) for s in bundle["result"]["strata"]),
        "groups": len(bundle["result"]["groups"]),
        "experts": len(bundle["result"]["experts"]),
        "recusals": len(bundle["recusals"]),
        "pool_digest": bundle["digests"]["pool"],
        "draw_digest": bundle["digests"]["draw"],
    }
