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

    def words(self, count: int) -> list[int]:
        """The next ``count`` words of the stream, in order: what ``count`` calls of
        :meth:`word` return, its blocks made in one loop and unpacked in one call."""
        out = self._buffer[::-1][:count]  # the buffer holds its words reversed
        del self._buffer[len(self._buffer) - len(out):]
        need = count - len(out)
        if need <= 0:
            return out
        blocks = -(-need // 4)
        copy, label, pack = self._base.copy, self._label, _COUNTER.pack
        macs = []
        for counter in range(self._counter, self._counter + blocks):
            mac = copy()
            mac.update(label + pack(counter))
            macs.append(mac.digest())
        self._counter += blocks
        fresh = struct.unpack(f">{4 * blocks}Q", b"".join(macs))
        out += fresh[:need]
        self._buffer = list(reversed(fresh[need:]))
        return out

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
    get = moved.get
    # Each step takes at least one word, so the words of the steps left are taken from the
    # stream at once (a rejected word, rare, makes one step take more): the same words in
    # the same order as below() one step at a time, none taken beyond the last step's.
    words: list[int] = []
    at = 0
    for i in range(k):
        m = n - i
        limit = _TWO_64 - _TWO_64 % m
        while True:
            if at == len(words):
                words, at = stream.words(k - i), 0
            w = words[at]
            at += 1
            if w < limit:
                break
        j = i + w % m
        chosen = get(j, j)
        # position i is never read again, so only position j needs to remember a[i]
        moved[j] = get(i, i)
        out.append(chosen)
    return out


def permutation(stream: Stream, n: int) -> list[int]:
    """A uniformly random order of ``0..n-1``: ``sample(stream, n, n)``."""
    return sample(stream, n, n)
