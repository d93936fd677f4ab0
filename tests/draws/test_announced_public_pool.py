"""The public bundle's pool is made once, at the announcement: the announced draw uses the
pieces made then (it neither makes the pool's JSON again nor copies them), and the download
is the bundle the draw exports. Its stored pool is the announcement's too, and a change to
it after the draw is refused as a change to a draw's own stored pool is. Those pieces are
checked against the digest the announcement's audit event recorded: changed in the
database, the draw is refused. An announcement stored before those pieces existed still
draws, making them at the draw."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from shuangsuiji import kernel
from shuangsuiji.db.tenancy import cross_tenant
from shuangsuiji.errors import Conflict
from shuangsuiji.models.blobs import BlobChunk
from shuangsuiji.models.draws import Draw, DrawAnnouncement, DrawPool
from shuangsuiji.platform import Platform
from shuangsuiji.services import announcements, audit, blobs, bundlefiles, draws
from shuangsuiji.services.draws import storage
from tests.draws.test_announcements import tenant_session


def _announce_and_draw(platform: Platform, code: str,
                       between: Callable[[Any, int], None] | None = None
                       ) -> tuple[bytes, bytes]:
    """The public pool's pieces stored at the announcement and at the draw, joined."""
    with tenant_session(platform, "miit") as (s, t):
        row = announcements.announce(s, platform, t, code, procedure="ceremony")
        announced = list(blobs.read(s, blobs.ANNOUNCED_BUNDLE_POOL, row.id))
        pool = kernel.announce.frozen_pool_from_text(
            zlib.decompress(blobs.announcement_pool(s, row)))
        assert announced == bundlefiles.compress_pool(pool)  # the pool's, made from it
        if between is not None:
            between(s, row.id)
    with tenant_session(platform, "miit") as (s, t):
        record = draws.draw(s, platform, t, code, seed="公开摇号 2026")
        source = bundlefiles.public_source(s, record)
        stored = list(blobs.read(s, *source)) if source else []
        exported = draws.export_bundle(s, record)
        body = b"".join(bundlefiles.download(s, record, gzip=True).chunks)
    assert json.loads(gzip.decompress(body)) == exported
    report = kernel.verify_bundle(kernel.codec.strict_loads(gzip.decompress(body)))
    assert report.ok, str(report)
    return b"".join(announced), b"".join(stored)


def test_the_announced_draw_stores_the_public_pool_made_at_the_announcement(
    platform: Platform, make_task: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_second_json(s: Any, announcement_id: int) -> None:
        def refused(pool: kernel.FrozenPool) -> list[bytes]:
            raise AssertionError("the public pool was made again at the draw")
        monkeypatch.setattr(bundlefiles, "compress_pool", refused)

    code = make_task("miit")
    announced, stored = _announce_and_draw(platform, code, between=no_second_json)
    assert stored == announced
    with tenant_session(platform, "miit") as (s, _t):  # kept once, with the announcement
        record = s.scalars(select(Draw)).one()
        row = s.scalars(select(DrawAnnouncement)).one()
        assert bundlefiles.public_source(s, record) == (blobs.ANNOUNCED_BUNDLE_POOL, row.id)
        assert not blobs.exists(s, blobs.BUNDLE_POOL, record.id)
        pool_row = s.scalars(select(DrawPool).where(DrawPool.draw_id == record.id)).one()
        assert (pool_row.format, pool_row.data) == (storage.POOL_OF_ANNOUNCEMENT, b"")
        assert not blobs.exists(s, blobs.DRAW_POOL, pool_row.id)
        assert draws.stored_pool(s, record)["strata"]  # read through the announcement


def test_the_announcements_pool_changed_after_the_draw_is_refused_as_the_draws(
    platform: Platform, make_task: Callable[..., str]
) -> None:
    _announce_and_draw(platform, make_task("miit"))
    with tenant_session(platform, "miit") as (s, t):  # someone with database access
        record = s.scalars(select(Draw)).one()
        draws.check_stored_pool(s, record)  # as stored: accepted
        row = s.scalars(select(DrawAnnouncement)).one()
        text = zlib.decompress(blobs.announcement_pool(s, row))
        line = next(x for x in text.split(b"\n") if x.startswith(b"member\t"))
        row.pool = zlib.compress(text.replace(line, line[:-1] + b"X", 1))
        audit.record(s, tenant_id=t.id, action="test.pool_changed", object_type="announcement",
                     object_id=row.id)
        s.flush()
        for read in (draws.check_stored_pool, draws.stored_pool):
            with pytest.raises(Conflict, match="does not match its pool digest"):
                read(s, record)


def test_an_announcement_without_its_public_pool_makes_it_at_the_draw(
    platform: Platform, make_task: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # as announcements stored before the public pool was: neither its pieces nor their digest
    monkeypatch.setattr(announcements, "_store_public_pool", lambda s, row, pieces: {})
    code = make_task("miit")
    with tenant_session(platform, "miit") as (s, t):
        row = announcements.announce(s, platform, t, code, procedure="ceremony")
        assert list(blobs.read(s, blobs.ANNOUNCED_BUNDLE_POOL, row.id)) == []
        pool = kernel.announce.frozen_pool_from_text(
            zlib.decompress(blobs.announcement_pool(s, row)))
    with tenant_session(platform, "miit") as (s, t):
        record = draws.draw(s, platform, t, code, seed="公开摇号 2026")
        stored = list(blobs.read(s, blobs.BUNDLE_POOL, record.id))
        body = b"".join(bundlefiles.download(s, record, gzip=True).chunks)
    assert stored == bundlefiles.compress_pool(pool)  # made at the draw, the same bytes
    assert kernel.verify_bundle(kernel.codec.strict_loads(gzip.decompress(body))).ok


def test_a_changed_public_pool_of_the_announcement_is_refused_and_nothing_is_drawn(
    platform: Platform, make_task: Callable[..., str]
) -> None:
    def changed(s: Any, announcement_id: int) -> None:  # someone with database access
        chunk = s.scalars(select(BlobChunk).where(
            BlobChunk.kind == blobs.ANNOUNCED_BUNDLE_POOL, BlobChunk.owner_id == announcement_id,
        ).order_by(BlobChunk.seq.desc())).first()
        chunk.data = bytes(chunk.data[:-1]) + bytes([chunk.data[-1] ^ 1])

    with pytest.raises(Conflict, match="public pool stored with announcement"):
        _announce_and_draw(platform, make_task("miit"), between=changed)
    with tenant_session(platform, "miit") as (s, _t), cross_tenant(s):
        assert s.scalars(select(Draw)).all() == []


@pytest.mark.parametrize("how, says", [
    ("another pool", "does not match its digest"),  # valid lines, not the announced ones
    ("damaged", "stored pool is damaged"),  # not whole zlib any more
])
def test_a_changed_stored_pool_of_the_announcement_is_refused(
    platform: Platform, make_task: Callable[..., str], how: str, says: str
) -> None:
    def changed(s: Any, announcement_id: int) -> None:  # someone with database access
        row = s.get(DrawAnnouncement, announcement_id)
        text = zlib.decompress(blobs.announcement_pool(s, row))
        assert s.scalar(select(func.count()).select_from(BlobChunk).where(
            BlobChunk.kind == blobs.ANNOUNCEMENT_POOL, BlobChunk.owner_id == row.id)) == 0
        line = next(x for x in text.split(b"\n") if x.startswith(b"member\t"))
        row.pool = (zlib.compress(text.replace(line, line[:-1] + b"X", 1)) if how == "another pool"
                    else bytes(row.pool[: len(row.pool) // 2]))

    with pytest.raises(Conflict, match=says):
        _announce_and_draw(platform, make_task("miit"), between=changed)
    with tenant_session(platform, "miit") as (s, _t), cross_tenant(s):
        assert s.scalars(select(Draw)).all() == []
