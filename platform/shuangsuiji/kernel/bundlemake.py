"""Making the draw bundle (``shuangsuiji-draw/1`` and ``/2``) and its draw digest."""

from __future__ import annotations

import hashlib
from operator import methodcaller
from typing import Any

from shuangsuiji.kernel.canonical import canonical_json
from shuangsuiji.kernel.codec import (
    plain,
)
from shuangsuiji.kernel.errors import InvalidInput
from shuangsuiji.kernel.gcpause import paused_gc
from shuangsuiji.kernel.model import (
    DrawResult,
    FrozenPool,
    Group,
)
from shuangsuiji.kernel.orgtree import UNITS_KEY
from shuangsuiji.kernel.quotas import JOINT_KEY, joint_object
from shuangsuiji.messages import msg

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
    if result.participants:
        bundle[JOINT_KEY] = joint_object(result.participants)
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


