"""RFC 6962/9162 Merkle trees: the definitions, proofs generated and verified both ways."""

from __future__ import annotations

import hashlib

import pytest

from shuangsuiji.kernel import merkle


def _mth(data: list[bytes]) -> bytes:
    """MTH written as RFC 6962 §2.1 states it, recursively, from the leaves' data."""
    if not data:
        return hashlib.sha256(b"").digest()
    if len(data) == 1:
        return hashlib.sha256(b"\x00" + data[0]).digest()
    k = 1
    while k * 2 < len(data):
        k *= 2
    return hashlib.sha256(b"\x01" + _mth(data[:k]) + _mth(data[k:])).digest()


# The leaves used by the Certificate Transparency reference tests (RFC 6962's examples).
LEAVES = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43",
          b"\x50\x51\x52\x53\x54\x55\x56\x57", b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69"
          b"\x6a\x6b\x6c\x6d\x6e\x6f"]


def test_root_of_the_reference_leaves() -> None:
    hashes = [merkle.leaf_hash(d) for d in LEAVES]
    # published root of the eight reference leaves (certificate-transparency test data)
    assert merkle.root(hashes).hex() == (
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")
    for n in range(len(LEAVES) + 1):
        assert merkle.root(hashes[:n]) == _mth(LEAVES[:n])


@pytest.mark.parametrize("size", range(1, 34))
def test_every_inclusion_proof_verifies_and_no_other_leaf_does(size: int) -> None:
    data = [f"leaf {i}".encode() for i in range(size)]
    hashes = [merkle.leaf_hash(d) for d in data]
    top = merkle.root(hashes)
    assert top == _mth(data)
    for i in range(size):
        proof = merkle.inclusion_proof(hashes, i)
        assert len(proof) <= size.bit_length()
        assert merkle.verify_inclusion(i, size, hashes[i], proof, top)
        assert not merkle.verify_inclusion(i, size, merkle.leaf_hash(b"other"), proof, top)
        if size > 1:
            assert not merkle.verify_inclusion((i + 1) % size, size, hashes[i], proof, top)
        if proof:
            assert not merkle.verify_inclusion(i, size, hashes[i], proof[:-1], top)
            assert not merkle.verify_inclusion(i, size, hashes[i], [*proof, top], top)


@pytest.mark.parametrize("new_size", range(1, 34))
def test_every_consistency_proof_verifies_and_a_rewritten_prefix_does_not(new_size: int) -> None:
    hashes = [merkle.leaf_hash(f"event {i}".encode()) for i in range(new_size)]
    new_root = merkle.root(hashes)
    for old_size in range(1, new_size + 1):
        old_root = merkle.root(hashes[:old_size])
        proof = merkle.consistency_proof(hashes, old_size)
        assert merkle.verify_consistency(old_size, new_size, old_root, new_root, proof)
        rewritten = [*hashes[: old_size - 1], merkle.leaf_hash(b"rewritten")]
        assert not merkle.verify_consistency(
            old_size, new_size, merkle.root(rewritten), new_root, proof)
        if old_size < new_size:
            assert not merkle.verify_consistency(
                old_size, new_size - 1, old_root, merkle.root(hashes[:-1]), proof)


def test_the_root_over_chunks_of_leaf_data_is_the_root_over_all_leaves(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # chunks of 4 leaves: every size up to 70 crosses several
    monkeypatch.setattr(merkle, "CHUNK", 4)
    for size in range(71):
        data = [f"line {i}".encode() for i in range(size)]
        expected = _mth(data)
        assert merkle.root([merkle.leaf_hash(d) for d in data]) == expected
        assert merkle.data_root(iter(data), size) == expected, size
        assert merkle.data_root(data, size) == expected, size


def test_the_root_over_leaf_data_refuses_a_count_that_is_not_the_leaves() -> None:
    data = [b"a", b"b", b"c"]
    for size in (2, 4):
        with pytest.raises(ValueError, match="leaves"):
            merkle.data_root(data, size)
