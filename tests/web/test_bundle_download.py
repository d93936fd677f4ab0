"""The public bundle download (#17 item 1): its pool compressed once at commit and streamed
from the stored pieces; gzip when the client takes it, plain otherwise; either way the bytes
are the canonical JSON of the bundle as exported now, and it verifies."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shuangsuiji.db import audit_guard
from shuangsuiji.kernel import canonical_json, verify_bundle
from shuangsuiji.kernel.codec import strict_loads
from shuangsuiji.models.draws import Draw
from shuangsuiji.platform import Platform
from shuangsuiji.services import blobs, bundlefiles
from shuangsuiji.services import draws as draw_service
from tests.web.conftest import TenantWorld


def _expected(platform: Platform, tenant_id: int, draw_id: int) -> bytes:
    with platform.db.session(tenant_id) as s:
        return canonical_json(draw_service.export_bundle(s, s.get(Draw, draw_id)))


def test_crc32_of_parts_combines_as_of_the_whole() -> None:
    for a, b in ((b"", b"x"), (b"abc", b""), (b"bundle" * 1000, "池".encode() * 77777)):
        assert bundlefiles.crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


def test_the_download_streams_the_stored_pieces_and_is_the_bundle(
    app: Flask, platform: Platform, world: dict[str, TenantWorld],
    client_for: Callable[[str | None], FlaskClient], monkeypatch: pytest.MonkeyPatch,
) -> None:
    draw_id = world["miit"].require_draw()
    tenant_id = world["miit"].tenant_id
    # store the pool JSON again in pieces of 100 bytes: the route must send them one by one
    monkeypatch.setattr(blobs, "CHUNK", 100)
    with platform.db.session(tenant_id) as s, audit_guard.unaudited(
            s, "test: the stored pool JSON made again in smaller pieces"):
        record = s.get(Draw, draw_id)
        blobs.remove(s, blobs.BUNDLE_POOL, draw_id)
        bundlefiles.store_pool(s, record, draw_service.current_result(record).pool)
        s.commit()
        stored = sum(1 for _ in blobs.read(s, blobs.BUNDLE_POOL, draw_id, first_seq=1))
    assert stored >= 8
    expected = _expected(platform, tenant_id, draw_id)
    public = client_for(None)
    url = f"/p/miit/draws/{draw_id}/bundle.json"
    got = public.get(url, headers={"Accept-Encoding": "gzip"}, buffered=False)
    assert got.status_code == 200 and got.is_streamed
    assert got.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in got.headers["Vary"]
    parts = list(got.response)
    got.close()  # what a WSGI server does at the end: the request's session is let go
    body = b"".join(parts)
    assert int(got.headers["Content-Length"]) == len(body)
    # the stored pieces pass as they are: the largest part is one piece, not the bundle
    assert len(parts) >= stored and max(map(len, parts)) < len(expected) / 4
    assert gzip.decompress(body) == expected
    plain = public.get(url)
    body = plain.data
    plain.close()
    assert "Content-Encoding" not in plain.headers and body == expected
    assert verify_bundle(strict_loads(body)).ok


def test_a_draw_committed_before_the_stored_pool_still_downloads(
    platform: Platform, world: dict[str, TenantWorld],
    client_for: Callable[[str | None], FlaskClient],
) -> None:
    draw_id = world["chongqing"].require_draw()
    tenant_id = world["chongqing"].tenant_id
    with platform.db.session(tenant_id) as s, audit_guard.unaudited(
            s, "test: a draw as committed before the pool JSON was stored"):
        blobs.remove(s, blobs.BUNDLE_POOL, draw_id)
        s.commit()
    expected = _expected(platform, tenant_id, draw_id)
    public = client_for(None)
    url = f"/p/chongqing/draws/{draw_id}/bundle.json"
    for headers, read in (({}, bytes), ({"Accept-Encoding": "gzip"}, gzip.decompress)):
        got = public.get(url, headers=headers)
        body = got.data
        got.close()  # a streamed response holds its request's session until closed
        assert read(body) == expected
