"""What the verifier checks beyond recomputing the draw (docs/draw-spec.md §13.2–§13.4).

* :func:`rule_checks` — what a bundle's own rules imply (every format): a special task
  excludes nobody; each exclusion's code is enabled by the policy; item codes are sorted
  and unique; the general ratio is within the category's cap; each built-in exclusion
  names its trigger.
* :func:`check_v2` — a ``shuangsuiji-draw/2`` bundle matches its announcement, its seed
  comes from the announced procedure (commitments, reveals, beacon round and signature),
  and each recusal step's fresh beacon round came after its declaration.

Each returns ``None`` or the first problem as ``(path, expected, found, problem)``.
"""

# whole-module: the verifier's checks beyond the recomputation, in the order
# docs/draw-spec.md §13.3 lists them; a verifier's author reads the two side by side, and
# the standalone verifier ships this file as it is.

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from shuangsuiji.kernel import announce, beacon, excludedrows, poolmerkle, seeds
from shuangsuiji.kernel.bundletext import known_block_root
from shuangsuiji.kernel.codec import BundleFormatError, Reader
from shuangsuiji.kernel.orgtree import units_check
from shuangsuiji.kernel.pool import ONCE_PER_YEAR, SAME_QUARTER
from shuangsuiji.messages import msg

Problem = tuple[str, Any, Any, str]
#: Beacon chains this verifier knows by their public key (a bundle cannot bring its own).
KNOWN_CHAINS = {beacon.QUICKNET["chain_hash"]: beacon.QUICKNET}
SEED_INPUT_KEYS = ("commitments", "reveals", "beacon")
BEACON_VALUE_KEYS = ("round", "signature", "randomness")


def _p(path: str, problem: str, expected: Any = None, found: Any = None) -> Problem:
    return (path, expected, found, problem)


def _utf8_sorted(values: Sequence[str]) -> bool:
    keys = [v.encode("utf-8") for v in values]
    return all(a < b for a, b in pairwise(keys))


def rule_checks(bundle: dict[str, Any]) -> Problem | None:
    """The first thing the bundle's rules forbid, or None. Malformed parts are left to the
    structural reading (which names them)."""
    task, pool, rules = bundle.get("task"), bundle.get("pool"), bundle.get("pool_rules")
    if not (isinstance(task, dict) and isinstance(pool, dict) and isinstance(rules, dict)):
        return None
    codes = task.get("item_codes")
    if isinstance(codes, list) and all(isinstance(c, str) for c in codes) and not _utf8_sorted(
        codes
    ):
        return _p("task.item_codes", msg("item codes must be sorted by UTF-8 bytes and unique"),
                  sorted(set(codes)), codes)
    excluded = pool.get("excluded")
    if not excludedrows.is_rows(excluded):  # a list, or a stream-read bundle's RawRows
        return None
    if task.get("special") is True and excluded:
        return _p("pool.excluded", msg("a special task (专项检查) excludes nobody, but %(n)s "
                                       "targets are excluded", n=len(excluded)), [], excluded[:1])
    policy = rules.get("exclusion_policy")
    extra = rules.get("extra_exclusions")
    if not (isinstance(policy, dict) and isinstance(extra, list)):
        return None
    coded = [r for r in extra if isinstance(r, dict) and isinstance(r.get("code"), str)]
    enabled = {r["code"] for r in coded}
    # §3.1: the built-in rules and recently_inspected name a trigger, a flag rule never does
    triggered = {ONCE_PER_YEAR, SAME_QUARTER} | {
        r["code"] for r in coded if r.get("kind") == "recently_inspected"}
    untriggered = {r["code"] for r in coded if r.get("kind") == "flag"} - triggered
    if policy.get("once_per_year") is True:
        enabled.add(ONCE_PER_YEAR)
    if policy.get("same_quarter_other_divisions") is True and task.get("joint") is not True:
        enabled.add(SAME_QUARTER)
    # checked in C a chunk at a time; a loop only runs to name the first problem
    problem = excludedrows.rule_problem(excluded, enabled, triggered, untriggered)
    if problem is False:
        return None  # malformed rows: the structural reading names them
    if problem:
        return problem  # type: ignore[return-value]
    return units_check(bundle) or _ratio_check(bundle, task)


def _ratio_check(bundle: dict[str, Any], task: dict[str, Any]) -> Problem | None:
    sampling, draw_rules = bundle.get("sampling"), bundle.get("draw_rules")
    if task.get("special") is True or not isinstance(sampling, dict):
        return None
    category = draw_rules.get("item_category") if isinstance(draw_rules, dict) else None
    if not isinstance(category, dict):
        return None
    cap, ratio = category.get("cap_permille"), sampling.get("ratio_permille")
    if isinstance(cap, int) and isinstance(ratio, int) and ratio > cap:
        return _p("sampling.ratio_permille", msg(
            "ratio %(ratio)s ‰ exceeds the cap of %(cap)s ‰ of item category %(code)s",
            ratio=ratio, cap=cap, code=category.get("code")), cap, ratio)
    return None


# --- v2: the announcement, the seed, the recusal steps ------------------------------------


def read_conflicts(r: Reader, key: str) -> list[tuple[str, str]]:
    """``[[person id, credit code]]``, sorted and unique, as pairs."""
    pairs: list[tuple[str, str]] = []
    for j, pair in enumerate(r.array(key)):
        if not (isinstance(pair, list) and len(pair) == 2
                and all(isinstance(x, str) for x in pair)):
            raise BundleFormatError(f"{r.at(key)}[{j}]", msg("expected [person, target]"))
        pairs.append((pair[0], pair[1]))
    if [list(p) for p in pairs] != announce.sorted_conflicts(pairs):
        raise BundleFormatError(r.at(key), msg("conflicts must be sorted and unique"))
    return pairs


def _declaration(r: Reader) -> dict[str, Any]:
    return {
        "person_id": r.text("person_id"),
        "target_id": r.text("target_id"),
        "mode": r.text("mode"),
        "reason": r.text("reason"),
        "declared_at": r.text("declared_at"),
    }


def step_seed(r: Reader, seed: str) -> str:
    """The stream key of a v2 recusal step read from its bundle entry (§12)."""
    value = r.sub("beacon")
    return seeds.recusal_seed(seed, r.integer("step"), _declaration(r),
                                 value.text("randomness"))


def _exact_keys(obj: dict[str, Any], keys: Sequence[str], path: str) -> None:
    for k in keys:
        if k not in obj:
            raise BundleFormatError(f"{path}.{k}", msg("missing field"))
    for k in obj:
        if k not in keys:
            raise BundleFormatError(f"{path}.{k}", msg("field not part of the format"))


def _chain(chain_hash: Any, path: str) -> dict[str, Any]:
    known = KNOWN_CHAINS.get(chain_hash) if isinstance(chain_hash, str) else None
    if known is None:
        raise BundleFormatError(path, msg(
            "beacon chain %(chain)r is not one this verifier knows (drand quicknet): its "
            "public key cannot be taken from the bundle itself", chain=chain_hash))
    return known


def _beacon_value(
    value: Reader, chain: dict[str, Any], round_no: int, after: int, notes: list[str],
    what: str,
) -> Problem | None:
    """Check a beacon round's value: its round, its randomness, its time after ``after``,
    and its BLS signature where a library exists (else a note says it was NOT checked)."""
    if value.integer("round") != round_no:
        return _p(value.at("round"), msg("not the beacon round announced"), round_no,
                  value.obj["round"])
    if beacon.round_time(chain, round_no) <= after:
        return _p(value.at("round"), msg(
            "beacon round %(round)s was produced before %(what)s: its value was already known",
            round=round_no, what=what))
    signature = value.text("signature")
    randomness = beacon.randomness_of(signature)
    if value.text("randomness") != randomness:
        return _p(value.at("randomness"), msg("the randomness is not SHA-256 of the signature"),
                  randomness, value.obj["randomness"])
    check = beacon.check_signature(chain, round_no, signature)
    if not check.checked:
        notes.append(msg("beacon round %(round)s: the BLS signature was NOT checked (no BLS "
                         "library here; install py-arkworks-bls12381, or check it with "
                         "`ssj verify`)", round=round_no))
    elif not check.valid:
        return _p(value.at("signature"), msg(
            "the beacon signature does not verify for round %(round)s under the chain's key",
            round=round_no))
    else:
        notes.append(msg("beacon round %(round)s: BLS signature checked (%(lib)s)",
                         round=round_no, lib=check.library))
    return None


def check_v2(bundle: dict[str, Any], result: Any, notes: list[str]) -> Problem | None:
    """The v2 checks; appends what the reader must know to ``notes``."""
    a_obj = bundle["announcement"]
    a = Reader(a_obj, "announcement")
    keys = announce.announcement_keys(a_obj) if isinstance(a_obj, dict) else None
    if keys is None:
        a.text("format")
        return _p("announcement.format", msg("unsupported announcement format"),
                  list(announce.ANNOUNCEMENT_FORMATS),
                  a_obj["format"])
    _exact_keys(a_obj, keys, "announcement")
    problem = _matches_announcement(bundle, a, result) or _matches_participants(
        bundle, a_obj, notes)
    if problem is not None:
        return problem
    problem = _check_seed(bundle, a, notes)
    if problem is not None:
        return problem
    announced_at = announce.unix_time(a.text("announced_at"))
    for r in Reader(bundle, "bundle").subs("recusals"):
        path = f"recusals[{r.integer('step') - 1}]"
        value = r.sub("beacon")
        _exact_keys(value.obj, ("chain_hash", *BEACON_VALUE_KEYS), f"{path}.beacon")
        declared = announce.unix_time(r.text("declared_at"))
        if declared < announced_at:
            return _p(f"{path}.declared_at", msg("declared before the announcement"))
        chain = _chain(value.obj["chain_hash"], f"{path}.beacon.chain_hash")
        problem = _beacon_value(value, chain, value.integer("round"), declared, notes,
                                msg("the recusal was declared"))
        if problem is not None:
            return (f"{path}.beacon.{problem[0].rsplit('.', 1)[-1]}", *problem[1:])
    return None


def _matches_announcement(bundle: dict[str, Any], a: Reader, result: Any) -> Problem | None:
    a_obj = a.obj
    for key in ("task", "sampling", "draw_parameters"):
        if announce.sha256_json(a_obj[key]) != announce.sha256_json(bundle[key]):
            return _p(f"announcement.{key}", msg("the draw's %(key)s differ from the "
                                                 "announcement", key=key),
                      a_obj[key], bundle[key])
    pool = a.sub("pool")
    fmt = a_obj["format"]
    _exact_keys(pool.obj, announce.pool_keys(a_obj), "announcement.pool")
    # (a /3 file's text, when it is the rebuilt pool's, gave its block root already)
    root, lines = (known_block_root(bundle, result.pool.digest, fmt)
                   or poolmerkle.pool_root(result.pool, fmt))
    expected = {"digest": result.pool.digest, "block_lines": poolmerkle.BLOCK_LINES,
                "merkle_root": root, "lines": lines, "size": result.pool.size,
                "excluded": len(result.pool.excluded)}
    for key, value in expected.items():
        if key not in pool.obj:
            continue  # (block_lines: /3 only; the keys were checked above)
        if pool.obj[key] != value or type(pool.obj[key]) is not type(value):
            return _p(f"announcement.pool.{key}", msg("the pool differs from the announced "
                                                      "pool"), value, pool.obj[key])
    digests = {
        "inspectors_digest": announce.sha256_json(bundle["inspectors"]),
        "experts_digest": announce.sha256_json(bundle["experts_directory"]),
    }
    for key, value in digests.items():
        if a_obj[key] != value:
            return _p(f"announcement.{key}", msg("the directory used differs from the "
                                                 "announced one"), value, a_obj[key])
    rules = a.sub("rules")
    _exact_keys(rules.obj, ("pack", "version", "digest"), "announcement.rules")
    rules.text("pack")
    rules.text("version")
    digest = announce.rules_digest(bundle["pool_rules"], bundle["draw_rules"])
    if rules.text("digest") != digest:
        return _p("announcement.rules.digest", msg("the rules used differ from the announced "
                                                   "rules"), digest, rules.obj["digest"])
    replaces = a_obj["replaces"]
    if replaces is not None and not (isinstance(replaces, str) and len(replaces) == 64):
        return _p("announcement.replaces", msg("expected the voided bundle's draw digest "
                                               "(64 hex digits) or null"), None, replaces)
    return None


def _matches_participants(bundle: dict[str, Any], a_obj: dict[str, Any],
                          notes: list[str]) -> Problem | None:
    """A joint task's participants (§6.5) as announced (§10): a /2 announcement's ``joint``
    equals the bundle's; a /1 announcement of a joint bundle did not fix them (a note)."""
    joint = bundle.get("joint")
    if "joint" not in a_obj:
        if joint is not None and a_obj["format"] == announce.BLOCK_ANNOUNCEMENT_FORMAT:
            return _p("announcement.joint", msg("missing field"))
        if joint is not None:
            notes.append(msg("joint task: the announcement (%(format)s) does not list the "
                             "participants, so nothing shows their items and quotas were "
                             "fixed before the seed", format=announce.ANNOUNCEMENT_FORMAT))
        return None
    if joint is None or announce.sha256_json(a_obj["joint"]) != announce.sha256_json(joint):
        return _p("announcement.joint", msg("the draw's participants (their units, items or "
                                            "quotas) differ from the announced ones"),
                  a_obj["joint"], joint)
    return None


def _check_seed(bundle: dict[str, Any], a: Reader, notes: list[str]) -> Problem | None:
    proc = a.sub("seed_procedure")
    _exact_keys(proc.obj, ("kind", "parties", "beacon"), "announcement.seed_procedure")
    kind = proc.text("kind")
    if kind not in announce.PROCEDURES:
        return _p(proc.at("kind"), msg("unknown seed procedure"), announce.PROCEDURES, kind)
    inputs = Reader(bundle["seed_inputs"], "seed_inputs")
    _exact_keys(inputs.obj, SEED_INPUT_KEYS, "seed_inputs")
    parties = list(proc.strs("parties"))
    commitments = [_pair(x, f"seed_inputs.commitments[{i}]")
                   for i, x in enumerate(inputs.array("commitments"))]
    reveals = [_pair(x, f"seed_inputs.reveals[{i}]")
               for i, x in enumerate(inputs.array("reveals"))]
    if kind in announce.WEAKER:
        if commitments or reveals or inputs.obj["beacon"] is not None or parties \
                or proc.obj["beacon"] is not None:
            return _p("seed_inputs", msg("a %(kind)s seed has no commitments, reveals or "
                                         "beacon", kind=kind))
        notes.append(msg("seed procedure %(kind)s: WEAKER — the seed was chosen by one party "
                         "after the announcement; it cannot be checked", kind=kind))
        return None
    uses_reveals, uses_beacon = kind.startswith("commit_reveal"), kind.endswith("beacon")
    announced_at = announce.unix_time(a.text("announced_at"))
    problem = _check_reveals(parties, commitments, reveals, uses_reveals, uses_beacon)
    if problem is not None:
        return problem
    randomness: str | None = None
    if uses_beacon:
        chain_r = proc.sub("beacon")
        _exact_keys(chain_r.obj, (*beacon.CHAIN_KEYS, "round"), "announcement.seed_procedure"
                    ".beacon")
        known = _chain(chain_r.obj["chain_hash"], "announcement.seed_procedure.beacon.chain_hash")
        for key in beacon.CHAIN_KEYS:
            if chain_r.obj[key] != known[key]:
                return _p(f"announcement.seed_procedure.beacon.{key}",
                          msg("not the known chain's value"), known[key], chain_r.obj[key])
        value = inputs.sub("beacon")
        _exact_keys(value.obj, BEACON_VALUE_KEYS, "seed_inputs.beacon")
        problem = _beacon_value(value, known, chain_r.integer("round"), announced_at, notes,
                                msg("the announcement"))
        if problem is not None:
            return problem
        randomness = value.text("randomness")
    elif inputs.obj["beacon"] is not None:
        return _p("seed_inputs.beacon", msg("the announcement named no beacon"))
    seed = seeds.derive_seed(announce.announcement_digest(a.obj), commitments, reveals,
                                randomness)
    if bundle["seed"] != seed:
        return _p("seed", msg("the seed is not the one derived from the announced procedure's "
                              "inputs"), seed, bundle["seed"])
    missing = sorted(set(parties) - {p for p, _ in reveals})
    notes.append(msg("seed procedure %(kind)s: the seed is derived from inputs no single party "
                     "controlled (checked)%(missing)s", kind=kind,
                     missing=msg("; did not reveal: %(who)s", who=", ".join(missing))
                     if missing else ""))
    return None


def _pair(value: Any, path: str) -> tuple[str, str]:
    if not (isinstance(value, list) and len(value) == 2
            and all(isinstance(x, str) for x in value)):
        raise BundleFormatError(path, msg("expected [party, value]"))
    return value[0], value[1]


def _check_reveals(
    parties: list[str], commitments: list[tuple[str, str]], reveals: list[tuple[str, str]],
    uses_reveals: bool, uses_beacon: bool,
) -> Problem | None:
    if not uses_reveals:
        if commitments or reveals or parties:
            return _p("seed_inputs", msg("a beacon seed has no commitments or reveals"))
        return None
    if not _utf8_sorted(parties) or len(parties) < 2:
        return _p("announcement.seed_procedure.parties",
                  msg("at least two parties, sorted and unique"))
    for key, rows in (("commitments", commitments), ("reveals", reveals)):
        names = [p for p, _ in rows]
        if not _utf8_sorted(names):
            return _p(f"seed_inputs.{key}", msg("sorted by party and one per party"))
        for i, name in enumerate(names):
            if name not in parties:
                return _p(f"seed_inputs.{key}[{i}][0]", msg("party %(party)r is not named in "
                                                           "the announcement", party=name))
    committed = dict(commitments)
    for i, (party, secret) in enumerate(reveals):
        if party not in committed:
            return _p(f"seed_inputs.reveals[{i}]", msg("party %(party)r revealed without a "
                                                       "commitment", party=party))
        if seeds.commitment(secret) != committed[party]:
            return _p(f"seed_inputs.reveals[{i}][1]", msg(
                "the reveal of %(party)r does not match its commitment", party=party),
                committed[party], seeds.commitment(secret))
    missing = sorted(set(parties) - {p for p, _ in reveals})
    if missing and not uses_beacon:
        return _p("seed_inputs.reveals", msg(
            "%(who)s did not reveal and the announcement named no beacon: such a draw must "
            "wait for every reveal", who=", ".join(missing)))
    if not reveals and uses_beacon:
        return None
    return None


# --- v2: the announcement in the transparency log (optional) ------------------------------

LOG_KEYS = ("event", "payload", "checkpoint", "inclusion")


def check_log(bundle: dict[str, Any], notes: list[str]) -> Problem | None:
    """The bundle's ``log``: the ``draw.announce`` event carrying the announcement's digest,
    its leaf included in the checkpoint's tree (§13.5). The checkpoint's signature needs the
    log's public key (the portal's); a note says it is left to that check."""
    import hashlib

    from shuangsuiji.kernel import logtree, merkle, note
    from shuangsuiji.kernel.canonical import canonical_json

    log = Reader(bundle["log"], "log")
    _exact_keys(log.obj, LOG_KEYS, "log")
    event = log.sub("event")
    payload = log.sub("payload")
    if event.text("action") != "draw.announce":
        return _p("log.event.action", msg("not the announcement's event"), "draw.announce",
                  event.obj["action"])
    digest = hashlib.sha256(canonical_json(payload.obj)).hexdigest()
    if event.text("payload_digest") != digest:
        return _p("log.payload", msg("the payload does not match the event's payload digest"),
                  event.obj["payload_digest"], digest)
    if payload.text("digest") != announce.announcement_digest(bundle["announcement"]):
        return _p("log.payload.digest", msg("the logged announcement is not this bundle's"),
                  announce.announcement_digest(bundle["announcement"]), payload.obj["digest"])
    try:
        leaf = logtree.event_leaf(event.obj)
        cp = note.parse_checkpoint(note.parse(log.text("checkpoint")).text)
        proof = [bytes.fromhex(h) for h in log.strs("inclusion")]
    except (ValueError, TypeError) as e:
        return _p("log", msg("the log proof cannot be read: %(error)s", error=str(e)))
    index = event.integer("seq") - 1
    if not merkle.verify_inclusion(index, cp.size, merkle.leaf_hash(leaf), proof, cp.root):
        return _p("log.inclusion", msg("the announcement's event is not in the checkpoint's "
                                       "tree"))
    notes.append(msg(
        "the announcement is event %(seq)s of log %(origin)s (logged %(at)s), included in its "
        "checkpoint of %(size)s events (checked); check that checkpoint's signature and its "
        "consistency with one you saved, on the portal or with `ssj log`",
        seq=index + 1, origin=cp.origin, at=event.text("at"), size=cp.size))
    return None
