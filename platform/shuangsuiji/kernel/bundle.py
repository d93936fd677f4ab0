"""The draw bundle (``shuangsuiji-draw/1``): everything a third party needs to recompute a draw.

:func:`make_bundle` writes it; :func:`verify_bundle` recomputes the pool digest, the strata
and their sizes, the draw, every recusal step and the draw digest from the bundle alone,
and reports the first field that differs.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from itertools import compress
from operator import itemgetter, methodcaller
from typing import Any

from shuangsuiji.kernel.canonical import canonical_json
from shuangsuiji.kernel.checks import (
    check_log,
    check_v2,
    read_conflicts,
    rule_checks,
    step_seed,
)
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
from shuangsuiji.kernel.errors import InvalidInput, KernelError
from shuangsuiji.kernel.gcpause import paused_gc
from shuangsuiji.kernel.model import (
    Candidates,
    DrawResult,
    Exclusion,
    FrozenPool,
    Group,
    Target,
    line_target,
)
from shuangsuiji.kernel.orgtree import UNITS_KEY
from shuangsuiji.kernel.pool import exclusion_citations, stratify
from shuangsuiji.kernel.recusal import apply_recusal
from shuangsuiji.messages import Message, msg, reason
from shuangsuiji.rules import RecusalRule

FORMAT = "shuangsuiji-draw/1"
#: The strict format with the announcement and the seed's inputs (docs/draw-spec.md §13).
FORMAT_V2 = "shuangsuiji-draw/2"
FORMATS = (FORMAT, FORMAT_V2)
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
#: Keys of a v2 bundle: v1's, with the announcement and the seed's inputs before the digests.
KEYS_V2 = (*KEYS[:-1], "announcement", "seed_inputs", "digests")
#: Keys a v2 recusal step adds to v1's: the declared reason and time, and the fresh beacon.
RECUSAL_V2_KEYS = ("reason", "declared_at", "beacon")


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
#: Optional top-level key of a v2 bundle, added on export and outside the draw digest: the
#: announcement's event in the tenant's transparency log, with an inclusion proof into a
#: signed checkpoint (docs/draw-spec.md §13.5).
LOG = "log"


def make_bundle(
    result: DrawResult,
    annotations: dict[str, Any] | None = None,
    *,
    pool: bool = True,
    announcement: dict[str, Any] | None = None,
    seed_inputs: dict[str, Any] | None = None,
    recusal_inputs: list[dict[str, Any]] | None = None,
    units: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return the JSON-ready bundle of ``result`` (its pool, inputs, draw and recusals).

    ``annotations`` (plain JSON) is carried verbatim and covered by the draw digest.
    ``pool=False`` leaves the ``pool`` key out (for a platform that stores the pool as its
    canonical lines, :func:`~shuangsuiji.kernel.pool.pool_text`, and puts it back with
    :func:`with_pool` on export); both digests are the same either way.

    With ``announcement`` the bundle is ``shuangsuiji-draw/2``: it also carries the
    announcement, ``seed_inputs`` (commitments, reveals, beacon round) and, per recusal
    step, ``recusal_inputs`` (reason, declared_at, beacon).

    ``units`` (:func:`~shuangsuiji.kernel.orgtree.units_object`) is the organisation tree the
    draw used, checked by :func:`~shuangsuiji.kernel.orgtree.units_check` and covered by the
    draw digest.
    """
    with paused_gc():
        return _make_bundle(result, annotations, pool=pool, announcement=announcement,
                            seed_inputs=seed_inputs, recusal_inputs=recusal_inputs,
                            units=units)


def pool_object(pool: FrozenPool) -> dict[str, Any]:
    """The bundle's ``pool`` object: strata with their members, and the excluded targets."""
    return {
        "strata": [
            {
                "name": s.name,
                "ratio_permille": s.ratio_permille,
                "size": s.size,
                "members": member_rows(s.lines),
            }
            for s in pool.strata
        ],
        "excluded": [
            [e.credit_code, e.name, e.rule_code, e.trigger_task_id] for e in pool.excluded
        ],
    }


_SPLIT_TAB = methodcaller("split", "\t")


def member_rows(lines: list[bytes] | Any) -> list[list[Any]]:
    """``[code, name, [flags]]`` rows of members' digest lines, decoded a chunk at a time."""
    out: list[list[Any]] = []
    for start in range(0, len(lines), _ROWS_CHUNK):
        text = b"\n".join(lines[start : start + _ROWS_CHUNK]).decode("utf-8")
        out.extend(
            [[c, n, f.split(",") if f else []] for _, c, n, f in map(_SPLIT_TAB, text.split("\n"))]
        )
    return out


_ROWS_CHUNK = 65536


def with_pool(bundle: dict[str, Any], pool: dict[str, Any]) -> dict[str, Any]:
    """``bundle`` (made with ``pool=False``) with its ``pool`` object put back in place."""
    out: dict[str, Any] = {}
    for key, value in bundle.items():
        if key == "seed":
            out["pool"] = pool
        out[key] = value
    return out


def _make_bundle(
    result: DrawResult,
    annotations: dict[str, Any] | None = None,
    *,
    pool: bool = True,
    announcement: dict[str, Any] | None = None,
    seed_inputs: dict[str, Any] | None = None,
    recusal_inputs: list[dict[str, Any]] | None = None,
    units: dict[str, Any] | None = None,
) -> dict[str, Any]:
    frozen = result.pool
    v2 = announcement is not None
    steps = [plain(s) for s in result.recusals]
    if v2:
        extra = list(recusal_inputs or [])
        if len(extra) != len(steps):
            raise InvalidInput(msg("a v2 bundle needs the inputs of each of its %(n)s recusal "
                                   "steps", n=len(steps)))
        steps = [{**step, **{k: e.get(k) for k in RECUSAL_V2_KEYS}}
                 for step, e in zip(steps, extra, strict=True)]
    bundle: dict[str, Any] = {
        "format": FORMAT_V2 if v2 else FORMAT,
        "task": plain(frozen.task),
        "sampling": plain(frozen.sampling),
        "pool_rules": plain(frozen.rules),
    }
    if pool:
        bundle["pool"] = pool_object(frozen)
    bundle |= {
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
        "recusals": steps,
        "final": {"groups": _groups(result.final_groups), "experts": list(result.final_experts)},
    }
    if v2:
        bundle["announcement"] = announcement
        bundle["seed_inputs"] = seed_inputs if seed_inputs is not None else {
            "commitments": [], "reveals": [], "beacon": None}
    if units is not None:
        bundle[UNITS_KEY] = units
    if annotations is not None:
        bundle[ANNOTATIONS] = annotations
    bundle["digests"] = {"pool": frozen.digest, "draw": draw_digest(bundle, frozen.digest)}
    return bundle


def draw_digest(bundle: dict[str, Any], pool_digest: str) -> str:
    """SHA-256 of the canonical JSON of the bundle without ``pool`` and ``digests``, plus
    ``"pool_digest"``: it covers every field the pool digest does not."""
    body = {k: v for k, v in bundle.items() if k not in ("pool", "digests", LOG)}
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
    #: what a verified v2 bundle's reader must know (seed procedure; beacon signature
    #: checked or NOT checked), one translatable line each
    notes: tuple[str, ...] = ()

    def __str__(self) -> str:
        return "\n".join([str(self.message), *map(str, self.notes)])

    @property
    def message(self) -> Message:
        """The outcome as a translatable message (its ``str`` is the English of ``str()``)."""
        if self.ok:
            s = self.summary
            return msg(
                "bundle OK: task %(task)s, pool %(size)s targets in %(strata)s strata "
                "(%(excluded)s excluded), %(selected)s drawn, %(groups)s groups, %(experts)s "
                "experts, %(recusals)s recusal steps; pool digest %(digest)s",
                task=s.get("task_id"), size=s.get("pool_size"), strata=s.get("strata"),
                excluded=s.get("excluded"), selected=s.get("selected"), groups=s.get("groups"),
                experts=s.get("experts"), recusals=s.get("recusals"),
                digest=s.get("pool_digest"),
            )
        if self.problem:
            return msg("bundle does NOT verify: first mismatch at %(path)s: %(problem)s",
                       path=self.path, problem=self.problem)
        return msg(
            "bundle does NOT verify: first mismatch at %(path)s: expected %(expected)s, found "
            "%(found)s", path=self.path, expected=_short(self.expected), found=_short(self.found),
        )


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
        fmt = top.text("format")
        if fmt not in FORMATS:
            return _fail(
                "format",
                FORMAT_V2,
                bundle.get("format"),
                msg("unsupported format; this verifier reads %(formats)s",
                    formats=", ".join(FORMATS)),
            )
        v2 = fmt == FORMAT_V2
        rule_problem = rule_checks(bundle)
        if rule_problem is not None:
            return _fail(*rule_problem)
        with paused_gc():
            found_lines: list[tuple[list[bytes], list[int]] | None] = []
            result = _result_of(top, found_lines, v2=v2)
            expected = _recompute(top, result, v2=v2)
    except BundleFormatError as e:
        return _fail(e.path, problem=e.problem)
    except KernelError as e:
        return _fail("bundle", problem=msg("the draw cannot be recomputed: %(reason)s",
                                           reason=reason(e)))

    keys = KEYS_V2 if v2 else KEYS
    for key in keys:
        if key not in bundle:
            return _fail(key, problem=msg("missing field"))
        with paused_gc():
            if key == "pool":
                # compared as the members' lines: no million-row tree is rebuilt
                mismatch = _pool_difference(result.pool, bundle[key], found_lines)
            else:
                mismatch = _first_difference(expected[key], bundle[key], key)
        if mismatch is not None:
            return _fail(*mismatch)
    extra = sorted(set(bundle) - set(keys) - {ANNOTATIONS, UNITS_KEY} - ({LOG} if v2 else set()))
    if extra:
        return _fail(extra[0], problem=msg("field not part of the format"))
    # == treats true as 1: the digest of the bundle as found catches such type changes
    found = draw_digest(bundle, bundle["digests"]["pool"])
    if found != bundle["digests"]["draw"]:
        return _fail(
            "digests.draw",
            found,
            bundle["digests"]["draw"],
            msg("the draw digest does not match the bundle's content"),
        )
    notes: list[str] = []
    if v2:
        try:
            problem = check_v2(bundle, result, notes)
            if problem is None and LOG in bundle:
                problem = check_log(bundle, notes)
        except BundleFormatError as e:
            return _fail(e.path, problem=e.problem)
        except KernelError as e:
            return _fail("announcement", problem=reason(e))
        if problem is not None:
            return _fail(*problem)
    summary = _summary(result)
    summary["draw_digest"] = bundle["digests"]["draw"]
    summary["format"] = fmt
    return VerifyReport(ok=True, summary=summary, notes=tuple(notes))


def _excluded(rows: list[Any], cites: dict[str, Any]) -> list[Exclusion]:
    """Read ``[code, name, rule code, trigger|null]`` rows; checked in bulk when all is well."""
    cols = [list(map(itemgetter(k), rows)) for k in range(4)] if _rows_of(rows, 4) else None
    if (
        cols is not None
        and set(map(type, cols[0])) <= {str}
        and set(map(type, cols[1])) <= {str}
        and set(map(type, cols[2])) <= {str}
        and set(map(type, cols[3])) <= {str, type(None)}
        and set(cols[2]) <= cites.keys()
    ):
        return list(
            map(Exclusion, cols[0], cols[1], cols[2], map(cites.__getitem__, cols[2]), cols[3])
        )
    excluded: list[Exclusion] = []
    for i, row in enumerate(rows):
        path = f"pool.excluded[{i}]"
        ok = (
            isinstance(row, list)
            and len(row) == 4
            and all(isinstance(x, str) for x in row[:3])
            and (row[3] is None or isinstance(row[3], str))
        )
        if not ok:
            raise BundleFormatError(
                path, msg("expected [credit code, name, rule code, task id|null]")
            )
        if row[2] not in cites:
            raise BundleFormatError(
                f"{path}[2]", msg("unknown exclusion rule code %(code)r", code=row[2])
            )
        excluded.append(Exclusion(row[0], row[1], row[2], cites[row[2]], row[3]))
    return excluded


def _rows_of(rows: list[Any], width: int) -> bool:
    """All of ``rows`` are lists of ``width`` entries (checked in C)."""
    return set(map(type, rows)) <= {list} and set(map(len, rows)) <= {width}


def _result_of(
    top: Reader, found_lines: list[Any] | None = None, *, v2: bool = False
) -> DrawResult:
    task = read_task(top.sub("task"))
    sampling = read_sampling(top.sub("sampling"))
    rules = read_pool_rules(top.sub("pool_rules"))
    pool_r = top.sub("pool")
    members: list[Candidates] = []
    for s in pool_r.subs("strata"):
        members.append(_members(s.array("members"), s.at("members")))
    cites = exclusion_citations(rules)
    excluded = _excluded(pool_r.array("excluded"), cites)
    codes = [e.credit_code for e in excluded]
    unique = set(codes)
    if len(unique) != len(codes) or not all(unique.isdisjoint(c.codes) for c in members):
        repeated = [c for c, n in Counter(codes).items() if n > 1]
        twice = (
            repeated[0] if repeated else next(x for c in members for x in c.codes if x in unique)
        )
        raise InvalidInput(msg(
            "credit code %(code)r occurs twice among the candidates: merge the duplicate "
            "entries in the directory", code=twice,
        ))
    del codes, unique
    pool = stratify(
        members, excluded, task, sampling, rules, found_lines=found_lines, excluded_checked=True
    )

    result = draw(
        pool,
        top.text("seed"),
        rules=read_draw_rules(top.sub("draw_rules")),
        params=read_draw_params(top.sub("draw_parameters")),
        inspectors=[read_inspector(r) for r in top.subs("inspectors")],
        experts=[read_expert(r) for r in top.subs("experts_directory")],
        conflicts=read_conflicts(top.sub("announcement"), "conflicts") if v2 else (),
    )
    for r in top.subs("recusals"):
        stream_seed = step_seed(r, result.seed) if v2 else None
        pairs: list[tuple[str, str]] = []
        for j, pair in enumerate(r.array("conflicts")):
            if not (
                isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)
            ):
                raise BundleFormatError(f"{r.at('conflicts')}[{j}]",
                                        msg("expected [person, target]"))
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
            stream_seed=stream_seed,
        ).result
    return result


def _recompute(top: Reader, result: DrawResult, *, v2: bool = False) -> dict[str, Any]:
    """The bundle of ``result`` without its pool (compared separately, as lines). A v2
    bundle's announcement and seed inputs are carried over here and checked by
    :func:`~shuangsuiji.kernel.checks.check_v2`."""
    annotations = top.obj.get(ANNOTATIONS)
    if annotations is not None and not isinstance(annotations, dict):
        raise BundleFormatError(top.at(ANNOTATIONS), msg("expected an object"))
    units = top.obj.get(UNITS_KEY)  # checked by rule_checks; carried as it is
    if not v2:
        return _make_bundle(result, annotations, pool=False, units=units)
    return _make_bundle(
        result, annotations, pool=False, units=units,
        announcement=top.sub("announcement").obj,
        seed_inputs=top.sub("seed_inputs").obj,
        recusal_inputs=[{k: r.obj.get(k) for k in RECUSAL_V2_KEYS} for r in top.subs("recusals")],
    )


def result_from_bundle(bundle: dict[str, Any]) -> DrawResult:
    """The :class:`DrawResult` a bundle describes, recomputed from its inputs (its pool,
    seed, people and recusal steps). Raises :class:`BundleFormatError` on a malformed bundle."""
    with paused_gc():
        return _result_of(Reader(bundle, "bundle"), v2=bundle.get("format") == FORMAT_V2)


def recusal_rule_from_plain(obj: dict[str, Any]) -> RecusalRule:
    """A :class:`RecusalRule` from its plain form in a bundle's recusal step."""
    return read_recusal_rule(Reader(obj, "rule"))


def _members(rows: list[Any], path: str) -> Candidates:
    """Read ``[code, name, [flags]]`` rows as columns; type checks run in bulk, in C, when
    all is well, and row by row (naming the bad one) when not."""
    if _rows_of(rows, 3):
        codes = list(map(itemgetter(0), rows))
        names = list(map(itemgetter(1), rows))
        flags = list(map(itemgetter(2), rows))
        flagged = list(compress(range(len(flags)), flags))
        if (
            set(map(type, codes)) <= {str}
            and set(map(type, names)) <= {str}
            and set(map(type, flags)) <= {list}
            and all(type(x) is str for i in flagged for x in flags[i])
        ):
            return Candidates(codes, names, {i: frozenset(flags[i]) for i in flagged})
    targets = [_member(row, f"{path}[{i}]") for i, row in enumerate(rows)]
    return Candidates(
        [t[0] for t in targets],
        [t[1] for t in targets],
        {i: t[2] for i, t in enumerate(targets) if t[2]},
    )


def _found_lines(rows: list[list[Any]]) -> list[bytes]:
    """Digest lines of well-typed member rows, in the order found, flags as found."""
    flags = [",".join(f) if f else "" for f in map(itemgetter(2), rows)]
    text = "".join(
        map(
            "member\t{}\t{}\t{}\n".format, map(itemgetter(0), rows), map(itemgetter(1), rows), flags
        )
    )
    lines = text.encode("utf-8").split(b"\n")
    lines.pop()
    return lines


def _merge_found(cached: tuple[list[bytes], list[int]], rows: list[Any]) -> list[bytes]:
    plain, others = cached
    if not others:
        return plain
    out: list[bytes] = []
    taken = prev = 0
    for i in others:
        out.extend(plain[taken : taken + i - prev])
        taken += i - prev
        code, name, flags = rows[i]
        out.append(f"member\t{code}\t{name}\t{','.join(flags)}".encode())
        prev = i + 1
    out.extend(plain[taken:])
    return out


def _row_of(line: bytes) -> list[Any]:
    code, name, flags = line_target(line)
    return [code, name, sorted(flags)]


def _members_difference(
    lines: list[bytes] | Any,
    rows: list[Any],
    path: str,
    cached: tuple[list[bytes], list[int]] | None = None,
) -> tuple[Any, ...] | None:
    """First difference between the recomputed lines and the member rows found. ``cached``:
    the lines stratify made of the rows without flags, in their order, and the positions of
    the other rows (whose lines are made here, flags as found)."""
    found = _merge_found(cached, rows) if cached is not None else None
    if found is None or len(found) != len(rows):
        found = _found_lines(rows)
    if found == lines and len(found) == len(rows):
        return None
    n = min(len(lines), len(rows))
    i = next((i for i in range(n) if _row_of(lines[i]) != rows[i]), n)
    if i < n:
        sub = _first_difference(_row_of(lines[i]), rows[i], f"{path}[{i}]")
        return sub or (f"{path}[{i}]", _row_of(lines[i]), rows[i])
    return (
        f"{path}[{n}]",
        _row_of(lines[n]) if n < len(lines) else None,
        rows[n] if n < len(rows) else None,
        msg("list has %(found)s entries, expected %(expected)s", found=len(rows),
            expected=len(lines)),
    )


def _pool_difference(
    pool: FrozenPool,
    found: Any,
    found_lines: list[tuple[list[bytes], list[int]] | None] | None = None,
) -> tuple[Any, ...] | None:
    """First difference between the recomputed pool and the bundle's ``pool`` object."""
    if not isinstance(found, dict):
        return ("pool", None, found, msg("expected an object"))
    for key in ("strata", "excluded"):
        if key not in found:
            return (f"pool.{key}", None, None, msg("missing field"))
    strata = found["strata"]
    for k, s in enumerate(pool.strata):
        p = f"pool.strata[{k}]"
        if k >= len(strata):
            return (p, s.name, None, msg("list has %(found)s entries, expected %(expected)s",
                                         found=len(strata), expected=len(pool.strata)))
        f = strata[k]
        head = {"name": s.name, "ratio_permille": s.ratio_permille, "size": s.size}
        for key, value in head.items():
            if key not in f:
                return (f"{p}.{key}", value, None, msg("missing field"))
            sub = _first_difference(value, f[key], f"{p}.{key}")
            if sub is not None:
                return sub
        if "members" not in f:
            return (f"{p}.members", None, None, msg("missing field"))
        cached = found_lines[k] if found_lines and k < len(found_lines) else None
        sub = _members_difference(s.lines, f["members"], f"{p}.members", cached)
        if sub is not None:
            return sub
        for key in f:
            if key not in (*head, "members"):
                return (f"{p}.{key}", None, f[key], msg("field not part of the format"))
    if len(strata) > len(pool.strata):
        n = len(pool.strata)
        return (
            f"pool.strata[{n}]",
            None,
            strata[n],
            msg("list has %(found)s entries, expected %(expected)s", found=len(strata),
                expected=n),
        )
    excluded = [[e.credit_code, e.name, e.rule_code, e.trigger_task_id] for e in pool.excluded]
    sub = _first_difference(excluded, found["excluded"], "pool.excluded")
    if sub is not None:
        return sub
    for key in found:
        if key not in ("strata", "excluded"):
            return (f"pool.{key}", None, found[key], msg("field not part of the format"))
    return None


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
        raise BundleFormatError(path, msg("expected [credit code, name, [flags]]"))
    return Target(row[0], row[1], frozenset(row[2]))


def _first_difference(expected: Any, found: Any, path: str) -> tuple[Any, ...] | None:
    """First (path, expected, found) where the two JSON trees differ, in document order."""
    if type(expected) is type(found) and expected == found:
        return None
    if isinstance(expected, dict) and isinstance(found, dict):
        for key, value in expected.items():
            if key not in found:
                return (f"{path}.{key}", value, None, msg("missing field"))
            sub = _first_difference(value, found[key], f"{path}.{key}")
            if sub is not None:
                return sub
        for key in found:
            if key not in expected:
                return (f"{path}.{key}", None, found[key], msg("field not part of the format"))
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
                msg("list has %(found)s entries, expected %(expected)s", found=len(found),
                    expected=len(expected)),
            )
        return None
    return (path, expected, found)


def _summary(result: DrawResult) -> dict[str, Any]:
    pool = result.pool
    return {
        "task_id": pool.task.task_id,
        "pool_size": pool.size,
        "strata": len(pool.strata),
        "excluded": len(pool.excluded),
        "selected": sum(len(s.selected) for s in result.strata),
        "groups": len(result.groups),
        "experts": len(result.experts),
        "recusals": len(result.recusals),
        "pool_digest": pool.digest,
        "draw_digest": None,
    }
