"""The stored pools' codec (services/deflate.py): ISA-L where installed, writing streams the
standard library's zlib reads (and browsers, as gzip), and reading what zlib wrote (pools
stored before the codec changed)."""

from __future__ import annotations

import hashlib
import importlib.util
import zlib

import pytest

from shuangsuiji.services import deflate
from shuangsuiji.services.draws import storage

TEXT = b"".join(b"member\t91500000MA%08dX\t\xe9\x87\x8d\xe5\xba\x86%d\xe5\x85\xac\xe5\x8f\xb8\t\n"
                % (i, i) for i in range(20000))


def test_isal_is_the_codec_where_it_is_installed() -> None:
    # the project installs it (pyproject.toml): a silent fall-back to zlib would cost a draw
    # of a million targets ~0.5 s of CPU (docs/performance.md)
    assert importlib.util.find_spec("isal") is not None
    assert deflate.CODEC == "isal"


def test_a_zlib_stream_it_writes_is_read_by_zlib_and_back() -> None:
    z = deflate.compressor()
    packed = b"".join(z.compress(TEXT[i:i + 65536]) for i in range(0, len(TEXT), 65536))
    packed += z.flush()
    assert zlib.decompress(packed) == TEXT
    assert deflate.decompress(zlib.compress(TEXT, 6)) == TEXT  # a pool stored by zlib


def test_raw_pieces_ending_in_a_full_flush_join_into_one_gzip_member() -> None:
    # what bundlefiles streams: a head of its own, the stored pieces as they are, a tail
    z = deflate.compressor(raw=True)
    middle = z.compress(TEXT) + z.flush(zlib.Z_FULL_FLUSH)
    head = zlib.compressobj(6, zlib.DEFLATED, -15)
    tail = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = (head.compress(b"{") + head.flush(zlib.Z_FULL_FLUSH) + middle
            + tail.compress(b"}") + tail.flush(zlib.Z_FINISH))
    assert zlib.decompress(body, -15) == b"{" + TEXT + b"}"
    assert deflate.crc32(TEXT[:100], deflate.crc32(b"{")) == zlib.crc32(TEXT[:100],
                                                                         zlib.crc32(b"{"))


def test_the_stored_pool_is_cut_into_its_lines_and_digest() -> None:
    z = deflate.compressor()  # as pack_pool writes it
    packed = z.compress(TEXT) + z.flush()
    lines, digest = storage.inflated_lines(packed)
    assert b"\n".join(lines) + b"\n" == TEXT
    assert digest == hashlib.sha256(TEXT).hexdigest()


def test_a_damaged_stream_raises_one_of_its_errors_and_a_cut_one_stops_short() -> None:
    # what storage.inflated_lines relies on: a damage raises one of deflate.ERRORS (ISA-L's
    # is not zlib.error), a stream cut short raises nothing but does not reach its end
    z = deflate.compressor(raw=True)
    packed = z.compress(TEXT) + z.flush()
    with pytest.raises(deflate.ERRORS):
        d = deflate.decompressor(raw=True)
        d.decompress(packed[:50] + b"\x00" * 9 + packed[59:])
        d.flush()
    d = deflate.decompressor(raw=True)
    out = d.decompress(packed[:-7]) + d.flush()
    assert not d.eof and out != TEXT
