"""Verifying a draw bundle: its pool, draw and recusal steps recomputed from the bundle alone,
and the first field that differs reported."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from shuangsuiji.kernel.bundlecompare import (
    _first_difference,
    _pool_difference,
)
from shuangsuiji.kernel.bundlemake import (
    ANNOTATIONS,
    FORMAT_V2,
    FORMATS,
    KEYS,
    KEYS_V2,
    LOG,
    RECUSAL_V2_KEYS,
    _make_bundle,
    draw_digest,
)
from shuangsuiji.kernel.bundlerows import (
    FoundExcluded,
    _by_stratum,
    _member_rows,
    _twice,
    chunk_codes,
    chunk_size,
    member_chunks,
)
from shuangsuiji.kernel.bundletext import TEXT_FORMAT, TextBundle, first_different_line
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
from shuangsuiji.kernel.excludedrows import exclusion_lines, read_excluded
from shuangsuiji.kernel.excludedtext import ExcludedText
from shuangsuiji.kernel.exclusionlines import ExclusionLines
from shuangsuiji.kernel.gcpause import paused_gc
from shuangsuiji.kernel.jointread import joint_difference, read_joint
from shuangsuiji.kernel.memberlines import CandidateLines
from shuangsuiji.kernel.model import (
    Candidates,
    DrawResult,
    Exclusion,
    line_code,
)
from shuangsuiji.kernel.orgtree import UNITS_KEY
from shuangsuiji.kernel.pool import exclusion_citations, stratify
from shuangsuiji.kernel.pooltext import frozen_pool_text
from shuangsuiji.kernel.quotas import JOINT_KEY
from shuangsuiji.kernel.recusal import apply_recusal
from shuangsuiji.kernel.strictjson import RawRows, StreamedBundle
from shuangsuiji.messages import Message, msg, reason
from shuangsuiji.rules import RecusalRule


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
    if isinstance(bundle, TextBundle) and bundle.text_digest != result.pool.digest:
        # the lines describe the pool, but are not its canonical text (§16)
        with paused_gc():
            where = first_different_line(bundle.found, frozen_pool_text(result.pool))
        n, want, got = where if where is not None else (0, None, None)
        return _fail(f"pool line {n}", want, got, msg(
            "the pool's lines are not the canonical text of the pool they describe "
            "(expected %(expected)s, found %(found)s)", expected=_short(want),
            found=_short(got)))
    joint = joint_difference(result.participants, bundle)
    if joint is not None:
        return _fail(joint[0], joint[1], joint[2],
                     msg("the participants are not in canonical form"))
    optional = {ANNOTATIONS, UNITS_KEY, JOINT_KEY} | ({LOG} if v2 else set())
    extra = sorted(set(bundle) - set(keys) - optional)
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
    if isinstance(bundle, TextBundle):
        summary["file"] = TEXT_FORMAT
        notes.append(msg(
            "read as a text file (%(file)s): from its third line on it is the pool's canonical "
            "text, whose SHA-256 is the pool digest (tail -n +3 FILE | sha256sum)",
            file=TEXT_FORMAT))
    return VerifyReport(ok=True, summary=summary, notes=tuple(notes))


def _result_of(
    top: Reader, found_lines: list[Any] | None = None, *, v2: bool = False
) -> DrawResult:
    task = read_task(top.sub("task"))
    sampling = read_sampling(top.sub("sampling"))
    rules = read_pool_rules(top.sub("pool_rules"))
    pool_r = top.sub("pool")
    strata = pool_r.subs("strata")
    rows_of = [_member_rows(s) for s in strata]
    cites = exclusion_citations(rules)
    found_excluded = pool_r.obj.get("excluded")
    excluded: Sequence[Exclusion]
    unique: set[str] | None = None
    if isinstance(found_excluded, FoundExcluded):
        excluded = found_excluded.excluded
        if not isinstance(excluded, ExclusionLines):
            excluded = list(excluded)
    else:
        rows = (found_excluded if isinstance(found_excluded, RawRows | ExcludedText)
                else pool_r.array("excluded"))
        # as their digest lines when they are canonical already (the usual case)
        as_lines = exclusion_lines(rows, cites)
        if as_lines is not None:
            excluded, unique = as_lines
        else:
            excluded = read_excluded(rows, cites)
        del rows
        if isinstance(top.obj, StreamedBundle) and found_lines is not None:
            pool_r.obj["excluded"] = FoundExcluded(excluded)  # the rows' text let go
    del found_excluded  # (with the bundle's reference, the last one)
    if unique is None:
        codes = [e.credit_code for e in excluded]
        unique = set(codes)
        if len(unique) != len(codes):
            _twice(next(c for c, n in Counter(codes).items() if n > 1))
        del codes
    # a /3 file's text with canonical fields: whether a member is an excluded target too is
    # answered by its text's facts (found beside, asked after the pool is rebuilt)
    text = top.obj if isinstance(top.obj, TextBundle) else None
    later = text is not None and text.canonical
    layout: list[tuple[int, int]] = []  # (stratum, rows) of each chunk, in order
    encoded: list[set[bytes]] = []

    def unique_bytes() -> set[bytes]:  # the excluded codes, UTF-8 (for the lines' codes)
        if not encoded:
            encoded.append(set(map(str.encode, unique)))
        return encoded[0]

    def chunks() -> Iterator[Candidates | CandidateLines]:
        # a chunk at a time (a stream-read stratum's chunks as read): no stratum's rows
        # exist as columns all at once
        for k, (s, rows) in enumerate(zip(strata, rows_of, strict=True)):
            for j, (_, c, _) in enumerate(member_chunks(rows, s.at("members"))):
                if later:
                    pass
                elif isinstance(c, CandidateLines):
                    if unique and not unique_bytes().isdisjoint(chunk_codes(c)):
                        _twice(next(x.decode() for x in chunk_codes(c)
                                    if x in unique_bytes()))
                elif not unique.isdisjoint(c.codes):
                    _twice(next(x for x in c.codes if x in unique))
                layout.append((k, chunk_size(c)))
                yield c
                # the builder kept this chunk's lines: its text can go (rows come back
                # from the lines, the flagged ones kept as they are)
                entry = entries[-1] if entries else None
                if isinstance(rows, RawRows) and entry is not None:
                    rows.forget(j, entry[0], entry[1])

    entries: list[Any] | None = [] if found_lines is not None else None
    pool = stratify(
        chunks(), excluded, task, sampling, rules, found_lines=entries, excluded_checked=True
    )
    if found_lines is not None and entries is not None:
        found_lines.extend(_by_stratum(entries, layout, len(strata)))
    if text is not None and later and unique and not text.facts.distinct:
        for s in pool.strata:  # (a code twice in the text: is it a member and excluded?)
            twice = next((c for c in map(line_code, s.lines) if c in unique_bytes()), None)
            if twice is not None:
                _twice(twice.decode())

    result = draw(
        pool,
        top.text("seed"),
        rules=read_draw_rules(top.sub("draw_rules")),
        params=read_draw_params(top.sub("draw_parameters")),
        inspectors=[read_inspector(r) for r in top.subs("inspectors")],
        experts=[read_expert(r) for r in top.subs("experts_directory")],
        conflicts=read_conflicts(top.sub("announcement"), "conflicts") if v2 else (),
        participants=read_joint(top),
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

