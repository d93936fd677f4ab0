"""Large stored bytes in chunks (:class:`~shuangsuiji.models.blobs.BlobChunk`).

MariaDB refuses any statement or result row over ``max_allowed_packet`` (16 MiB by
default); a compressed pool passes it a little above a million targets. Every blob is
therefore written in pieces of at most :data:`CHUNK` bytes, one ``INSERT`` each, and read
back piece by piece, so neither side ever holds a statement or row larger than that. The
same code runs on every database (SQLite and PostgreSQL have no such limit, but one path is
one path to test).

A row that already has a blob column (``draw_pools.data``, ``draw_announcements.pool``)
keeps the first piece there and the rest here, from ``seq`` 1: rows written before chunks
existed, whole in their column, read as they always did.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from shuangsuiji.db.tenancy import require_tenant
from shuangsuiji.models.blobs import BLOB_KINDS, BlobChunk
from shuangsuiji.models.draws import DrawAnnouncement

#: Bytes per piece: far below MariaDB's default 16 MiB packet, even with the driver's
#: escaping of binary data (a few per cent) and the statement around it.
CHUNK = 4 * 1024 * 1024
#: ``blob_chunks.kind`` of the pieces of a draw's stored pool after the first
DRAW_POOL = "draw_pool"
#: ... of an announcement's pool after the first
ANNOUNCEMENT_POOL = "announcement_pool"
#: ... of a draw's public pool JSON (all pieces)
BUNDLE_POOL = "bundle_pool"
#: ... of an announcement's public pool JSON, made when the pool is frozen (all pieces): the
#: announced draw stores it as its ``bundle_pool`` instead of making it again
ANNOUNCED_BUNDLE_POOL = "announced_bundle_pool"
#: ... of a draw's strata as its pages show them (services.class_strata)
DRAW_STRATA = "draw_strata"


def pieces(data: bytes | bytearray | memoryview, size: int | None = None) -> list[bytes]:
    """``data`` cut into pieces of at most ``size`` (:data:`CHUNK`) bytes; one empty piece for
    empty data."""
    size = size or CHUNK
    view = memoryview(data)
    return [bytes(view[i:i + size]) for i in range(0, len(view), size)] or [b""]


def write(session: Session, kind: str, owner_id: int, chunks: Iterable[bytes],
          *, first_seq: int = 0) -> int:
    """Store ``chunks`` (each at most :data:`CHUNK` bytes) as the blob of ``kind``
    ``owner_id``, numbered from ``first_seq``; one statement per piece. Returns how many."""
    assert kind in BLOB_KINDS, kind
    tid = require_tenant(session)
    conn = session.connection()
    n = 0
    for seq, chunk in enumerate(chunks, start=first_seq):
        conn.execute(insert(BlobChunk).values(tenant_id=tid, kind=kind, owner_id=owner_id,
                                              seq=seq, data=chunk))
        n += 1
    return n


def read(session: Session, kind: str, owner_id: int, *, first_seq: int = 0) -> Iterator[bytes]:
    """The pieces of ``kind`` ``owner_id`` in order, one row fetched at a time."""
    tid = require_tenant(session)
    seqs = session.scalars(
        select(BlobChunk.seq).where(BlobChunk.tenant_id == tid, BlobChunk.kind == kind,
                                    BlobChunk.owner_id == owner_id,
                                    BlobChunk.seq >= first_seq)
        .order_by(BlobChunk.seq)).all()
    for seq in seqs:  # one row each: never a result larger than one piece
        data = session.scalar(select(BlobChunk.data).where(
            BlobChunk.tenant_id == tid, BlobChunk.kind == kind,
            BlobChunk.owner_id == owner_id, BlobChunk.seq == seq))
        if data is not None:
            yield bytes(data)


def exists(session: Session, kind: str, owner_id: int) -> bool:
    tid = require_tenant(session)
    return session.scalar(select(BlobChunk.id).where(
        BlobChunk.tenant_id == tid, BlobChunk.kind == kind,
        BlobChunk.owner_id == owner_id).limit(1)) is not None


def remove(session: Session, kind: str, owner_id: int) -> None:
    tid = require_tenant(session)
    session.execute(delete(BlobChunk).where(BlobChunk.tenant_id == tid,
                                            BlobChunk.kind == kind,
                                            BlobChunk.owner_id == owner_id))


def head_and_rest(data: bytes | bytearray) -> tuple[bytes, list[bytes]]:
    """``data`` as the piece kept in the owner's own column and the pieces that follow
    (stored here from ``seq`` 1)."""
    parts = pieces(data)
    return parts[0], parts[1:]


def joined(head: bytes, session: Session, kind: str, owner_id: int) -> Iterator[bytes]:
    """The blob whose first piece is ``head`` (the owner's column), then its stored pieces."""
    yield bytes(head)
    yield from read(session, kind, owner_id, first_seq=1)


def announcement_pool(session: Session, row: DrawAnnouncement) -> bytes:
    """An announcement's pool as stored (zlib of its lines), its pieces joined."""
    return b"".join(joined(row.pool, session, ANNOUNCEMENT_POOL, row.id))
