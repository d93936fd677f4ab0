"""Large stored bytes in chunks: every row stays far below MariaDB's ``max_allowed_packet``.

MariaDB and MySQL refuse a statement (and a result row) larger than ``max_allowed_packet``
(16 MiB by default): a compressed pool of a little over a million targets no longer fits in
one ``LONGBLOB`` value. A :class:`BlobChunk` holds one piece of a blob that belongs to a row
elsewhere (``kind`` names which table, ``owner_id`` its id), numbered from 0 by ``seq``;
the blob is its pieces joined in ``seq`` order. See :mod:`shuangsuiji.services.blobs`.
"""

from __future__ import annotations

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shuangsuiji.db.base import Base, TenantOwned
from shuangsuiji.db.types import LongBlob

#: What a chunk belongs to: a draw's stored pool (``draw_pools.id``), an announcement's pool
#: and its public pool JSON made in advance (``draw_announcements.id``), a draw's public pool
#: JSON and its strata (``draws.id``).
BLOB_KINDS: tuple[str, ...] = ("draw_pool", "announcement_pool", "announced_bundle_pool",
                               "bundle_pool", "draw_strata")


class BlobChunk(TenantOwned, Base):
    """One piece of a stored blob, at most ``services.blobs.CHUNK`` bytes."""

    __tablename__ = "blob_chunks"
    __table_args__ = (UniqueConstraint("kind", "owner_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    owner_id: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(
        LongBlob()
    )
