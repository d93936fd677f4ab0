"""Stored pools in pieces (#17: MariaDB's 16 MiB ``max_allowed_packet``): a pool larger than
one piece is written as several rows and read back byte for byte, for a plain draw and for an
announced one (the announcement's pool, then the draw's copy of it). The pieces are made
small here; the same code cuts a 3,000,000-target pool into 4 MiB pieces."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from shuangsuiji import kernel
from shuangsuiji.models.blobs import BlobChunk
from shuangsuiji.models.draws import Draw, DrawAnnouncement, DrawPool
from shuangsuiji.platform import Platform
from shuangsuiji.services import blobs, draws
from shuangsuiji.services.draws import storage
from tests.draws.test_announcements import PARTIES, _announce, _commit_and_reveal, tenant_session
from tests.draws.test_draw_cli import Runner

PIECE = 300  # bytes: the test world's compressed pool is a few KiB, so a dozen pieces


def _pieces(s: object, kind: str, owner: int) -> int:
    return s.scalar(select(func.count()).select_from(BlobChunk).where(  # type: ignore[attr-defined]
        BlobChunk.kind == kind, BlobChunk.owner_id == owner))


def test_a_pool_of_many_pieces_round_trips(platform: Platform, make_task: Callable[..., str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blobs, "CHUNK", PIECE)
    code = make_task("miit")
    with tenant_session(platform, "miit") as (s, t):
        record = draws.draw(s, platform, t, code, seed="pieces")
        frozen = draws.prepare(s, platform, t, code).pool
    with tenant_session(platform, "miit") as (s, _t):
        row = s.scalar(select(DrawPool).where(DrawPool.draw_id == record.id))
        assert len(row.data) == PIECE
        n = _pieces(s, blobs.DRAW_POOL, row.id)
        whole = b"".join(storage.packed_pieces(s, record))
        assert n >= 3 and len(whole) > n * PIECE
        assert zlib.decompress(whole) == b"".join(kernel.frozen_pool_text(frozen))
        bundle = draws.export_bundle(s, s.get(Draw, record.id))
    assert bundle["digests"]["pool"] == record.pool_digest
    assert kernel.verify_bundle(kernel.codec.strict_loads(json.dumps(bundle))).ok


def test_an_announced_pool_of_many_pieces_is_the_one_drawn(
    platform: Platform, make_task: Callable[..., str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(blobs, "CHUNK", PIECE)
    code = make_task("miit")
    row = _announce(platform, code, procedure="commit_reveal", parties=PARTIES)
    _commit_and_reveal(platform, code)
    with tenant_session(platform, "miit") as (s, t):
        record = draws.draw(s, platform, t, code)
        bundle = draws.export_bundle(s, record)
    assert kernel.verify_bundle(kernel.codec.strict_loads(json.dumps(bundle))).ok
    with tenant_session(platform, "miit") as (s, _t):
        announced = s.get(DrawAnnouncement, row.id)
        pool = s.scalar(select(DrawPool).where(DrawPool.draw_id == record.id))
        assert _pieces(s, blobs.ANNOUNCEMENT_POOL, row.id) >= 3
        # frozen once, kept once: the draw's stored pool is the announcement's, not a copy
        assert (pool.format, pool.data) == (storage.POOL_OF_ANNOUNCEMENT, b"")
        assert _pieces(s, blobs.DRAW_POOL, pool.id) == 0
        assert b"".join(storage.packed_pieces(s, record)) == blobs.announcement_pool(s, announced)


def test_a_pool_stored_whole_before_pieces_existed_still_reads(
    platform: Platform, make_task: Callable[..., str],
) -> None:
    code = make_task("miit")
    with tenant_session(platform, "miit") as (s, t):
        record = draws.draw(s, platform, t, code, seed="whole")
    with tenant_session(platform, "miit") as (s, _t):
        row = s.scalar(select(DrawPool).where(DrawPool.draw_id == record.id))
        assert _pieces(s, blobs.DRAW_POOL, row.id) == 0  # small: one piece, in its column
        assert b"".join(storage.packed_pieces(s, record)) == row.data


def test_draw_export_streams_the_download_to_a_gzip_file(
    app: object, platform: Platform, make_task: Callable[..., str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`ssj draw export -o F.json.gz` writes the portal's bytes, gzip; `ssj verify` reads it;
    the stored pool JSON is copied piece by piece (pieces made small here)."""
    monkeypatch.setattr(blobs, "CHUNK", PIECE)
    code = make_task("miit")
    with tenant_session(platform, "miit") as (s, t):
        record = draws.draw(s, platform, t, code, seed="export")
    with tenant_session(platform, "miit") as (s, _t):
        assert _pieces(s, blobs.BUNDLE_POOL, record.id) >= 3
        expected = kernel.canonical_json(draws.export_bundle(s, s.get(Draw, record.id)))
    ssj = Runner(app)  # type: ignore[arg-type]
    out = tmp_path / "bundle.json.gz"
    done = ssj("draw", "export", "--tenant", "miit", code, "-o", str(out))
    assert done.exit_code == 0, done.output
    assert gzip.decompress(out.read_bytes()) == expected
    assert not (tmp_path / "bundle.json.gz.part").exists()
    verified = ssj("verify", str(out))
    assert verified.exit_code == 0 and "verified" in verified.output
    plain = ssj("draw", "export", "--tenant", "miit", code)
    assert plain.stdout_bytes.rstrip(b"\n") == expected
