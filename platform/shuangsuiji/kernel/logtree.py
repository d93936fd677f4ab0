"""Merkle proofs from stored complete subtrees: which nodes to read, and how to fold them.

Pure. A log that keeps, for every complete subtree, its hash under ``(level, index)`` (the
root of leaves ``[index·2^level, (index+1)·2^level)``) answers a root, an inclusion proof or a
consistency proof by reading O(log n) nodes: every range the RFC 9162 definitions recurse
into starts at a multiple of the power of two at least its length, so its tree head is the
right fold of the complete subtrees given by its length's bits, high to low.

The answers equal :func:`shuangsuiji.kernel.merkle.inclusion_proof` and
:func:`~shuangsuiji.kernel.merkle.consistency_proof` exactly (tests/translog/test_logtree.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from shuangsuiji.kernel.canonical import canonical_json
from shuangsuiji.kernel.merkle import EMPTY_ROOT, node_hash, split

Node = tuple[int, int]  # (level, index)
Range = tuple[int, int]  # leaves [start, end)


def range_nodes(start: int, end: int) -> list[Node]:
    """The complete subtrees, left to right, whose fold is the tree head of ``[start, end)``
    (a range of the RFC's recursion: ``start`` a multiple of a power of two ≥ its length)."""
    nodes: list[Node] = []
    while start < end:
        level = (end - start).bit_length() - 1
        if start % (1 << level):
            raise ValueError(f"leaves [{start}, {end}) are not a subtree of the log")
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """The tree head of consecutive complete subtrees, largest first: a right fold."""
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The ranges whose tree heads are PATH(index, D[size]) (RFC 9162 §2.1.3.1), in order."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    out: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        k = split(end - start)
        if index < start + k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            start += k
    out.reverse()  # PATH lists the deepest sibling first
    return out


def consistency_ranges(old_size: int, new_size: int) -> list[Range]:
    """The ranges whose tree heads are PROOF(old_size, D[new_size]) (RFC 9162 §2.1.4.1)."""
    if not 0 < old_size <= new_size:
        raise ValueError(f"no consistency proof from {old_size} to {new_size}")
    out: list[Range] = []
    start, end, m, complete = 0, new_size, old_size, True
    while True:
        n = end - start
        if m == n:
            if not complete:
                out.append((start, end))
            break
        k = split(n)
        if m <= k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            start, m, complete = start + k, m - k, False
    out.reverse()
    return out


def nodes_of(ranges: Iterable[Range]) -> set[Node]:
    """Every stored node the ranges need (read them in one query)."""
    return {node for r in ranges for node in range_nodes(*r)}


def heads(ranges: Iterable[Range], nodes: Mapping[Node, bytes]) -> list[bytes]:
    """The tree head of each range, from the nodes read."""
    return [fold([nodes[n] for n in range_nodes(*r)]) for r in ranges]


def append_siblings(index: int) -> list[Node]:
    """The left siblings that leaf ``index`` completes subtrees with (one per trailing 1-bit
    of ``index``), lowest level first."""
    out: list[Node] = []
    level = 0
    while (index >> level) & 1:
        out.append((level, (index >> level) - 1))
        level += 1
    return out


def appended_nodes(index: int, leaf: bytes, siblings: Sequence[bytes]) -> list[tuple[Node, bytes]]:
    """The nodes to store when leaf hash ``leaf`` becomes leaf ``index``: the leaf, and each
    complete subtree it closes (``siblings`` as :func:`append_siblings` names them)."""
    out = [((0, index), leaf)]
    acc = leaf
    for level, left in enumerate(siblings):
        acc = node_hash(left, acc)
        out.append(((level + 1, index >> (level + 1)), acc))
    return out


#: The first line of every event leaf (docs/transparency-log.md §1).
LEAF_PREFIX = b"shuangsuiji-event/1\n"
LEAF_KEYS = ("action", "actor", "at", "object_id", "object_type", "payload_digest", "seq",
             "tenant")


def event_leaf(fields: Mapping[str, object]) -> bytes:
    """The leaf bytes of one audit event from its public fields (exactly :data:`LEAF_KEYS`)."""
    if set(fields) != set(LEAF_KEYS):
        raise ValueError(f"an event leaf has the fields {', '.join(LEAF_KEYS)}; "
                         f"got {', '.join(sorted(fields))}")
    return LEAF_PREFIX + canonical_json(dict(fields))


def prefix_roots(leaves: Sequence[bytes], sizes: Iterable[int]) -> dict[int, bytes]:
    """The tree heads of the first ``s`` leaves for each ``s`` in ``sizes`` (each at most
    ``len(leaves)``), in one pass: O(n + k log n) instead of O(n·k)."""
    wanted = sorted(set(sizes))
    out: dict[int, bytes] = {}
    frontier: list[bytes] = []  # complete subtrees, largest first
    counts: list[int] = []
    pending = iter(wanted)
    target = next(pending, None)
    for n in range(len(leaves) + 1):
        while target is not None and target == n:
            out[n] = fold(frontier)
            target = next(pending, None)
        if n == len(leaves) or target is None:
            break
        acc, size = leaves[n], 1
        while counts and counts[-1] == size:
            acc = node_hash(frontier.pop(), acc)
            size += counts.pop()
        frontier.append(acc)
        counts.append(size)
    return out
