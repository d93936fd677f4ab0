"""The public bundle as a file: its pool stored compressed at commit, the download streamed.

At commit the bundle's ``pool`` value (canonical JSON made from the frozen pool,
:func:`kernel.pooljson.frozen_pool_json`: the bytes :func:`kernel.bundlestream.pool_json`
makes from the pool's lines) is compressed once, as raw deflate ending in a full flush, and
kept in ``blob_chunks``
(kind ``bundle_pool``; piece 0 a small header: CRC-32 and lengths). A download is then

* ``Content-Encoding: gzip``: a gzip header, the rest of the bundle before ``"pool":``
  compressed on the spot, the stored pieces as they are, the rest after the pool, and a
  trailer whose CRC-32 is combined from the three parts' (:func:`crc32_combine`) — no byte
  of the pool is decompressed or compressed again;
* otherwise the same bytes inflated piece by piece.

Either way the decompressed bytes are exactly ``canonical_json`` of
:func:`~shuangsuiji.services.draws.export_bundle` (its recusal steps and transparency-log
proof as of the request), and the server holds one piece at a time, never the bundle. The
rest of the bundle is made from the committed draw read back (not recomputed from the pool).
Draws committed before this storage existed stream their pool from the stored lines instead.
"""

from __future__ import annotations

import struct
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from shuangsuiji import kernel
from shuangsuiji.kernel.bundlestream import bundle_json, pool_json, result_without_pool
from shuangsuiji.kernel.orgtree import UNITS_KEY
from shuangsuiji.kernel.pooljson import frozen_pool_json
from shuangsuiji.models.draws import Draw
from shuangsuiji.models.plans import Task
from shuangsuiji.services import blobs, deflate

_HEADER = struct.Struct(">4sIQQ")  # magic, CRC-32, JSON length, deflate length
_MAGIC = b"DFL1"
_BATCH = 2 * 1024 * 1024  # bytes of JSON per deflate call (two held: one made, one deflated)
_GZIP_HEAD = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, mtime 0


# --- CRC-32 of concatenated parts (zlib's crc32_combine) ------------------------------


def _gf2_times(mat: list[int], vec: int) -> int:
    out, i = 0, 0
    while vec:
        if vec & 1:
            out ^= mat[i]
        vec >>= 1
        i += 1
    return out


def _gf2_square(mat: list[int]) -> list[int]:
    return [_gf2_times(mat, mat[n]) for n in range(32)]


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """CRC-32 of ``a + b`` from ``crc32(a)``, ``crc32(b)`` and ``len(b)``."""
    if len2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]  # the operator for one zero bit
    even = _gf2_square(odd)  # two zero bits
    odd = _gf2_square(even)  # four
    while True:
        even = _gf2_square(odd)  # one zero byte, then 2, 4... bytes
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _gf2_square(even)
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


# --- storing at commit ----------------------------------------------------------------


def compress_pool(pool: kernel.FrozenPool) -> list[bytes]:
    """The bundle's ``pool`` value of ``pool`` compressed once, as the pieces
    :func:`store_pool` writes: the header (piece 0), then the deflate stream in pieces of
    :data:`blobs.CHUNK`. No database: the draw runs it on a second thread while it writes
    its rows.

    Making the JSON holds the GIL; deflating it does not. So the JSON is made here in
    batches of :data:`_BATCH` bytes and each batch is deflated (and its CRC-32 taken) on a
    thread of its own while the next one is made (at a million targets the JSON takes ~0.3 s,
    its deflate by ISA-L ~0.1 s, by zlib ~0.35 s: :mod:`~shuangsuiji.services.deflate`)."""
    z = deflate.compressor(raw=True)
    crc = 0
    length, deflated = 0, 0
    out = bytearray()
    parts: list[bytes] = []

    def squeeze(data: bytes) -> bytes:  # on the deflater's one thread, batches in order
        nonlocal crc
        crc = deflate.crc32(data, crc)
        return z.compress(data)

    def collect(data: bytes) -> None:
        nonlocal deflated
        out.extend(data)
        while len(out) >= blobs.CHUNK:  # cut as it grows: never the whole stream twice
            parts.append(bytes(out[:blobs.CHUNK]))
            del out[:blobs.CHUNK]
            deflated += blobs.CHUNK

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ssj-pool-deflate") as deflater:
        pending: deque[Future[bytes]] = deque()
        for batch in _batches(frozen_pool_json(pool)):
            length += len(batch)
            pending.append(deflater.submit(squeeze, batch))
            while len(pending) > 1:  # one batch deflated while the next is made
                collect(pending.popleft().result())
        while pending:
            collect(pending.popleft().result())
    collect(z.flush(zlib.Z_FULL_FLUSH))  # byte-aligned, not final: more blocks may follow
    if out:
        parts.append(bytes(out))
        deflated += len(out)
    return [_HEADER.pack(_MAGIC, crc, length, deflated), *parts]


def _batches(chunks: Iterable[bytes | memoryview]) -> Iterator[bytes]:
    """``chunks`` joined into batches of about :data:`_BATCH` bytes: few large zlib calls
    (its per-call cost and the GIL's hand-offs)."""
    batch: list[bytes | memoryview] = []
    size = 0
    for chunk in chunks:
        batch.append(chunk)
        size += len(chunk)
        if size >= _BATCH:
            yield b"".join(batch)
            batch.clear()
            size = 0
    yield b"".join(batch)


def store_pool(session: Session, record: Draw, pool: kernel.FrozenPool,
               compressed: list[bytes] | None = None) -> None:
    """Store the bundle's ``pool`` value compressed, in pieces (kind ``bundle_pool`` of the
    draw): ``compressed`` as :func:`compress_pool` made it (emptied as its pieces are
    written), else made now."""
    parts = compress_pool(pool) if compressed is None else compressed
    blobs.write(session, blobs.BUNDLE_POOL, record.id, _drained(parts))


def _drained(parts: list[bytes]) -> Iterator[bytes]:
    """The pieces in order, each let go of once it is handed on (written)."""
    parts.reverse()
    while parts:
        yield parts.pop()


@dataclass(frozen=True)
class StoredPool:
    crc: int
    length: int  # of the pool's JSON
    deflated: int  # of its stored deflate stream


def public_source(session: Session, record: Draw) -> tuple[str, int] | None:
    """Where the draw's stored public pool is (``blob_chunks`` kind and owner): its own,
    else (an announced draw) the one made at its announcement; None for a draw from before
    either was stored."""
    if blobs.exists(session, blobs.BUNDLE_POOL, record.id):
        return blobs.BUNDLE_POOL, record.id
    from shuangsuiji.services.draws import storage

    announcement = storage.announcement_of(session, record.id)
    if announcement is not None and blobs.exists(session, blobs.ANNOUNCED_BUNDLE_POOL,
                                                 announcement.id):
        return blobs.ANNOUNCED_BUNDLE_POOL, announcement.id
    return None


def _stored(session: Session, source: tuple[str, int] | None) -> StoredPool | None:
    if source is None:
        return None
    head = next(blobs.read(session, *source), None)
    if head is None or len(head) != _HEADER.size:
        return None
    magic, crc, length, deflated = _HEADER.unpack(head)
    return StoredPool(crc, length, deflated) if magic == _MAGIC else None


# --- the rest of the bundle -----------------------------------------------------------


def current_result(record: Draw) -> kernel.DrawResult:
    """The draw after every recusal step, read back from the committed bundle (its pool is
    not rebuilt): what the bundle's fields other than ``pool`` are made of."""
    from shuangsuiji.services.draws import steps

    result = result_without_pool(record.bundle)
    for r in record.recusals:
        step = r.outcome
        result = kernel.apply_recusal(
            result, record.seed, r.step, r.person_id, r.credit_code, r.mode,
            kernel.recusal_rule_from_plain(step["rule"]),
            [tuple(pair) for pair in step["conflicts"]],
            stream_seed=steps.step_key(record, step),
        ).result
    return result


def bundle_rest(session: Session, record: Draw) -> dict[str, Any]:
    """The bundle :func:`~shuangsuiji.services.draws.export_bundle` gives, without its pool."""
    from shuangsuiji.services.draws import export, steps

    task = session.get(Task, record.task_id)
    assert task is not None
    annotations = export.bundle_annotations(record, task)
    stored = record.bundle
    if not steps.is_v2(record):
        return kernel.make_bundle(current_result(record), annotations=annotations, pool=False,
                                  units=stored.get(UNITS_KEY))
    bundle = kernel.make_bundle(
        current_result(record), annotations=annotations, pool=False,
        announcement=stored["announcement"], seed_inputs=stored["seed_inputs"],
        units=stored.get(UNITS_KEY),
        recusal_inputs=[{k: r.outcome.get(k) for k in kernel.RECUSAL_V2_KEYS}
                        for r in record.recusals],
    )
    log = export.announcement_log(session, record)
    if log is not None:
        bundle["log"] = log
    return bundle


def _halves(rest: dict[str, Any]) -> tuple[bytes, bytes]:
    """The bundle's canonical JSON before its pool value (through ``"pool":``) and after."""
    marker = object()
    parts = list(bundle_json(rest, [marker]))  # type: ignore[list-item]
    at = parts.index(marker)  # type: ignore[arg-type]
    return b"".join(parts[:at]), b"".join(parts[at + 1:])


# --- the download ---------------------------------------------------------------------


@dataclass
class Download:
    """A bundle download: its chunks, its length, and whether they are gzip."""

    chunks: Iterator[bytes]
    length: int
    gzip: bool


def _pool_lines(session: Session, draw_id: int) -> Iterator[bytes]:
    """The pool's canonical lines from its stored (zlib) pieces, inflated piece by piece."""
    from shuangsuiji.services.draws import storage

    record = session.get(Draw, draw_id)
    assert record is not None
    z = deflate.decompressor()
    for piece in storage.packed_pieces(session, record):
        yield z.decompress(piece)
    yield z.flush()


def _inflated(pieces: Iterable[bytes], most: int = 1 << 20) -> Iterator[bytes]:
    """The raw-deflate ``pieces`` inflated, at most ``most`` bytes at a time."""
    z = zlib.decompressobj(-15)
    for piece in pieces:
        data = piece
        while data:
            out = z.decompress(data, most)
            if out:
                yield out
            data = z.unconsumed_tail
    yield z.flush()


#: Opens a short session of the draw's tenant for reading pieces while the response streams
Opener = Callable[[], AbstractContextManager[Session]]


def read_via(session: Session, opener: Opener | None,
             read: Callable[[Session], Iterator[bytes]]) -> Iterator[bytes]:
    """What ``read`` gives, from a session ``opener`` opens at the first piece and closes at
    the last (a web response streams after its request's session is gone), or from
    ``session`` itself when there is no opener (the command line)."""
    if opener is None:
        yield from read(session)
        return
    with opener() as own:
        yield from read(own)


def download(session: Session, record: Draw, *, gzip: bool, opener: Opener | None = None
             ) -> Download:
    """The bundle of ``record`` as it is exported now, as chunks (gzip if asked).

    ``opener``: where the pieces are read from while the chunks are consumed — a session of
    its own, opened at the first piece and closed at the last (a web response streams after
    its request's session is gone); by default ``session`` itself (the command line)."""
    prefix, suffix = _halves(bundle_rest(session, record))
    source = public_source(session, record)
    stored = _stored(session, source)
    draw_id = record.id

    def via(read: Callable[[Session], Iterator[bytes]]) -> Iterator[bytes]:
        return read_via(session, opener, read)

    if stored is None:  # a draw from before: its pool JSON made from the stored lines
        if "pool" in record.bundle:
            inline = [kernel.canonical_json(record.bundle["pool"])]
            return _made(prefix, inline, suffix, gzip=gzip)
        from shuangsuiji.services.draws import storage

        storage.packed_pieces(session, record)  # a missing pool is refused now, not mid-stream
        return _made(prefix, pool_json(lambda: via(lambda s: _pool_lines(s, draw_id))),
                     suffix, gzip=gzip)
    assert source is not None
    kind, owner = source
    pieces = via(lambda s: blobs.read(s, kind, owner, first_seq=1))
    if not gzip:
        return Download(_chain(prefix, _inflated(pieces), suffix),
                        len(prefix) + stored.length + len(suffix), gzip=False)
    head = zlib.compressobj(6, zlib.DEFLATED, -15)
    first = _GZIP_HEAD + head.compress(prefix) + head.flush(zlib.Z_FULL_FLUSH)
    tail = zlib.compressobj(6, zlib.DEFLATED, -15)
    crc = crc32_combine(zlib.crc32(prefix), stored.crc, stored.length)
    crc = crc32_combine(crc, zlib.crc32(suffix), len(suffix))
    size = len(prefix) + stored.length + len(suffix)
    last = (tail.compress(suffix) + tail.flush(zlib.Z_FINISH)
            + struct.pack("<II", crc, size & 0xFFFFFFFF))
    return Download(_chain(first, pieces, last), len(first) + stored.deflated + len(last),
                    gzip=True)


def _chain(first: bytes, middle: Iterable[bytes], last: bytes) -> Iterator[bytes]:
    yield first
    yield from middle
    yield last


def _made(prefix: bytes, pool: Iterable[bytes], suffix: bytes, *, gzip: bool) -> Download:
    """A download whose pool JSON is made now (not stored): streamed, length unknown (-1)."""
    chunks = _chain(prefix, pool, suffix)
    if not gzip:
        return Download(chunks, -1, gzip=False)

    def compressed() -> Iterator[bytes]:
        z = zlib.compressobj(6, zlib.DEFLATED, 31)
        for chunk in chunks:
            out = z.compress(chunk)
            if out:
                yield out
        yield z.flush()

    return Download(compressed(), -1, gzip=True)
