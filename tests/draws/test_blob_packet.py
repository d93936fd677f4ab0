"""A stored pool larger than MariaDB's default 16 MiB ``max_allowed_packet`` (#17 item 7), at
the real piece size: a 3,000,000-target draw's compressed pool is about 45 MiB, and one row
or one statement that large is refused by MariaDB. Here 20 MiB of incompressible bytes go
through the draw's own pool writer and reader; on MariaDB (``SSJ_TEST_DATABASE_URL=mysql…``)
the test fails if any piece reached the server whole."""

from __future__ import annotations

import os
from collections.abc import Callable

from sqlalchemy import func, select

from shuangsuiji.models.blobs import BlobChunk
from shuangsuiji.models.draws import DrawPool
from shuangsuiji.platform import Platform
from shuangsuiji.services import audit, blobs, draws
from shuangsuiji.services.draws import storage
from shuangsuiji.services.draws.storage import write_pool
from tests.draws.test_announcements import tenant_session

SIZE = 20 * 1024 * 1024 + 12345  # over the 16 MiB packet, not a whole number of pieces


def test_a_pool_over_the_packet_limit_is_stored_in_real_pieces_and_read_back(
    platform: Platform, make_task: Callable[..., str],
) -> None:
    assert blobs.CHUNK == 4 * 1024 * 1024  # the size in production, not a test's
    code = make_task("miit")
    with tenant_session(platform, "miit") as (s, t):
        record = draws.draw(s, platform, t, code, seed="packet")
    data = os.urandom(SIZE)
    with tenant_session(platform, "miit") as (s, _t):
        # the draw's own row replaced by one whose pool is larger than a packet
        s.query(DrawPool).filter(DrawPool.draw_id == record.id).delete()
        write_pool(s, record, data)
        audit.record(s, tenant_id=_t.id, action="test.pool_replaced", object_type="draw",
                     object_id=record.id)
    with tenant_session(platform, "miit") as (s, _t):
        row = s.scalar(select(DrawPool).where(DrawPool.draw_id == record.id))
        assert len(row.data) == blobs.CHUNK
        sizes = s.scalars(select(func.length(BlobChunk.data)).where(
            BlobChunk.kind == blobs.DRAW_POOL, BlobChunk.owner_id == row.id)
            .order_by(BlobChunk.seq)).all()
        assert sizes == [blobs.CHUNK] * 4 + [SIZE - 5 * blobs.CHUNK]
        assert b"".join(storage.packed_pieces(s, record)) == data  # byte for byte, in order


def test_a_bundle_pool_over_the_packet_limit_streams_piece_by_piece(
    platform: Platform, make_task: Callable[..., str],
) -> None:
    """The public bundle's pool pieces at the real size: written one statement each, read
    one row each (never a result over the packet)."""
    code = make_task("miit")
    with tenant_session(platform, "miit") as (s, t):
        record = draws.draw(s, platform, t, code, seed="packet-bundle")
    data = os.urandom(SIZE)
    with tenant_session(platform, "miit") as (s, _t):
        blobs.remove(s, blobs.BUNDLE_POOL, record.id)
        assert blobs.write(s, blobs.BUNDLE_POOL, record.id, blobs.pieces(data)) == 6
        audit.record(s, tenant_id=_t.id, action="test.bundle_pool_replaced",
                     object_type="draw", object_id=record.id)
    with tenant_session(platform, "miit") as (s, _t):
        got = list(blobs.read(s, blobs.BUNDLE_POOL, record.id))
        assert [len(p) for p in got] == [blobs.CHUNK] * 5 + [SIZE - 5 * blobs.CHUNK]
        assert b"".join(got) == data
