"""Check a tenant's transparency log against its events and against checkpoints.

What is checked (docs/transparency-log.md §9):

* the events' ``seq`` run 1..n without a gap;
* each event's leaf, recomputed from its fields and its tenant's slug, equals the stored leaf
  (a changed, moved or inserted event no longer fits), and the stored tree has no extra
  leaves (a deleted tail);
* every checkpoint — those the deployment issued, and any an outsider saved — verifies
  against the deployment's public keys, names this tenant's log, is not larger than the log
  (truncation), and its root equals the root of the log's first ``size`` leaves recomputed
  from the events (rewriting, even with every chain hash recomputed) and is proved
  consistent with the current tree by the stored nodes (what the public API serves).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from shuangsuiji.errors import UserError
from shuangsuiji.kernel import logtree, merkle, note
from shuangsuiji.messages import msg
from shuangsuiji.services import translog


@dataclass
class LogReport:
    size: int = 0
    checked: int = 0  # checkpoints checked
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _open(text: str, verifiers: list[note.Verifier], origin: str, where: str
          ) -> note.Checkpoint | str:
    try:
        return note.open_checkpoint(text, verifiers, origin=origin)[0]
    except note.NoteError as exc:
        return msg("%(where)s: %(problem)s", where=where, problem=str(exc))


def verify_checkpoint(cp: note.Checkpoint, roots: dict[int, bytes], leaves: list[bytes],
                      stored_size: int, proof_of: Callable[[int, int], list[bytes]],
                      where: str) -> str | None:
    """The problem with one signature-checked checkpoint (``where`` names it), or None;
    ``roots`` holds the recomputed root of each size the checkpoints name."""
    if cp.size > len(leaves):
        return msg("%(where)s: it signs %(size)s entries but the log now has %(n)s: entries "
                   "were deleted (the log was truncated)", where=where, size=cp.size,
                   n=len(leaves))
    if roots[cp.size] != cp.root:
        return msg("%(where)s: the first %(size)s entries no longer hash to its root: an "
                   "event was changed, moved, inserted or deleted after it was signed",
                   where=where, size=cp.size)
    if cp.size and len(leaves) >= stored_size >= cp.size:  # (a seq gap is reported apart)
        proof = proof_of(cp.size, stored_size)
        if not merkle.verify_consistency(cp.size, stored_size, cp.root, roots[stored_size],
                                         proof):
            return msg("%(where)s: the stored tree gives no valid consistency proof from "
                       "size %(size)s to %(n)s", where=where, size=cp.size, n=stored_size)
    return None


def verify_log(session: Session, tenant_id: int, saved: Iterable[tuple[str, str]] = (),
               verifiers: list[note.Verifier] | None = None) -> LogReport:
    """Check the tenant's log; ``saved`` are (where, note text) of checkpoints kept outside."""
    report = LogReport()
    if verifiers is None:
        verifiers = translog.keys(session).verifiers()
    leaves, seqs = translog.recomputed_leaves(session, tenant_id)
    report.size = len(leaves)
    for expected, seq in enumerate(seqs, start=1):
        if seq != expected:
            report.problems.append(msg(
                "event %(seq)s: expected seq %(expected)s (an event before it was deleted "
                "or the order changed)", seq=seq, expected=expected))
            break
    stored = translog.stored_leaves(session, tenant_id)
    for i, leaf in enumerate(leaves):
        if stored.get(i) != leaf:
            report.problems.append(msg(
                "event %(seq)s: its fields no longer give the leaf the log stored for it "
                "(changed, moved from another tenant, or inserted)", seq=seqs[i]))
            break
    stored_size = translog.size(session, tenant_id)
    origin = translog.origin(session, tenant_id)

    def proof_of(old: int, new: int) -> list[bytes]:
        try:
            return translog.consistency(session, tenant_id, old, new)
        except UserError:  # a node is missing: no proof
            return []

    checkpoints = [(msg("checkpoint issued at size %(size)s", size=c.tree_size), c.note)
                   for c in translog.issued_checkpoints(session, tenant_id)]
    opened = [(where, _open(text, verifiers, origin, where))
              for where, text in [*checkpoints, *saved]]
    sizes = {cp.size for _, cp in opened if isinstance(cp, note.Checkpoint)
             and cp.size <= len(leaves)}
    roots = logtree.prefix_roots(leaves, sizes | {min(stored_size, len(leaves))})
    for where, cp in opened:
        report.checked += 1
        problem = cp if isinstance(cp, str) else verify_checkpoint(
            cp, roots, leaves, stored_size, proof_of, where)
        if problem:
            report.problems.append(problem)
    return report
