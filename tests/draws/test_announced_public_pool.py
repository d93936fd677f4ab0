"""The public bundle's pool is made once, at the announcement: the announced draw stores the
pieces made then (it does not make the pool's JSON again), and the download is the bundle
the draw exports. An announcement stored before those pieces existed still draws, making
them at the draw."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import delete

from shuangsuiji import kernel
from shuangsuiji.models.blobs import BlobChunk
from shuangsuiji.platform import Platform
from shuangsuiji.services import announcements, blobs, bundlefiles, draws
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
        stored = list(blobs.read(s, blobs.BUNDLE_POOL, record.id))
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

    announced, stored = _announce_and_draw(platform, make_task("miit"), between=no_second_json)
    assert stored == announced


def test_an_announcement_without_its_public_pool_makes_it_at_the_draw(
    platform: Platform, make_task: Callable[..., str]
) -> None:
    def as_before(s: Any, announcement_id: int) -> None:  # stored before the pieces existed
        s.execute(delete(BlobChunk).where(BlobChunk.kind == blobs.ANNOUNCED_BUNDLE_POOL,
                                          BlobChunk.owner_id == announcement_id))

    announced, stored = _announce_and_draw(platform, make_task("miit"), between=as_before)
    assert announced and stored == announced  # made again, the same bytes
