"""Merkle trees as RFC 6962 / RFC 9162 define them (SHA-256, leaf and node domain separation).

Pure and standard-library only: the transparency log, the pool's Merkle root and every
verifier (``ssj verify``, ``ssj-verify.pyz``, the browser) share these definitions.

* ``leaf_hash(d) = SHA-256(0x00 || d)``, ``node_hash(l, r) = SHA-256(0x01 || l || r)``;
* the tree head of ``n`` leaves, MTH, splits at ``k``, the largest power of two below ``n``;
* inclusion proofs (RFC 9162 §2.1.3) and consistency proofs (§2.1.4) are generated from the
  leaf hashes here (O(n), for tests and small trees) and verified in O(log n).

A log keeping millions of leaves generates its proofs from stored subtree hashes instead; it
must produce exactly what :func:`inclusion_proof` and :func:`consistency_proof` produce.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

EMPTY_ROOT = hashlib.sha256(b"").digest()
CHUNK = 1 << 14  # leaves hashed at a time by data_root (a power of two)
_sha256 = hashlib.sha256
_digest = type(hashlib.sha256()).digest


def leaf_hash(data: bytes) -> bytes:
    """The hash of one leaf: SHA-256 of 0x00 followed by the leaf's bytes."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: SHA-256 of 0x01, the left hash, the right hash."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two strictly below ``n`` (``n`` ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH over leaf *hashes*, bottom-up (the same value as the recursive definition)."""
    if not leaves:
        return EMPTY_ROOT
    level = list(leaves)
    while len(level) > 1:
        # node_hash of each pair, by C loops over the level
        nxt = list(map(_digest, map(_sha256, map(bytes.__add__, map(
            b"\x01".__add__, level[0:len(level) - 1:2]), level[1::2]))))
        if len(level) % 2:
            nxt.append(level[-1])  # an odd node is promoted, as MTH's split implies
        level = nxt
    return level[0]


def data_root(data: Iterable[bytes], size: int) -> bytes:
    """MTH over the ``size`` leaves whose *data* ``data`` gives, in order: the leaf hashes
    made a chunk of :data:`CHUNK` at a time (full chunks are perfect subtrees, so the root
    over the chunks' roots is the root over all leaves, and at most one chunk's hashes
    exist at once)."""
    it = iter(data)
    top = _chunked_root(it, size)
    if next(it, None) is not None:
        raise ValueError(f"more than {size} leaves")
    return top


def _chunked_root(it: Iterator[bytes], size: int) -> bytes:
    """MTH of the next ``size`` leaves' data of ``it`` (which must hold that many)."""
    roots = []
    for start in range(0, size, CHUNK):
        hashes = list(map(_digest, map(_sha256, map(b"\x00".__add__,
                                                     islice(it, min(CHUNK, size - start))))))
        if len(hashes) != min(CHUNK, size - start):
            raise ValueError(f"fewer than {size} leaves")
        roots.append(root(hashes))
    return root(roots)


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(m, D[n]) of RFC 6962 §2.1.1 for leaf ``index`` among the leaf hashes."""
    if not 0 <= index < len(leaves):
        raise ValueError(f"leaf {index} is not in a tree of {len(leaves)}")
    if len(leaves) == 1:
        return []
    k = split(len(leaves))
    if index < k:
        return [*inclusion_proof(leaves[:k], index), root(leaves[k:])]
    return [*inclusion_proof(leaves[k:], index - k), root(leaves[:k])]


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 6962 §2.1.2 between the first ``old_size`` leaves and all."""
    if not 0 < old_size <= len(leaves):
        raise ValueError(f"no consistency proof from {old_size} to {len(leaves)}")
    return _subproof(old_size, leaves, True)


def _subproof(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [root(leaves)]
    k = split(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], complete), root(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), root(leaves[:k])]


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], expected_root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does ``proof`` show leaf hash ``leaf`` at ``index`` in the tree of
    ``size`` leaves whose root is ``expected_root``?"""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: does ``proof`` show the tree of ``old_size`` leaves with
    ``old_root`` is a prefix of the tree of ``new_size`` leaves with ``new_root``?"""
    if old_size < 1 or old_size > new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
