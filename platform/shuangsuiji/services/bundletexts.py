"""The bundle as a ``shuangsuiji-draw/3`` text file (docs/draw-spec.md §16), streamed: its
first two lines made now, then the pool's stored lines, which are the file's tail verbatim.

The stored pool is a zlib stream of exactly those lines (:func:`storage.pack_pool`). For a
gzip download its deflate data is sent as it is, after the first lines deflated on the
spot and ended by a full flush (byte-aligned, not final): one valid deflate stream whose
last block is the stored one's. The gzip trailer's CRC-32 is taken while the pieces pass
(inflated for it alone, ~0.1 s per million targets by ISA-L): no byte is compressed again.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterator

from sqlalchemy.orm import Session

from shuangsuiji import kernel
from shuangsuiji.kernel.bundletext import text_prefix
from shuangsuiji.models.draws import Draw
from shuangsuiji.services import deflate
from shuangsuiji.services.bundlefiles import (
    _GZIP_HEAD,
    Download,
    Opener,
    _chain,
    _made,
    _pool_lines,
    bundle_rest,
    crc32_combine,
    read_via,
)

_ZLIB_HEAD = 2  # CMF and FLG; no preset dictionary (pack_pool sets none)
_ADLER = 4  # the zlib trailer


def download_text(session: Session, record: Draw, *, gzip: bool,
                  opener: Opener | None = None) -> Download:
    """The ``/3`` file of ``record`` as it is exported now (its recusal steps and log proof
    as of the request), as chunks, gzip if asked; ``opener`` as for
    :func:`~shuangsuiji.services.bundlefiles.download`."""
    from shuangsuiji.services.draws import storage

    prefix = text_prefix(bundle_rest(session, record))
    draw_id = record.id

    def via(read: Callable[[Session], Iterator[bytes]]) -> Iterator[bytes]:
        return read_via(session, opener, read)

    if "pool" in record.bundle:  # a draw from before pools were stored: made again
        pool = kernel.result_from_bundle(record.bundle).pool
        return _made(prefix, kernel.frozen_pool_text(pool), b"", gzip=gzip)
    storage.packed_pieces(session, record)  # a missing pool is refused now, not mid-stream
    if not gzip:
        return Download(_chain(prefix, via(lambda s: _pool_lines(s, draw_id)), b""), -1,
                        gzip=False)
    return Download(_spliced(prefix, via(lambda s: _packed(s, draw_id))), -1, gzip=True)


def _packed(session: Session, draw_id: int) -> Iterator[bytes]:
    from shuangsuiji.services.draws import storage

    record = session.get(Draw, draw_id)
    assert record is not None
    yield from storage.packed_pieces(session, record)


def _spliced(prefix: bytes, pieces: Iterator[bytes]) -> Iterator[bytes]:
    """gzip of ``prefix`` followed by the text of the zlib stream ``pieces``, the stream's
    deflate data passed on as it is."""
    head = zlib.compressobj(6, zlib.DEFLATED, -15)
    yield _GZIP_HEAD + head.compress(prefix) + head.flush(zlib.Z_FULL_FLUSH)
    check = deflate.decompressor()
    crc, length = 0, 0
    held = b""  # the last bytes seen: the stream's trailer is not deflate data
    first = True
    for piece in pieces:
        text = check.decompress(piece)
        crc, length = deflate.crc32(text, crc), length + len(text)
        data = held + piece
        if first:
            if len(data) < _ZLIB_HEAD:
                held = data
                continue
            if data[0] & 0x0F != 8 or data[1] & 0x20:
                raise ValueError("the stored pool is not a plain zlib stream")
            data, first = data[_ZLIB_HEAD:], False
        held = data[-_ADLER:]
        if len(data) > _ADLER:
            yield data[:-_ADLER]
    text = check.flush()
    crc, length = deflate.crc32(text, crc), length + len(text)
    if not check.eof or check.unused_data:
        raise ValueError("the stored pool's zlib stream is cut short or has bytes after it")
    total = crc32_combine(zlib.crc32(prefix), crc, length)
    yield struct.pack("<II", total, (len(prefix) + length) & 0xFFFFFFFF)
