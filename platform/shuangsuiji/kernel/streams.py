"""Seeded random streams, the unbiased "number below n", and the partial Fisher–Yates sampler.

Everything random in a draw comes from here, and everything here is specified in
docs/draw-spec.md ("Random streams"), so that a verifier in another language reproduces it.

A stream is named by its *label* (``"targets/general"``, ``"recusal/2"``...). Block ``c`` of
the stream is ``HMAC-SHA256(key = UTF-8(seed), message = UTF-8(label) || uint64_be(c))``;
each 32-byte block yields four 64-bit big-endian words, in order. Different labels give
independent streams, so adding a recusal step never changes an earlier result.
"""

from __future__ import annotations

import hashlib
import hmac
import struct

from shuangsuiji.kernel.errors import InvalidInput

_WORDS = struct.Struct(">4Q")
_COUNTER = struct.Struct(">Q")
_TWO_64 = 1 << 64


class Stream:
    """The word stream of one (seed, label) pair."""

    __slots__ = ("_base", "_buffer", "_counter", "_label", "label")

    def __init__(self, seed: str, label: str) -> None:
        if not seed:
            raise InvalidInput("the seed is empty: type in the ceremony seed or generate one")
        # The HMAC key schedule is done once; each block copies the keyed state.
        self._base = hmac.new(seed.encode("utf-8"), digestmod=hashlib.sha256)
        self._label = label.encode("utf-8")
        self.label = label
        self._counter = 0
        self._buffer: list[int] = []

    def word(self) -> int:
        """Return the next 64-bit word of the stream."""
        if not self._buffer:
            mac = self._base.copy()
            mac.update(self._label + _COUNTER.pack(self._counter))
            self._counter += 1
            # reversed so that pop() hands out the words in stream order
            self._buffer = list(reversed(_WORDS.unpack(mac.digest())))
        return self._buffer.pop()

    def below(self, n: int) -> int:
        """Return a uniform integer in ``[0, n)`` by rejection sampling.

        Words at or above ``limit = 2**64 - (2**64 mod n)`` are rejected and the next word is
        taken, so every residue is equally likely (a bare ``% n`` would favour small values).
        Always consumes at least one word, also for ``n == 1``.
        """
        if n < 1:
            raise ValueError(f"below({n}): n must be at least 1")
        limit = _TWO_64 - (_TWO_64 % n)
        while True:
            w = self.word()
            if w < limit:
                return w % n


def sample(stream: Stream, n: int, k: int) -> list[int]:
    """Choose ``k`` of the positions ``0..n-1`` by a partial Fisher–Yates shuffle.

    Returns the chosen positions in drawn order. The virtual array ``a = [0, 1, ..., n-1]``
    is only stored where it differs from the identity (a dict), so memory is O(k).
    Step ``i``: ``j = i + below(n - i)``; swap ``a[i]`` and ``a[j]``; output ``a[i]``.
    """
    if not 0 <= k <= n:
        raise ValueError(f"sample: cannot choose {k} of {n}")
    moved: dict[int, int] = {}
    out: list[int] = []
    below = stream.below
    get = moved.get
    for i in range(k):
        j = i + below(n - i)
        chosen = get(j, j)
        # position i is never read again, so only position j needs to remember a[i]
        moved[j] = get(i, i)
        out.append(chosen)
    return out


def permutation(stream: Stream, n: int) -> list[int]:
    """A uniformly random order of ``0..n-1``: ``sample(stream, n, n)``."""
    return sample(stream, n, n)
