"""The deflate codec of the stored pools and the public bundle's pool: ISA-L's (the ``isal``
package, Intel's igzip) where it is installed, else the standard library's ``zlib``.

Both write and read the same formats (zlib, RFC 1950; raw deflate, RFC 1951), so what one
stored the other reads, and a browser or ``gzip -d`` reads either: only the compressed
bytes differ, never the text they hold (the pool digest is over the text). At a million
targets ISA-L's level 1 deflates the pool's 67 MB of lines in 0.09 s where zlib's level 1
takes 0.32 s, into a slightly smaller stream, and inflates it in 0.08 s instead of 0.19 s;
both let go of the GIL while they work (docs/performance.md, "The pools deflated by
ISA-L"). Small pieces (a bundle's head and tail around the stored pool) keep ``zlib``'s
level 6: ISA-L's levels stop at 3.
"""

from __future__ import annotations

import zlib
from typing import Any

_impl: Any
try:
    from isal import isal_zlib

    _impl, CODEC = isal_zlib, "isal"
except ImportError:  # e.g. a platform without its wheels: the same streams, slower
    _impl, CODEC = zlib, "zlib"

#: What a damaged or cut stream raises, whichever codec reads it (ISA-L's error is not
#: ``zlib.error``).
ERRORS: tuple[type[Exception], ...] = tuple({zlib.error, _impl.error})

FAST = 1  # the level of the large streams: ISA-L 1 (of 0-3) or zlib 1 (of 0-9)


def compressor(*, raw: bool = False) -> Any:
    """A compress object at :data:`FAST`: a zlib stream, or raw deflate (``raw``) whose
    ``flush(zlib.Z_FULL_FLUSH)`` ends byte-aligned so more blocks may follow."""
    return _impl.compressobj(FAST, zlib.DEFLATED, -15 if raw else 15)


def decompressor(*, raw: bool = False) -> Any:
    """A decompress object for a zlib stream, or raw deflate (``raw``)."""
    return _impl.decompressobj(-15 if raw else 15)


def decompress(data: bytes) -> bytes:
    """A whole zlib stream inflated."""
    return bytes(_impl.decompress(data))


def crc32(data: bytes | memoryview, value: int = 0) -> int:
    """CRC-32 as ``zlib.crc32`` (ISA-L's is the same function, faster)."""
    return int(_impl.crc32(data, value))
