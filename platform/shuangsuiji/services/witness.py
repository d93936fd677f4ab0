"""The witness: fetch a log's latest checkpoint, check it is consistent with the largest one
this witness saw before, remember it, and countersign it (C2SP tlog-cosignature/v1).

A log that shows one witness a different tree of the same size than it showed before (or
than it shows others) is caught here: two roots for one size, or a new checkpoint without a
valid consistency proof from the old one, is a **split view**, reported as
:class:`SplitView` and never overwritten. The central tenant's witness checks every tenant of
its own deployment (:func:`witness_local`); ``ssj log witness URL`` checks any deployment's
public API (docs/transparency-log.md §7).
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.errors import UserError
from shuangsuiji.kernel import merkle, note
from shuangsuiji.messages import msg
from shuangsuiji.models.audit import LogWitnessed
from shuangsuiji.services import translog

#: Fetch a path under the log's base URL (``checkpoint``, ``proof/consistency?from=&to=``)
#: and return the body as text.
Fetch = Callable[[str], str]


class SplitView(UserError):
    """The log showed two different trees where one must extend the other."""


@dataclass(frozen=True)
class Witnessed:
    origin: str
    size: int
    previous_size: int | None
    cosigned: str  # the checkpoint with this witness's cosignature line added


def http_fetch(base_url: str, timeout: float = 20.0) -> Fetch:
    base = base_url.rstrip("/")

    def fetch(path: str) -> str:
        url = f"{base}/{path}"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                return str(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace")[:300]
            raise UserError(msg("%(url)s answered %(code)s: %(body)s", url=url, code=exc.code,
                                body=body)) from None
        except (urllib.error.URLError, OSError, UnicodeDecodeError) as exc:
            raise UserError(msg("could not fetch %(url)s: %(problem)s", url=url,
                                problem=str(exc))) from None

    return fetch


def local_fetch(session: Session, tenant_id: int) -> Fetch:
    """The same answers as the public API, from this deployment's own tables."""

    def fetch(path: str) -> str:
        if path == "checkpoint":
            return translog.checkpoint(session, tenant_id)
        query = dict(p.split("=", 1) for p in path.split("?", 1)[1].split("&"))
        proof = translog.consistency(session, tenant_id, int(query["from"]), int(query["to"]))
        return json.dumps({"proof": [base64.b64encode(p).decode() for p in proof]})

    return fetch


def _proof(fetch: Fetch, old: int, new: int) -> list[bytes]:
    try:
        data = json.loads(fetch(f"proof/consistency?from={old}&to={new}"))
        return [base64.b64decode(p, validate=True) for p in data["proof"]]
    except (ValueError, KeyError, TypeError):
        raise UserError(msg("the consistency proof from %(old)s to %(new)s is not the JSON "
                            "the log API defines", old=old, new=new)) from None


def witness(session: Session, url: str, fetch: Fetch, verifiers: list[note.Verifier],
            now: Callable[[], float] = time.time) -> Witnessed:
    """Check and countersign the log at ``url``; the caller commits.

    Raises :class:`SplitView` (nothing stored) when the log contradicts what was seen."""
    text = fetch("checkpoint")
    try:
        cp, parsed = note.open_checkpoint(text, verifiers)
    except note.NoteError as exc:
        raise UserError(msg("the checkpoint from %(url)s: %(problem)s", url=url,
                            problem=str(exc))) from None
    seen = session.scalar(select(LogWitnessed).where(LogWitnessed.origin == cp.origin))
    previous = None
    if seen is not None:
        previous = seen.tree_size
        old_root = bytes(seen.root_hash)
        if cp.size < seen.tree_size:
            raise SplitView(msg(
                "SPLIT VIEW of %(origin)s: it now shows %(size)s entries after it showed "
                "%(old)s; the log was truncated or shows different histories to different "
                "parties", origin=cp.origin, size=cp.size, old=seen.tree_size))
        if cp.size == seen.tree_size and cp.root != old_root:
            raise SplitView(msg(
                "SPLIT VIEW of %(origin)s: two different roots for size %(size)s (%(old)s "
                "seen before, %(new)s now)", origin=cp.origin, size=cp.size,
                old=base64.b64encode(old_root).decode(), new=base64.b64encode(cp.root).decode()))
        if cp.size > seen.tree_size and not merkle.verify_consistency(
                seen.tree_size, cp.size, old_root, cp.root, _proof(fetch, seen.tree_size,
                                                                     cp.size)):
            raise SplitView(msg(
                "SPLIT VIEW of %(origin)s: the tree of size %(size)s is not an extension of "
                "the tree of size %(old)s seen before (no valid consistency proof)",
                origin=cp.origin, size=cp.size, old=seen.tree_size))
    signer = translog.keys(session).witness_signer()
    others = tuple(s for s in parsed.signatures if s.key_id != signer.verifier.key_id)
    cosigned = note.Note(parsed.text, (*others, signer.cosign(parsed.text, int(now())))).render()
    if seen is None:
        seen = LogWitnessed(origin=cp.origin)
        session.add(seen)
    seen.url, seen.tree_size, seen.root_hash = url, cp.size, cp.root
    seen.note, seen.cosigned = text, cosigned
    from shuangsuiji.db.base import utcnow

    seen.seen_at = utcnow()
    session.flush()
    return Witnessed(cp.origin, cp.size, previous, cosigned)


def witness_local(session: Session, tenant_id: int) -> Witnessed:
    """The central witness checks one tenant of this deployment."""
    keys = translog.keys(session)
    return witness(session, f"local:{translog.origin(session, tenant_id)}",
                   local_fetch(session, tenant_id), keys.verifiers())


def countersign_at_once(session: Session, tenant_id: int, text: str, tree_size: int) -> None:
    """The central witness, by default: right after a draw's step is signed into the log
    (``audit.record``), this deployment's witness checks the tenant's new checkpoint against
    the largest it saw and countersigns it, in the same transaction. A split view raises
    :class:`SplitView` and the step is refused (nothing written): a draw is never made on a
    history that contradicts what the witness saw. (It shares the database with the log,
    so the operator could rewrite what it saw too; a witness on another deployment cannot
    be, docs/transparency-log.md §7.)"""
    from sqlalchemy.exc import IntegrityError

    def fetch(path: str) -> str:  # the checkpoint just issued, of a size known to exist
        if path == "checkpoint":
            return text
        query = dict(p.split("=", 1) for p in path.split("?", 1)[1].split("&"))
        proof = translog.consistency(session, tenant_id, int(query["from"]), tree_size,
                                     known=True)
        return json.dumps({"proof": [base64.b64encode(p).decode() for p in proof]})

    keys = translog.keys(session)
    try:
        with session.begin_nested():
            witness(session, f"local:{translog.origin(session, tenant_id)}", fetch,
                    keys.verifiers())
    except IntegrityError:
        pass  # a concurrent step saw the log first: its own row stands


def check_saved(fetch: Fetch, saved: list[tuple[str, str]], verifiers: list[note.Verifier]
                ) -> tuple[note.Checkpoint, list[str]]:
    """What anyone holding checkpoints saved earlier (``saved``: where, note text) checks
    against a log's latest one, with no database (``ssj verify --checkpoint``): each
    signature, the same origin, and a consistency proof from each saved size to the latest.
    Returns the latest checkpoint and one line per saved one; raises :class:`SplitView`
    (naming the saved checkpoint) when the log does not extend it, :class:`UserError` for
    a bad signature or an unreadable note."""
    try:
        latest, _ = note.open_checkpoint(fetch("checkpoint"), verifiers)
    except note.NoteError as exc:
        raise UserError(msg("the log's latest checkpoint: %(problem)s",
                            problem=str(exc))) from None
    lines: list[str] = []
    for where, text in saved:
        try:
            old, _ = note.open_checkpoint(text, verifiers, origin=latest.origin)
        except note.NoteError as exc:
            raise UserError(msg("%(where)s: %(problem)s", where=where,
                                problem=str(exc))) from None
        if old.size > latest.size or (old.size == latest.size and old.root != latest.root) or (
                0 < old.size < latest.size and not merkle.verify_consistency(
                    old.size, latest.size, old.root, latest.root,
                    _proof(fetch, old.size, latest.size))):
            raise SplitView(msg(
                "%(where)s (%(size)s entries) is NOT extended by the log's latest checkpoint "
                "(%(latest)s entries): entries were removed or rewritten since it was saved",
                where=where, size=old.size, latest=latest.size))
        lines.append(msg("%(where)s (%(size)s entries): extended by the latest checkpoint "
                         "(%(latest)s entries), consistency proof verified", where=where,
                         size=old.size, latest=latest.size))
    return latest, lines


def all_witnessed(session: Session) -> list[LogWitnessed]:
    return list(session.scalars(select(LogWitnessed).order_by(LogWitnessed.origin)))
