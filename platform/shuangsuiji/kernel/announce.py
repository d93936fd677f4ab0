"""The draw announcement (抽取公告) and the seed procedures (docs/draw-spec.md §10–§12).

Before any randomness exists the platform publishes an *announcement*: the pool (its
digest and the Merkle root over its lines), the digests of the inspector and expert
directories as used, every draw parameter, the rules' digest, the declared conflicts of
interest and how the seed will be made. The draw is then refused if anything differs, and
a v2 bundle carries the announcement so that anyone can check the draw matches it.

Seeds no single party can choose: *commit–reveal* (each named party registers SHA-256 of a
secret; the seed hashes the reveals, :mod:`shuangsuiji.kernel.seeds`), a *drand beacon*
round named in advance, or both. The typed ceremony seed and the generated seed stay
available and are labelled weaker.
Pure: the announcement time and the beacon value are passed in.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from shuangsuiji.kernel import poolmerkle
from shuangsuiji.kernel.canonical import canonical_json
from shuangsuiji.kernel.codec import Reader, plain, read_pool_rules, read_sampling, read_task
from shuangsuiji.kernel.errors import InvalidInput
from shuangsuiji.kernel.exclusionlines import ExclusionLines, check_chunk
from shuangsuiji.kernel.model import (
    DrawParams,
    DrawRules,
    Expert,
    FrozenPool,
    Inspector,
    Participant,
    PoolRules,
    Sampling,
    Stratum,
    Task,
)
from shuangsuiji.kernel.people import canonical_experts, canonical_inspectors
from shuangsuiji.kernel.pool import (
    POOL_FORMAT,
    exclusion_citations,
)
from shuangsuiji.kernel.quotas import joint_object
from shuangsuiji.messages import msg

ANNOUNCEMENT_FORMAT = "shuangsuiji-announcement/1"
#: The format of a joint task's announcement: /1 with the participants (``joint``, §10).
JOINT_ANNOUNCEMENT_FORMAT = "shuangsuiji-announcement/2"
#: The format the platform announces in now (§10): the pool's Merkle leaves are blocks of
#: ``pool.block_lines`` lines (§10.2); ``joint`` is there exactly when the task is joint.
BLOCK_ANNOUNCEMENT_FORMAT = "shuangsuiji-announcement/3"
#: Every format a verifier reads.
ANNOUNCEMENT_FORMATS = (ANNOUNCEMENT_FORMAT, JOINT_ANNOUNCEMENT_FORMAT,
                        BLOCK_ANNOUNCEMENT_FORMAT)

#: Seed procedures, strongest first. ``ceremony`` (typed by the operator after the
#: announcement) and ``generated`` (chosen by the server) are weaker: one party picks them.
PROCEDURES = ("commit_reveal+beacon", "beacon", "commit_reveal", "ceremony", "generated")
WEAKER = ("ceremony", "generated")
#: Keys of the announcement object, in order.
ANNOUNCEMENT_KEYS = (
    "format",
    "task",
    "sampling",
    "pool",
    "inspectors_digest",
    "experts_digest",
    "draw_parameters",
    "rules",
    "seed_procedure",
    "conflicts",
    "announced_at",
    "replaces",
)
#: Keys of a joint task's announcement (``shuangsuiji-announcement/2``), in order.
JOINT_ANNOUNCEMENT_KEYS = (*ANNOUNCEMENT_KEYS[:7], "joint", *ANNOUNCEMENT_KEYS[7:])


# --- the pool's stored text (its lines and Merkle tree: kernel.poolmerkle) ---------------


def lines_of_text(data: bytes) -> list[bytes]:
    """The lines of a pool's stored text (§3.3 bytes), without their LF."""
    if not data.endswith(b"\n"):
        raise InvalidInput(msg("not a stored pool: the last line has no line feed"))
    return data[:-1].split(b"\n")


def frozen_pool_from_text(data: bytes) -> FrozenPool:
    """The frozen pool whose canonical lines (§3.3) are ``data``, as stored at the
    announcement: the draw uses it instead of freezing the pool a second time.

    The digest is SHA-256 of ``data``; the caller compares it with the announced one.
    """
    return frozen_pool_from_lines(lines_of_text(data), hashlib.sha256(data).hexdigest())


def frozen_pool_from_lines(lines: list[bytes], digest: str) -> FrozenPool:
    """:func:`frozen_pool_from_text` of the text whose lines (without LF) are ``lines`` and
    whose SHA-256 is ``digest`` (the caller took it from the same bytes).

    The excluded targets stay their lines (:class:`ExclusionLines`, in chunks of
    :data:`_EXCLUDED_CHUNK`): checked in C here, made into :class:`Exclusion` only where one
    is read (a draw reads only their number, or the same-quarter triggers).
    """
    if len(lines) < 2 or lines[0] != POOL_FORMAT.encode():
        raise InvalidInput(msg("not a stored pool (shuangsuiji-pool/1 lines)"))
    import json

    header = Reader(json.loads(lines[1]), "pool header")
    task = read_task(header.sub("task"))
    sampling = read_sampling(header.sub("sampling"))
    rules = read_pool_rules(header.sub("rules"))
    strata: list[Stratum] = []
    i, end = 2, len(lines)
    while i < end and lines[i].startswith(b"stratum\t"):
        _, name, ratio, size, count = lines[i].decode("utf-8").split("\t")
        n = int(count)
        strata.append(Stratum(name, int(ratio), int(size), lines[i + 1 : i + 1 + n]))
        i += 1 + n
    cites = exclusion_citations(rules)
    spans = [lines[k : k + _EXCLUDED_CHUNK] for k in range(i, end, _EXCLUDED_CHUNK)]
    chunks = tuple(b"\n".join(span) + b"\n" for span in spans)
    counts: Counter[str] = Counter()
    for chunk in chunks:
        counts.update(check_chunk(chunk, cites))
    excluded = ExclusionLines(chunks, [len(span) for span in spans], cites,
                              rule_counts=dict(counts))
    return FrozenPool(task, sampling, rules, tuple(strata), excluded, digest, chunks)


_EXCLUDED_CHUNK = 65536  # excluded lines per chunk: what one Exclusion read decodes


# --- digests of what the announcement fixes ---------------------------------------------


def sha256_json(value: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of ``value``."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


def inspectors_plain(inspectors: Iterable[Inspector]) -> list[Any]:
    """The inspector directory as a bundle's ``inspectors`` (canonical order)."""
    return list(plain(canonical_inspectors(inspectors)))


def experts_plain(experts: Iterable[Expert]) -> list[Any]:
    """The expert directory as a bundle's ``experts_directory`` (canonical order)."""
    return list(plain(canonical_experts(experts)))


def rules_digest(pool_rules: Any, draw_rules: Any) -> str:
    """SHA-256 of the canonical JSON of ``{"draw_rules": …, "pool_rules": …}`` (plain forms)."""
    return sha256_json({"draw_rules": draw_rules, "pool_rules": pool_rules})


def sorted_conflicts(conflicts: Iterable[Sequence[str]]) -> list[list[str]]:
    """Declared conflicts ``[person id, credit code]``, unique, sorted by UTF-8 bytes."""
    pairs = {(str(p), str(c)) for p, c in conflicts}
    return [list(pair) for pair in sorted(pairs)]


def seed_procedure(
    kind: str, parties: Sequence[str] = (), beacon: dict[str, Any] | None = None,
    beacon_round: int | None = None,
) -> dict[str, Any]:
    """The announcement's ``seed_procedure``: kind, named parties, beacon chain and round."""
    if kind not in PROCEDURES:
        raise InvalidInput(msg("seed procedure %(kind)r is unknown; use one of %(kinds)s",
                               kind=kind, kinds=", ".join(PROCEDURES)))
    uses_reveals = kind.startswith("commit_reveal")
    uses_beacon = kind.endswith("beacon")
    names = sorted({p.strip() for p in parties if p.strip()})
    if uses_reveals and len(names) < 2:
        raise InvalidInput(msg(
            "commit–reveal needs at least two named parties (the department and at least one "
            "outside witness); %(n)s named", n=len(names)))
    if not uses_reveals and names:
        raise InvalidInput(msg("parties are named only for commit–reveal"))
    chain: dict[str, Any] | None = None
    if uses_beacon:
        if beacon is None or beacon_round is None:
            raise InvalidInput(msg("a beacon procedure names the chain and its round"))
        chain = {k: beacon[k] for k in ("chain_hash", "public_key", "genesis_time", "period",
                                        "scheme")}
        chain["round"] = beacon_round
    return {"kind": kind, "parties": names, "beacon": chain}


def make_announcement(
    pool: FrozenPool,
    *,
    params: DrawParams,
    rules: DrawRules,
    inspectors: Iterable[Inspector],
    experts: Iterable[Expert],
    pack: str,
    version: str,
    procedure: dict[str, Any],
    conflicts: Iterable[Sequence[str]] = (),
    announced_at: str,
    replaces: str | None = None,
    root: tuple[str, int] | None = None,
    participants: Sequence[Participant] = (),
) -> dict[str, Any]:
    """The announcement object (§10). ``announced_at``: ``YYYY-MM-DDTHH:MM:SSZ`` (UTC).

    ``root`` (the pool's Merkle root, §10.2 in blocks, and line count) when already
    computed. The format is ``shuangsuiji-announcement/3``; with ``participants`` (a joint
    task, §6.5) it carries them as ``joint``: they fix the groups' quotas before any seed
    exists.
    """
    unix_time(announced_at)  # checked
    fields = announced_fields(
        pool.task, pool.sampling, pool.rules, params=params, rules=rules,
        inspectors=inspectors, experts=experts, pack=pack, version=version,
        participants=participants,
    )
    beacon = procedure.get("beacon")
    if beacon is not None:
        from shuangsuiji.kernel.beacon import round_time

        if round_time(beacon, int(beacon["round"])) <= unix_time(announced_at):
            raise InvalidInput(msg(
                "beacon round %(round)s was produced before the announcement: name a round "
                "whose time is after it (a later round)", round=beacon["round"]))
    tree_root, lines = root if root is not None else poolmerkle.pool_root(pool)
    out = {
        "format": BLOCK_ANNOUNCEMENT_FORMAT,
        "task": fields["task"],
        "sampling": fields["sampling"],
        "pool": {
            "digest": pool.digest,
            "merkle_root": tree_root,
            "block_lines": poolmerkle.BLOCK_LINES,
            "lines": lines,
            "size": pool.size,
            "excluded": len(pool.excluded),
        },
        "inspectors_digest": fields["inspectors_digest"],
        "experts_digest": fields["experts_digest"],
        "draw_parameters": fields["draw_parameters"],
        "rules": fields["rules"],
        "seed_procedure": procedure,
        "conflicts": sorted_conflicts(conflicts),
        "announced_at": announced_at,
        "replaces": replaces,
    }
    if not participants:
        return out
    out["joint"] = fields["joint"]
    return {key: out[key] for key in JOINT_ANNOUNCEMENT_KEYS}


def announcement_keys(announcement: dict[str, Any]) -> tuple[str, ...] | None:
    """The keys an announcement of its ``format`` has (None: a format not known); a /3
    announcement has ``joint`` when its task is joint."""
    fmt = str(announcement.get("format"))
    if fmt == BLOCK_ANNOUNCEMENT_FORMAT:
        return JOINT_ANNOUNCEMENT_KEYS if "joint" in announcement else ANNOUNCEMENT_KEYS
    return {ANNOUNCEMENT_FORMAT: ANNOUNCEMENT_KEYS,
            JOINT_ANNOUNCEMENT_FORMAT: JOINT_ANNOUNCEMENT_KEYS}.get(fmt)


def pool_keys(announcement: dict[str, Any]) -> tuple[str, ...]:
    """The keys of the announcement's ``pool`` object, by its format."""
    if announcement.get("format") in poolmerkle.LINE_LEAF_FORMATS:
        return ("digest", "merkle_root", "lines", "size", "excluded")
    return ("digest", "merkle_root", "block_lines", "lines", "size", "excluded")


def announced_fields(
    task: Task,
    sampling: Sampling,
    pool_rules: PoolRules,
    *,
    params: DrawParams,
    rules: DrawRules,
    inspectors: Iterable[Inspector],
    experts: Iterable[Expert],
    pack: str,
    version: str,
    participants: Sequence[Participant] = (),
) -> dict[str, Any]:
    """The announcement's fields that the platform recomputes at the draw (§10.1);
    ``joint`` is None for a task without participants (a /1 announcement has none)."""
    return {
        "task": plain(task),
        "sampling": plain(sampling),
        "inspectors_digest": sha256_json(inspectors_plain(inspectors)),
        "experts_digest": sha256_json(experts_plain(experts)),
        "draw_parameters": plain(params),
        "rules": {"pack": pack, "version": version,
                  "digest": rules_digest(plain(pool_rules), plain(rules))},
        "joint": joint_object(participants) if participants else None,
    }


def announcement_digest(announcement: dict[str, Any]) -> str:
    """SHA-256 (hex) of the announcement's canonical JSON."""
    return sha256_json(announcement)


def differences(announced: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """The fields of ``current`` that differ from ``announced`` (paths, document order);
    compared by the canonical JSON digest of each field. Fields ``current`` does not hold
    are not compared."""
    out: list[str] = []
    for key in JOINT_ANNOUNCEMENT_KEYS:
        if key not in current:
            continue
        a, c = announced.get(key), current.get(key)
        if sha256_json(a) == sha256_json(c):
            continue
        if isinstance(a, dict) and isinstance(c, dict):
            out += [f"{key}.{k}" for k in sorted(set(a) | set(c))
                    if sha256_json(a.get(k)) != sha256_json(c.get(k))]
        else:
            out.append(key)
    return out


def unix_time(stamp: str) -> int:
    """UNIX seconds of ``YYYY-MM-DDTHH:MM:SSZ``; anything else is refused."""
    try:
        when = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        raise InvalidInput(msg("time %(value)r is not YYYY-MM-DDTHH:MM:SSZ (UTC)",
                               value=str(stamp))) from None
    return int(when.timestamp())
