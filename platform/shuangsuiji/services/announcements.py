"""The draw ceremony before the draw: announce → commit → reveal (→ beacon) → draw.

The announcement (docs/draw-spec.md §10) freezes the pool once and stores its lines,
fixes the directories, parameters, rules, declared conflicts and the seed procedure, and
is logged as the audit event ``draw.announce`` — so it is a leaf of the tenant's
transparency log before any randomness exists. Parties then register commitments and
reveal their secrets (§11.1); the draw (:func:`draw_announced`) recomputes everything but
the pool, refuses it naming each field that differs, derives the seed and commits a
``shuangsuiji-draw/2`` bundle.
"""

# whole-module: the ceremony's steps in their order (announce, commit, reveal, draw), each
# checking what the step before fixed; the pieces of the draw it ends in are in
# services/draws/.

from __future__ import annotations

import hashlib
import json
import secrets
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shuangsuiji import kernel
from shuangsuiji.errors import Conflict, NotFound, UserError
from shuangsuiji.kernel import announce as fixing
from shuangsuiji.kernel import beacon, poolmerkle, seeds
from shuangsuiji.kernel.errors import KernelError
from shuangsuiji.messages import msg
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.models.draws import Draw, DrawAnnouncement, DrawVoid, SeedCommitment
from shuangsuiji.models.plans import Task
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.platform import Platform
from shuangsuiji.services import audit, blobs, bundlefiles, joint, joint_sources
from shuangsuiji.services.draws import committing, preparing, reading, storage

#: drand relays asked for a round's value (any one answering is enough: the value is
#: checked against the chain's key, not trusted because of where it came from)
RELAYS = ("https://api.drand.sh", "https://drand.cloudflare.com", "https://api2.drand.sh")
#: Draw.seed_source of each procedure (the column holds 16 characters).
SEED_SOURCES = {
    "commit_reveal+beacon": "reveal+beacon",
    "beacon": "beacon",
    "commit_reveal": "reveal",
    "ceremony": "ceremony",
    "generated": "generated",
}
Fetch = Callable[[str], bytes]


def utc_stamp(when: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` of an aware or naive-UTC datetime."""
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).replace(microsecond=0)


def open_announcement(session: Session, task: Task) -> DrawAnnouncement | None:
    """The task's announcement not yet used by a draw, if any."""
    return session.scalar(
        select(DrawAnnouncement).where(DrawAnnouncement.task_id == task.id,
                                       DrawAnnouncement.draw_id.is_(None),
                                       DrawAnnouncement.superseded.is_(False))
        .order_by(DrawAnnouncement.number.desc()).limit(1)
    )


def announcements_of(session: Session, task: Task) -> list[DrawAnnouncement]:
    """Every announcement of a task, oldest first (used, open and superseded)."""
    return list(session.scalars(select(DrawAnnouncement).where(
        DrawAnnouncement.task_id == task.id).order_by(DrawAnnouncement.number)))


def _voided_digest(session: Session, task: Task) -> str | None:
    """The draw digest of the task's last draw if it was voided (the redraw replaces it)."""
    last = session.scalar(select(Draw).where(Draw.task_id == task.id)
                          .order_by(Draw.attempt.desc()).limit(1))
    if last is None:
        return None
    voided = session.scalar(select(DrawVoid.id).where(DrawVoid.draw_id == last.id))
    return last.bundle_digest if voided is not None else None


def _may_supersede(ann: DrawAnnouncement, now: datetime) -> bool:
    """An open announcement may be replaced only while nothing random about it exists: no
    secret revealed and its beacon round not yet produced."""
    if any(c.secret is not None for c in ann.commitments):
        return False
    chain = ann.announcement["seed_procedure"]["beacon"]
    return chain is None or beacon.round_time(chain, int(chain["round"])) > now.timestamp()


def announce(
    session: Session,
    platform: Platform,
    tenant: Tenant,
    task_ref: int | str,
    *,
    procedure: str,
    parties: Sequence[str] = (),
    beacon_round: int | None = None,
    beacon_after_minutes: int | None = None,
    conflicts: Sequence[tuple[str, str]] = (),
    now: datetime | None = None,
) -> DrawAnnouncement:
    """Announce a task's draw: freeze and store the pool, fix everything else; log it."""
    when = _now(now)
    task = preparing.find_task(session, task_ref)
    committing.previous_attempt(session, task)  # refused while a draw is live
    current = open_announcement(session, task)
    if current is not None and not _may_supersede(current, when):
        raise Conflict(
            msg("task %(task)s has announcement #%(n)s whose seed inputs are already public",
                task=task.code, n=current.number),
            hint=msg("draw it (then void with a reason, in the open, if it must be redone)"))
    uses_beacon = procedure.endswith("beacon")
    round_no: int | None = None
    if uses_beacon:
        if (beacon_round is None) == (beacon_after_minutes is None):
            raise UserError(msg("a beacon procedure names its round: give --beacon-round N or "
                                "--beacon-after-minutes M"), where="beacon")
        round_no = beacon_round if beacon_round is not None else beacon.first_round_after(
            beacon.QUICKNET, int(when.timestamp()) + 60 * int(beacon_after_minutes or 0))
    elif beacon_round is not None or beacon_after_minutes is not None:
        raise UserError(msg("procedure %(kind)s uses no beacon", kind=procedure),
                        where="beacon")
    try:
        proc = fixing.seed_procedure(procedure, parties,
                                       beacon.QUICKNET if uses_beacon else None, round_no)
    except KernelError as e:
        raise UserError(str(e), where="seed procedure") from None
    prepared = preparing.prepare(session, platform, tenant, task.id)
    # the public bundle's pool (JSON, compressed) is fixed with the pool: made now, on a
    # second thread (zlib releases the GIL), so that the draw only copies it
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ssj-announced-pool") as maker:
        public_pool = committing.handed_over(maker, bundlefiles.compress_pool, prepared.pool)
        return _announce(session, tenant, task, prepared, proc, procedure, round_no,
                         conflicts, when, current, public_pool)


def _announce(
    session: Session, tenant: Tenant, task: Task, prepared: preparing.Prepared,
    proc: dict[str, Any], procedure: str, round_no: int | None,
    conflicts: Sequence[tuple[str, str]], when: datetime, current: DrawAnnouncement | None,
    public_pool: Callable[[], list[bytes]],
) -> DrawAnnouncement:
    inspectors = joint_sources.inspectors(session, task, reading.load_inspectors(session))
    experts = reading.load_experts(session)
    try:
        announcement = fixing.make_announcement(
            prepared.pool, params=prepared.params, rules=prepared.draw_rules,
            inspectors=inspectors, experts=experts, pack=prepared.rules.governing[0],
            version=prepared.rules.governing[1], procedure=proc,
            conflicts=[(kernel.canonical_text(p), kernel.canonical_text(c))
                       for p, c in conflicts],
            announced_at=utc_stamp(when), replaces=_voided_digest(session, task),
            root=poolmerkle.pool_root(prepared.pool),  # over the pool's own lines: no copy
            participants=joint.kernel_participants(session, task),  # 联合抽查: fixed here
        )
    except KernelError as e:
        raise UserError(str(e), where="announcement") from None
    digest = fixing.announcement_digest(announcement)
    number = (session.scalar(select(func.max(DrawAnnouncement.number))
                             .where(DrawAnnouncement.task_id == task.id)) or 0) + 1
    row = DrawAnnouncement(
        task_id=task.id, number=number, digest=digest, procedure=procedure,
        announcement=announcement, pool_format=storage.POOL_STORAGE,
        pool=b"", actor=session.info.get(audit.ACTOR_KEY, "system"),
        announced_at=when.replace(tzinfo=None),
    )
    if current is not None:
        # superseded before anything random existed: it stays listed, marked by the event
        audit.record(session, tenant_id=tenant.id, action="draw.announce_superseded",
                     object_type="announcement", object_id=current.id,
                     payload={"task": task.code, "number": current.number,
                              "digest": current.digest})
        current.superseded = True
    session.add(row)
    # compressed as the pool's text is made, a chunk at a time (never one 70 MiB bytes)
    row.pool, rest = blobs.head_and_rest(storage.pack_pool(prepared.pool))  # MariaDB: pieces
    session.flush()
    blobs.write(session, blobs.ANNOUNCEMENT_POOL, row.id, rest, first_seq=1)
    stored = _store_public_pool(session, row, public_pool())
    audit.record(session, tenant_id=tenant.id, action="draw.announce",
                 object_type="announcement", object_id=row.id,
                 payload={"task": task.code, "number": number, "digest": digest, **stored,
                          "pool_digest": announcement["pool"]["digest"],
                          "merkle_root": announcement["pool"]["merkle_root"],
                          "procedure": procedure, "parties": proc["parties"],
                          "beacon_round": round_no, "conflicts": announcement["conflicts"],
                          "announced_at": announcement["announced_at"],
                          "replaces": announcement["replaces"],
                          **({"participants": announcement["joint"]["participants"]}
                             if "joint" in announcement else {})})
    return row


def _open(session: Session, task_ref: int | str) -> tuple[Task, DrawAnnouncement]:
    task = preparing.find_task(session, task_ref)
    row = open_announcement(session, task)
    if row is None:
        raise NotFound(msg("task %(task)s has no open announcement", task=task.code),
                       hint=msg("announce the draw first: `ssj draw announce`"))
    return task, row


def commit(session: Session, tenant: Tenant, task_ref: int | str, party: str,
           commitment: str) -> SeedCommitment:
    """Register ``party``'s commitment (SHA-256 of its secret, computed by the party)."""
    task, row = _open(session, task_ref)
    party = party.strip()
    if party not in row.announcement["seed_procedure"]["parties"]:
        raise UserError(msg("%(party)r is not a party named in announcement #%(n)s",
                            party=party, n=row.number),
                        hint=msg("named: %(names)s", names=", ".join(
                            row.announcement["seed_procedure"]["parties"]) or "—"))
    try:
        value = seeds.check_commitment(commitment)
    except KernelError as e:
        raise UserError(str(e), where="commitment") from None
    if any(c.party == party for c in row.commitments):
        raise Conflict(msg("%(party)r has already committed", party=party))
    if any(c.secret is not None for c in row.commitments):
        raise Conflict(msg("reveals have begun: no commitment is accepted now"))
    entry = SeedCommitment(announcement_id=row.id, party=party, commitment=value)
    session.add(entry)
    session.flush()
    audit.record(session, tenant_id=tenant.id, action="draw.seed_commit",
                 object_type="announcement", object_id=row.id,
                 payload={"task": task.code, "party": party, "commitment": value})
    return entry


def reveal(session: Session, tenant: Tenant, task_ref: int | str, party: str, secret: str,
           *, now: datetime | None = None) -> SeedCommitment:
    """Record ``party``'s secret; refused (nothing written) unless it matches the commitment,
    every party has committed, and (with a beacon) the beacon round is still ahead."""
    when = _now(now)
    task, row = _open(session, task_ref)
    parties = row.announcement["seed_procedure"]["parties"]
    entry = next((c for c in row.commitments if c.party == party.strip()), None)
    if entry is None:
        raise UserError(msg("%(party)r has no commitment in announcement #%(n)s",
                            party=party, n=row.number))
    missing = sorted(set(parties) - {c.party for c in row.commitments})
    if missing:
        raise Conflict(msg("reveals start once every party has committed; waiting for %(who)s",
                           who=", ".join(missing)))
    if entry.secret is not None:
        raise Conflict(msg("%(party)r has already revealed", party=entry.party))
    chain = row.announcement["seed_procedure"]["beacon"]
    if chain is not None and beacon.round_time(chain, int(chain["round"])) <= when.timestamp():
        raise Conflict(msg("beacon round %(round)s is out: reveals are closed (the draw "
                           "proceeds with the reveals given)", round=chain["round"]))
    if seeds.commitment(secret) != entry.commitment:
        raise UserError(msg("the secret of %(party)r does not match its commitment %(c)s…",
                            party=entry.party, c=entry.commitment[:16]),
                        hint=msg("reveal exactly the text whose SHA-256 was registered"))
    entry.secret = secret
    entry.revealed_at = when.replace(tzinfo=None)
    session.flush()
    audit.record(session, tenant_id=tenant.id, action="draw.seed_reveal",
                 object_type="announcement", object_id=row.id,
                 payload={"task": task.code, "party": entry.party, "secret": secret})
    return entry


def fetch_http(url: str) -> bytes:
    """GET ``url`` (a drand relay), with a short timeout."""
    with urllib.request.urlopen(url, timeout=10) as response:
        data: bytes = response.read()
        return data


def beacon_value(chain: dict[str, Any], round_no: int, *, signature: str | None,
                 fetch: Fetch | None, now: datetime) -> dict[str, Any]:
    """The round's ``{"round", "signature", "randomness"}``, its signature checked.

    ``signature`` pasted (offline deployments) or fetched from the relays with ``fetch``.
    """
    due = beacon.round_time(chain, round_no)
    if due > now.timestamp():
        raise Conflict(msg("beacon round %(round)s is produced at %(at)s UTC; wait until then",
                           round=round_no, at=utc_stamp(datetime.fromtimestamp(due, UTC))))
    if signature is None:
        signature = _fetch_signature(chain, round_no, fetch or fetch_http)
    signature = signature.strip().lower()
    try:
        check = beacon.check_signature(chain, round_no, signature)
    except KernelError as e:
        raise UserError(str(e), where="beacon signature") from None
    if not check.checked:
        raise UserError(msg("no BLS library is installed, so the beacon signature cannot be "
                            "checked"), hint=msg("install py-arkworks-bls12381"))
    if not check.valid:
        raise UserError(msg("the beacon signature does not verify for round %(round)s of "
                            "quicknet", round=round_no),
                        where="beacon signature",
                        hint=msg("paste the signature of exactly this round"))
    return {"round": round_no, "signature": signature,
            "randomness": beacon.randomness_of(signature)}


def _fetch_signature(chain: dict[str, Any], round_no: int, fetch: Fetch) -> str:
    problems: list[str] = []
    for relay in RELAYS:
        url = f"{relay}/{chain['chain_hash']}/public/{round_no}"
        try:
            body = json.loads(fetch(url))
            if int(body["round"]) == round_no:
                return str(body["signature"])
            problems.append(f"{relay}: round {body['round']}")
        except (OSError, ValueError, KeyError, TypeError) as e:
            problems.append(f"{relay}: {e}")
    raise UserError(msg("beacon round %(round)s could not be fetched (%(why)s)", round=round_no,
                        why="; ".join(problems)[:300]),
                    hint=msg("paste its signature with --beacon-signature (from any drand "
                             "relay or `drand get`)"))


def seed_of(row: DrawAnnouncement, *, typed: str | None, beacon_signature: str | None,
            fetch: Fetch | None, now: datetime) -> tuple[str, dict[str, Any], str]:
    """The seed of an announced draw, its ``seed_inputs`` and its ``seed_source``."""
    proc = row.announcement["seed_procedure"]
    kind = proc["kind"]
    empty: dict[str, Any] = {"commitments": [], "reveals": [], "beacon": None}
    if kind == "ceremony":
        if not typed:
            raise UserError(msg("the announced procedure is a typed ceremony seed: type it"),
                            where="seed")
        return typed, empty, "ceremony"
    if typed:
        raise UserError(msg("the announced seed procedure is %(kind)s: no seed is typed",
                            kind=kind), where="seed")
    if kind == "generated":
        return secrets.token_hex(32), empty, "generated"
    commitments = sorted([c.party, c.commitment] for c in row.commitments)
    reveals = sorted([c.party, c.secret] for c in row.commitments if c.secret is not None)
    missing = sorted(set(proc["parties"]) - {p for p, _ in reveals})
    value = None
    if proc["beacon"] is not None:
        value = beacon_value(proc["beacon"], int(proc["beacon"]["round"]),
                             signature=beacon_signature, fetch=fetch, now=now)
    elif missing:
        raise Conflict(msg("the draw waits for the reveals of %(who)s (commit–reveal without "
                           "a beacon never proceeds without a party)", who=", ".join(missing)),
                       hint=msg("each party runs `ssj draw reveal`"))
    seed = seeds.derive_seed(row.digest, commitments, reveals,
                                value["randomness"] if value else None)
    return seed, {"commitments": commitments, "reveals": reveals, "beacon": value}, \
        SEED_SOURCES[kind]


def draw_announced(
    session: Session,
    platform: Platform,
    tenant: Tenant,
    task: Task,
    row: DrawAnnouncement,
    *,
    seed: str | None,
    witnesses: tuple[str, ...],
    expected_pool_digest: str | None,
    beacon_signature: str | None,
    fetch: Fetch | None,
    progress: preparing.Progress,
    on_pool: Callable[[kernel.FrozenPool], None] | None,
    now: datetime | None = None,
) -> Draw:
    """The announced draw: its stored pool, everything else recomputed and compared."""
    when = _now(now)
    got = preparing.setup(session, platform, tenant, task.id)
    progress("load", 1, 3)
    pool = fixing.frozen_pool_from_lines(*storage.inflated_lines(
        blobs.announcement_pool(session, row)))
    announced = row.announcement
    if pool.digest != announced["pool"]["digest"]:
        raise Conflict(msg("the stored pool of announcement #%(n)s does not match its digest",
                           n=row.number),
                       hint=msg("the database was changed outside the platform; restore it"))
    if expected_pool_digest and expected_pool_digest != pool.digest:
        raise Conflict(msg("the pool differs from the one shown"),
                       hint=msg("shown %(shown)s…, announced %(now)s…", now=pool.digest[:16],
                                shown=expected_pool_digest[:16]))
    inspectors = joint_sources.inspectors(session, task, reading.load_inspectors(session))
    experts = reading.load_experts(session)
    current = fixing.announced_fields(
        got.kernel_task, got.sampling, got.pool_rules, params=got.params, rules=got.draw_rules,
        inspectors=inspectors, experts=experts, pack=got.rules.governing[0],
        version=got.rules.governing[1], participants=joint.kernel_participants(session, task))
    differ = fixing.differences(announced, current)
    if differ:
        raise Conflict(msg("the draw differs from announcement #%(n)s in: %(fields)s",
                           n=row.number, fields=", ".join(differ)),
                       hint=msg("restore what changed, or announce again (allowed only before "
                                "any secret is revealed and before the beacon round)"))
    if on_pool is not None:
        on_pool(pool)
    previous = committing.previous_attempt(session, task)
    seed_text, seed_inputs, source = seed_of(row, typed=seed, beacon_signature=beacon_signature,
                                             fetch=fetch, now=when)
    progress("frozen", 2, 3)
    prepared = preparing.Prepared(task, got.rules, pool, got.draw_rules, got.params)
    record = committing.draw_and_commit(
        session, tenant, prepared, previous, seed_text, source, witnesses, progress, None,
        committing.Announced(announced, seed_inputs, inspectors, experts, row,
                             # the public pool made at the announcement, of this very pool
                             # (checked); one made before it was stored is made at the draw
                             public_stored=_check_public_pool(session, row)),
    )
    return record


def _store_public_pool(session: Session, row: DrawAnnouncement,
                       pieces: list[bytes]) -> dict[str, str]:
    """Store the public pool's pieces with the announcement; what its audit event records of
    them (their SHA-256, checked when the draw takes them)."""
    blobs.write(session, blobs.ANNOUNCED_BUNDLE_POOL, row.id, pieces)
    return {"bundle_pool_sha256": _pieces_digest(pieces)}


def _pieces_digest(pieces: Iterable[bytes]) -> str:
    h = hashlib.sha256()
    for piece in pieces:
        h.update(piece)
    return h.hexdigest()


def _check_public_pool(session: Session, row: DrawAnnouncement) -> bool:
    """Whether the announcement keeps the public pool's pieces, checked against the digest
    its audit event recorded (a change to them is refused, as one to the stored pool is);
    False for an announcement made before they were stored."""
    payload = session.scalar(select(AuditEvent.payload).where(
        AuditEvent.action == "draw.announce", AuditEvent.object_type == "announcement",
        AuditEvent.object_id == str(row.id)))
    expected = (payload or {}).get("bundle_pool_sha256")
    if expected is None:
        return False
    if _pieces_digest(blobs.read(session, blobs.ANNOUNCED_BUNDLE_POOL, row.id)) != expected:
        raise Conflict(msg("the public pool stored with announcement #%(n)s does not match "
                           "its digest", n=row.number),
                       hint=msg("the database was changed outside the platform; restore it"))
    return True


def commitment_of(secret: str) -> str:
    """What a party registers for ``secret`` (refused when too short to stay unguessable)."""
    try:
        seeds.check_secret(secret)
    except KernelError as e:
        raise UserError(str(e), where="secret") from None
    return seeds.commitment(secret)


def new_secret() -> str:
    """32 random hex digits for a party's secret."""
    return secrets.token_hex(16)


def round_due(row: DrawAnnouncement) -> datetime | None:
    """When the announced beacon round is produced (UTC), if a beacon was announced."""
    chain = row.announcement["seed_procedure"]["beacon"]
    if chain is None:
        return None
    return datetime.fromtimestamp(beacon.round_time(chain, int(chain["round"])), UTC)
