"""Each tenant's transparency log: audit events as the leaves of an RFC 9162 Merkle tree,
each complete subtree stored (in the row of the event whose leaf completed it) as it
completes; proofs and signed checkpoints served from them.

The format is specified in docs/transparency-log.md. Interface for other services:

* :func:`checkpoint` ``(session, tenant_id) -> str`` — the signed note (C2SP tlog-checkpoint)
  of the tenant's current tree, issued and stored when the tree grew since the last one;
  the caller commits.
* :func:`inclusion` ``(session, tenant_id, leaf_index, tree_size) -> list[bytes]`` and
  :func:`consistency` ``(session, tenant_id, old_size, new_size) -> list[bytes]`` — RFC 9162
  proofs assembled from O(log n) stored nodes.
* :func:`root`, :func:`size`, :func:`leaf_fields` / :func:`leaf_bytes` (an event's leaf),
  :func:`leaf_index` (``seq − 1``).

:func:`append` is called by :func:`shuangsuiji.services.audit.record` for every event
before it is written: it puts the leaf hash and the parents the leaf completes (on average
two hashes) into the event's ``log_nodes``, from the frontier this app remembers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shuangsuiji.canonical import instant
from shuangsuiji.errors import UserError
from shuangsuiji.kernel import logtree, merkle, note
from shuangsuiji.messages import msg
from shuangsuiji.models.audit import AuditEvent, LogCheckpoint
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.services.logkeys import LOG_KEYS

if TYPE_CHECKING:
    from shuangsuiji.services.logkeys import LogKeys



def _instant(event: AuditEvent) -> str:
    return instant(event.at)


def leaf_index(event: AuditEvent) -> int:
    return event.seq - 1


def leaf_fields(event: AuditEvent, tenant_slug: str) -> dict[str, Any]:
    """The event's public fields as they enter its leaf (docs/transparency-log.md §1)."""
    return {
        "action": event.action,
        "actor": event.actor,
        "at": _instant(event),
        "object_id": event.object_id,
        "object_type": event.object_type,
        "payload_digest": event.payload_digest,
        "seq": event.seq,
        "tenant": tenant_slug,
    }


def leaf_bytes(event: AuditEvent, tenant_slug: str) -> bytes:
    return logtree.event_leaf(leaf_fields(event, tenant_slug))


def _slug(session: Session, tenant_id: int) -> str:
    """The tenant's slug (never changed once created), remembered per app: the hot path of
    every write should not pay a query for it."""
    cache = getattr(session.info.get(LOG_KEYS), "slugs", None)
    if cache is not None and tenant_id in cache:
        return cast(str, cache[tenant_id])
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise UserError(msg("no tenant with id %(id)s", id=tenant_id))
    if cache is not None:
        cache[tenant_id] = tenant.slug
    return tenant.slug


def home(node: logtree.Node) -> tuple[int, int]:
    """Where a node is stored: the seq of the event whose leaf completed it, and its offset
    in that event's ``log_nodes`` (node ``(L, i)`` is completed by leaf ``(i+1)·2^L − 1``)."""
    level, index = node
    return (index + 1) << level, 32 * level


def _read(session: Session, tenant_id: int, nodes: Iterable[logtree.Node]
          ) -> dict[logtree.Node, bytes]:
    wanted = sorted(set(nodes))
    if not wanted:
        return {}
    seqs = sorted({home(n)[0] for n in wanted})
    blobs = {int(r.seq): bytes(r.log_nodes or b"") for r in session.execute(
        select(AuditEvent.seq, AuditEvent.log_nodes).where(
            AuditEvent.tenant_id == tenant_id, AuditEvent.seq.in_(seqs)))}
    found: dict[logtree.Node, bytes] = {}
    for node in wanted:
        seq, offset = home(node)
        value = blobs.get(seq, b"")[offset:offset + 32]
        if len(value) != 32:
            raise LogDamaged(msg("the transparency log of tenant %(tenant)s lacks stored node "
                                 "(level %(level)s, index %(index)s); run `ssj log verify`",
                                 tenant=tenant_id, level=node[0], index=node[1]))
        found[node] = value
    return found


class LogDamaged(UserError):
    """The stored tree is missing a node it must have (rows deleted by hand)."""


def append(session: Session, event: AuditEvent) -> bytes:
    """Make ``event`` (not yet flushed, its ``hash`` set) the next leaf of its tenant's log:
    set its ``log_nodes`` and return its leaf hash. Called by ``audit.record``.

    The left siblings come from the tree's **frontier** (the complete subtrees whose fold is
    the root, :func:`logtree.range_nodes` ``(0, n)``), remembered per app after each append
    and keyed by the chain hash of the event it follows: the chain hash fixes every earlier
    event, hence every leaf, so a remembered frontier is used only for exactly that history
    (a rolled-back append or another worker's append simply misses, and the frontier is
    read, one query). The hot path adds no statement: the nodes travel in the event's row."""
    index = leaf_index(event)
    tid = event.tenant_id
    leaf = merkle.leaf_hash(leaf_bytes(event, _slug(session, tid)))
    memory = getattr(session.info.get(LOG_KEYS), "frontiers", None)
    remembered = memory.get(tid) if memory is not None else None
    if remembered is not None and remembered[0] == (index, event.prev_hash):
        frontier = remembered[1]
    else:
        frontier = _read(session, tid, logtree.range_nodes(0, index))
    wanted = logtree.append_siblings(index)
    rows = logtree.appended_nodes(index, leaf, [frontier[n] for n in wanted])
    event.log_nodes = b"".join(h for _, h in rows)
    if memory is not None:
        top, top_hash = rows[-1]
        after = {n: h for n, h in frontier.items() if n not in wanted}
        after[top] = top_hash
        memory[tid] = ((index + 1, event.hash), after)
    return leaf


def size(session: Session, tenant_id: int) -> int:
    """The number of leaves in the tenant's log."""
    last = session.scalar(select(func.max(AuditEvent.seq))
                          .where(AuditEvent.tenant_id == tenant_id))
    return 0 if last is None else int(last)


def _check_size(session: Session, tenant_id: int, tree_size: int) -> None:
    current = size(session, tenant_id)
    if not 0 <= tree_size <= current:
        raise UserError(msg("the log has %(current)s leaves; there is no tree of size "
                            "%(size)s", current=current, size=tree_size))


def root(session: Session, tenant_id: int, tree_size: int | None = None) -> bytes:
    """The tree head of the first ``tree_size`` leaves (default: all)."""
    if tree_size is None:
        tree_size = size(session, tenant_id)
    _check_size(session, tenant_id, tree_size)
    return _head(session, tenant_id, tree_size)


def _head(session: Session, tenant_id: int, tree_size: int) -> bytes:
    """The root of a size known to exist (a missing node still raises :class:`LogDamaged`)."""
    if tree_size == 0:
        return merkle.EMPTY_ROOT
    ranges = [(0, tree_size)]
    return logtree.heads(ranges, _read(session, tenant_id, logtree.nodes_of(ranges)))[0]


def leaf_hash(session: Session, tenant_id: int, index: int) -> bytes:
    return _read(session, tenant_id, [(0, index)])[(0, index)]


def inclusion(session: Session, tenant_id: int, leaf_index: int, tree_size: int) -> list[bytes]:
    """RFC 9162 inclusion proof of leaf ``leaf_index`` in the tree of ``tree_size`` leaves."""
    _check_size(session, tenant_id, tree_size)
    if not 0 <= leaf_index < tree_size:
        raise UserError(msg("leaf %(index)s is not in a tree of %(size)s leaves",
                            index=leaf_index, size=tree_size))
    ranges = logtree.inclusion_ranges(leaf_index, tree_size)
    return logtree.heads(ranges, _read(session, tenant_id, logtree.nodes_of(ranges)))


def consistency(session: Session, tenant_id: int, old_size: int, new_size: int, *,
                known: bool = False) -> list[bytes]:
    """RFC 9162 consistency proof from the tree of ``old_size`` leaves to ``new_size``
    (``known``: the caller just appended leaf ``new_size``, so the size is not queried)."""
    if not 0 < old_size <= new_size:
        raise UserError(msg("no consistency proof from size %(old)s to size %(new)s "
                            "(need 0 < from ≤ to)", old=old_size, new=new_size))
    if not known:
        _check_size(session, tenant_id, new_size)
    ranges = logtree.consistency_ranges(old_size, new_size)
    return logtree.heads(ranges, _read(session, tenant_id, logtree.nodes_of(ranges)))


MAX_LEAVES = 1000


def leaves(session: Session, tenant_id: int, start: int, end: int) -> list[dict[str, Any]]:
    """The public fields of leaves ``[start, end)`` with their stored leaf hashes."""
    if not 0 <= start <= end or end - start > MAX_LEAVES:
        raise UserError(msg("leaves: need 0 ≤ start ≤ end and at most %(max)s at a time",
                            max=MAX_LEAVES))
    slug = _slug(session, tenant_id)
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.tenant_id == tenant_id,
                                 AuditEvent.seq > start, AuditEvent.seq <= end)
        .order_by(AuditEvent.seq)
    ).all()
    out = []
    for e in events:
        fields = leaf_fields(e, slug)
        fields["index"] = leaf_index(e)
        fields["leaf_hash"] = bytes(e.log_nodes or b"")[:32]
        out.append(fields)
    return out


def recomputed_leaves(session: Session, tenant_id: int) -> tuple[list[bytes], list[int]]:
    """Leaf hashes recomputed from the tenant's events in ``seq`` order, and their seqs
    (the O(n) check behind ``ssj log verify`` and ``ssj audit verify``)."""
    slug = _slug(session, tenant_id)
    hashes: list[bytes] = []
    seqs: list[int] = []
    for e in session.scalars(select(AuditEvent).where(AuditEvent.tenant_id == tenant_id)
                             .order_by(AuditEvent.seq)).yield_per(2000):
        hashes.append(merkle.leaf_hash(leaf_bytes(e, slug)))
        seqs.append(e.seq)
    return hashes, seqs


def stored_leaves(session: Session, tenant_id: int) -> dict[int, bytes]:
    """The leaf hashes the log stored, by leaf index."""
    return {int(r.seq) - 1: bytes(r.log_nodes or b"")[:32] for r in session.execute(
        select(AuditEvent.seq, AuditEvent.log_nodes).where(AuditEvent.tenant_id == tenant_id))}


def build(session: Session, tenant_id: int) -> None:
    """Recompute every event's ``log_nodes`` from the events, in ``seq`` order (what the
    migration that starts the log does, and what an operator rewriting history would do:
    tests/translog/tamper.py)."""
    slug = _slug(session, tenant_id)
    frontier: dict[logtree.Node, bytes] = {}
    events = session.scalars(select(AuditEvent).where(AuditEvent.tenant_id == tenant_id)
                             .order_by(AuditEvent.seq)).all()
    for i, e in enumerate(events):
        wanted = logtree.append_siblings(i)
        made = logtree.appended_nodes(i, merkle.leaf_hash(leaf_bytes(e, slug)),
                                      [frontier[n] for n in wanted])
        for n in wanted:
            del frontier[n]
        frontier[made[-1][0]] = made[-1][1]
        e.log_nodes = b"".join(h for _, h in made)
    session.flush()
    memory = getattr(session.info.get(LOG_KEYS), "frontiers", None)
    if memory is not None:
        memory.pop(tenant_id, None)


# --- checkpoints -----------------------------------------------------------------------


def keys(session: Session) -> LogKeys:
    found = session.info.get(LOG_KEYS)
    if found is None:
        raise UserError(msg("this session has no log signing keys (not made by the app)"))
    return cast("LogKeys", found)


def origin(session: Session, tenant_id: int) -> str:
    """The tenant's log origin: ``<SSJ_LOG_ORIGIN>/<slug>``."""
    return f"{keys(session).origin}/{_slug(session, tenant_id)}"


def checkpoint(session: Session, tenant_id: int, appended: int | None = None) -> str:
    """The signed checkpoint of the tenant's current tree: the stored one when the tree has
    not grown since, else a new one, signed with the current key and stored. The caller
    commits (a concurrent request issuing the same one is absorbed by a savepoint).

    ``appended``: the caller (``audit.record``) has just appended leaf number ``appended``
    in this transaction, so that is the size and no checkpoint of it exists yet: two
    queries fewer."""
    signer = keys(session).log_signer()
    kid = signer.verifier.key_id.hex()
    if appended is None:
        tree_size = size(session, tenant_id)
        stored = session.scalar(select(LogCheckpoint.note).where(
            LogCheckpoint.tenant_id == tenant_id, LogCheckpoint.tree_size == tree_size,
            LogCheckpoint.key_id == kid))
        if stored is not None:
            return stored
    else:
        tree_size = appended
    head = _head(session, tenant_id, tree_size)
    body = note.Checkpoint(origin(session, tenant_id), tree_size, head).body()
    text = note.Note(body, (signer.sign_note(body),)).render()
    try:
        with session.begin_nested():
            session.add(LogCheckpoint(tenant_id=tenant_id, tree_size=tree_size,
                                      root_hash=head, key_id=kid, note=text))
    except IntegrityError:
        pass  # issued by a concurrent request: Ed25519 is deterministic, the same note
    return text


def stored_checkpoint(session: Session, tenant_id: int, tree_size: int) -> str | None:
    """A checkpoint issued earlier for ``tree_size`` (the newest key's)."""
    return session.scalar(select(LogCheckpoint.note).where(
        LogCheckpoint.tenant_id == tenant_id, LogCheckpoint.tree_size == tree_size)
        .order_by(LogCheckpoint.id.desc()).limit(1))


def issued_checkpoints(session: Session, tenant_id: int) -> list[LogCheckpoint]:
    return list(session.scalars(
        select(LogCheckpoint).where(LogCheckpoint.tenant_id == tenant_id)
        .order_by(LogCheckpoint.tree_size, LogCheckpoint.id)))


def evidence(session: Session, tenant_id: int, seqs: Iterable[int]) -> dict[str, Any]:
    """Log evidence (:mod:`shuangsuiji.kernel.logproof`) for the events ``seqs``: the
    current signed checkpoint and each event's fields and inclusion proof in it."""
    import base64

    text = checkpoint(session, tenant_id)
    tree_size = size(session, tenant_id)
    slug = _slug(session, tenant_id)
    wanted = sorted(set(seqs))
    events = session.scalars(select(AuditEvent).where(
        AuditEvent.tenant_id == tenant_id, AuditEvent.seq.in_(wanted))
        .order_by(AuditEvent.seq)).all()
    return {
        "format": "shuangsuiji-log-evidence/1",
        "checkpoint": text,
        "entries": [{"index": leaf_index(e), "fields": leaf_fields(e, slug),
                     "proof": [base64.b64encode(p).decode()
                               for p in inclusion(session, tenant_id, leaf_index(e),
                                                  tree_size)]}
                    for e in events],
    }


def draw_event_seqs(session: Session, tenant_id: int, draw_id: int) -> list[int]:
    """The events about one draw: its announcement's (``draw.announce``, seed commitments
    and reveals), its commit, void and recusals."""
    from sqlalchemy import and_, or_

    from shuangsuiji.models.draws import DrawAnnouncement

    announced = [str(i) for i in session.scalars(select(DrawAnnouncement.id).where(
        DrawAnnouncement.tenant_id == tenant_id, DrawAnnouncement.draw_id == draw_id))]
    return list(session.scalars(select(AuditEvent.seq).where(
        AuditEvent.tenant_id == tenant_id,
        or_(and_(AuditEvent.object_type == "draw", AuditEvent.object_id == str(draw_id)),
            and_(AuditEvent.object_type == "announcement",
                 AuditEvent.object_id.in_(announced))))
        .order_by(AuditEvent.seq)))


def covered_event(session: Session, tenant_id: int, action: str, object_type: str,
                  object_id: int | str) -> tuple[AuditEvent, LogCheckpoint] | None:
    """The (first) event ``action`` about the object, and the first checkpoint issued that
    covers it (``audit.record`` issues one at once after a draw's events); None when there
    is no such event or no checkpoint yet covers it. Nothing is written."""
    event = session.scalar(select(AuditEvent).where(
        AuditEvent.tenant_id == tenant_id, AuditEvent.action == action,
        AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
        .order_by(AuditEvent.seq).limit(1))
    if event is None:
        return None
    found = session.scalar(select(LogCheckpoint).where(
        LogCheckpoint.tenant_id == tenant_id, LogCheckpoint.tree_size >= event.seq)
        .order_by(LogCheckpoint.tree_size, LogCheckpoint.id.desc()).limit(1))
    return None if found is None else (event, found)
