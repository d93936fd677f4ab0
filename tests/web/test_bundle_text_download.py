"""The bundle as a ``shuangsuiji-draw/3`` text file from the portal (docs/draw-spec.md §16):
its first two lines made on the request, then the pool's stored lines; gzip by passing the
stored deflate data on as it is. Either way the bytes are the bundle as exported now, the
tail hashes to the pool digest, and it verifies."""

from __future__ import annotations

import gzip
import hashlib
import io
import subprocess
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shuangsuiji import kernel
from shuangsuiji.kernel.bundletext import MAGIC, read_text
from shuangsuiji.kernel.codec import strict_loads
from shuangsuiji.models.draws import Draw
from shuangsuiji.platform import Platform
from shuangsuiji.services import bundletexts
from shuangsuiji.services import draws as draw_service
from tests.web.conftest import TenantWorld


def _expected(platform: Platform, tenant_id: int, draw_id: int) -> bytes:
    with platform.db.session(tenant_id) as s:
        record = s.get(Draw, draw_id)
        bundle = draw_service.export_bundle(s, record)
        pool = draw_service.current_result(record).pool
    rest = {k: v for k, v in bundle.items() if k != "pool"}
    return MAGIC + kernel.canonical_json(rest) + b"\n" + b"".join(kernel.frozen_pool_text(pool))


def _gunzip_one_member(body: bytes) -> bytes:
    """The body as one gzip member (what a browser's DecompressionStream takes), nothing
    after it."""
    z = zlib.decompressobj(31)
    out = z.decompress(body) + z.flush()
    assert z.eof and not z.unused_data
    return out


@pytest.mark.parametrize("tenant", ["miit", "chongqing"])
def test_the_text_download_is_the_bundle_and_verifies(
    platform: Platform, world: dict[str, TenantWorld],
    client_for: Callable[[str | None], FlaskClient], tenant: str,
) -> None:
    draw_id = world[tenant].require_draw()
    expected = _expected(platform, world[tenant].tenant_id, draw_id)
    public = client_for(None)
    url = f"/p/{tenant}/draws/{draw_id}/bundle.txt"
    packed = public.get(url, headers={"Accept-Encoding": "gzip"}, buffered=False)
    assert packed.status_code == 200 and packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["Content-Disposition"].endswith(f'draw-{draw_id}-bundle.txt"')
    body = b"".join(packed.response)
    packed.close()
    assert _gunzip_one_member(body) == expected == gzip.decompress(body)
    plain = public.get(url)
    assert "Content-Encoding" not in plain.headers and plain.data == expected
    plain.close()
    _magic, head, pool = expected.split(b"\n", 2)
    digests = strict_loads(head)["digests"]
    # the skeptic's one command: the file from its third line on is the pool digest's text
    assert hashlib.sha256(pool).hexdigest() == digests["pool"]
    f = io.BytesIO(expected)
    f.read(len(MAGIC))
    report = kernel.verify_bundle(read_text(f.read))
    assert report.ok, report
    assert report.summary["draw_digest"] == digests["draw"]


def test_the_draw_page_offers_both_files(
    world: dict[str, TenantWorld], client_for: Callable[[str | None], FlaskClient],
) -> None:
    draw_id = world["miit"].require_draw()
    page = client_for(None).get(f"/p/miit/draws/{draw_id}").get_data(as_text=True)
    assert f"/p/miit/draws/{draw_id}/bundle.json" in page
    assert f"/p/miit/draws/{draw_id}/bundle.txt" in page and "shuangsuiji-draw/3" in page
    how = client_for(None).get("/p/miit/verify").get_data(as_text=True)
    assert "tail -n +3 draw-12-bundle.txt | sha256sum" in how


def test_the_documented_command_prints_the_pool_digest(
    world: dict[str, TenantWorld], client_for: Callable[[str | None], FlaskClient],
    tmp_path: Path,
) -> None:
    """``tail -n +3 FILE | sha256sum`` (docs/verifiers.md, the portal's verify page) on the
    downloaded text file prints the pool digest the draw page shows."""
    draw_id = world["miit"].require_draw()
    public = client_for(None)
    got = public.get(f"/p/miit/draws/{draw_id}/bundle.txt")
    (tmp_path / "draw-12-bundle.txt").write_bytes(got.data)
    got.close()
    done = subprocess.run("tail -n +3 draw-12-bundle.txt | sha256sum", shell=True,
                          cwd=tmp_path, capture_output=True, text=True, check=True)
    page = public.get(f"/p/miit/draws/{draw_id}").get_data(as_text=True)
    digest = done.stdout.split()[0]
    assert len(digest) == 64 and f'<code id="pool-digest">{digest}</code>' in page


@pytest.mark.parametrize("cut", [1, 2, 3, 5, 7, 100, 1 << 20])
def test_the_stored_stream_spliced_in_pieces_of_any_size_is_one_gzip(cut: int) -> None:
    text = "".join(f"member\t91500000{i:09d}X\t企业{i}\t\n" for i in range(3000)).encode()
    stored = zlib.compress(text, 1)
    pieces = iter([stored[i:i + cut] for i in range(0, len(stored), cut)])
    prefix = MAGIC + b'{"format":"shuangsuiji-draw/2"}\n'
    body = b"".join(bundletexts._spliced(prefix, pieces))
    assert _gunzip_one_member(body) == prefix + text


def test_a_damaged_stored_stream_is_not_sent_as_good() -> None:
    stored = zlib.compress(b"member\tA\tB\t\n" * 100, 1)
    for bad in (stored[:-9], stored + b"junk"):
        with pytest.raises(ValueError):
            b"".join(bundletexts._spliced(MAGIC, iter([bad])))


def test_the_staff_page_offers_the_text_file(
    app: Flask, world: dict[str, TenantWorld],
    client_for: Callable[[str | None], FlaskClient],
) -> None:
    draw_id = world["miit"].require_draw()
    staff = client_for("miit_viewer")
    page = staff.get(f"/t/miit/draws/{draw_id}").get_data(as_text=True)
    assert f"/t/miit/draws/{draw_id}/bundle.txt" in page
    got = staff.get(f"/t/miit/draws/{draw_id}/bundle.txt")
    assert got.status_code == 200 and got.data.startswith(MAGIC)
    got.close()
