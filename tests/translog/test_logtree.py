"""Proofs assembled from stored subtrees equal the O(n) RFC 9162 reference, for every size."""

from __future__ import annotations

import hashlib

import pytest

from shuangsuiji.kernel import logtree, merkle


def _leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(hashlib.sha256(str(i).encode()).digest()) for i in range(n)]


def _store(leaves: list[bytes]) -> dict[logtree.Node, bytes]:
    """Append leaf by leaf, as the log does, reading only the siblings it names."""
    nodes: dict[logtree.Node, bytes] = {}
    for i, leaf in enumerate(leaves):
        siblings = [nodes[n] for n in logtree.append_siblings(i)]
        nodes.update(logtree.appended_nodes(i, leaf, siblings))
    return nodes


LEAVES = _leaves(70)
NODES = _store(LEAVES)


@pytest.mark.parametrize("size", range(1, 71))
def test_root_inclusion_and_consistency_equal_the_reference(size: int) -> None:
    leaves = LEAVES[:size]
    assert logtree.heads([(0, size)], NODES) == [merkle.root(leaves)]
    for index in range(size):
        ranges = logtree.inclusion_ranges(index, size)
        proof = logtree.heads(ranges, NODES)
        assert proof == merkle.inclusion_proof(leaves, index)
        assert merkle.verify_inclusion(index, size, leaves[index], proof, merkle.root(leaves))
    for old in range(1, size + 1):
        proof = logtree.heads(logtree.consistency_ranges(old, size), NODES)
        assert proof == merkle.consistency_proof(leaves, old)


def test_reads_are_logarithmic() -> None:
    size = 1_000_003
    for index in (0, 1, size // 2, size - 1):
        assert len(logtree.nodes_of(logtree.inclusion_ranges(index, size))) <= 2 * 21
    assert len(logtree.nodes_of(logtree.consistency_ranges(12345, size))) <= 2 * 21
    assert len(logtree.range_nodes(0, size)) == bin(size).count("1")
    assert len(logtree.append_siblings(2**20 - 1)) == 20


def test_ranges_outside_the_tree_are_refused() -> None:
    with pytest.raises(ValueError):
        logtree.inclusion_ranges(5, 5)
    with pytest.raises(ValueError):
        logtree.consistency_ranges(0, 5)
    with pytest.raises(ValueError):
        logtree.range_nodes(3, 7)


def test_prefix_roots_in_one_pass() -> None:
    sizes = [0, 1, 2, 3, 7, 8, 9, 31, 64, 70]
    assert logtree.prefix_roots(LEAVES, sizes) == {s: merkle.root(LEAVES[:s]) for s in sizes}
