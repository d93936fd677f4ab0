"""RFC 6962/9162 Merkle trees: the definitions, proofs generated and verified both ways."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

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


@pytest.mark.parametrize("fork", [False, True])
def test_the_root_over_chunks_of_leaf_data_is_the_root_over_all_leaves(
        monkeypatch: pytest.MonkeyPatch, fork: bool) -> None:
    # chunks of 4 leaves, a child forked from 8: every size up to 70 crosses both
    monkeypatch.setattr(merkle, "CHUNK", 4)
    monkeypatch.setattr(merkle, "_FORK_FROM", 8)
    monkeypatch.setattr(merkle, "_alone", lambda: True)
    for size in range(71):
        data = [f"line {i}".encode() for i in range(size)]
        expected = _mth(data)
        assert merkle.root([merkle.leaf_hash(d) for d in data]) == expected
        assert merkle.data_root(iter(data), size, fork=fork) == expected, size
        assert merkle.data_root(data, size, fork=fork) == expected, size


def test_the_root_over_leaf_data_refuses_a_count_that_is_not_the_leaves() -> None:
    data = [b"a", b"b", b"c"]
    for size in (2, 4):
        with pytest.raises(ValueError, match="leaves"):
            merkle.data_root(data, size)


def test_a_child_that_cannot_be_forked_leaves_the_work_to_this_process(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(merkle, "_FORK_FROM", 8)
    data = [f"line {i}".encode() for i in range(50)]

    def no_fork() -> int:
        raise OSError("no more processes")

    monkeypatch.setattr(merkle.os, "fork", no_fork)
    assert merkle.data_root(data, 50, fork=True) == _mth(data)


def test_the_offline_verifier_hashes_half_the_pools_tree_in_a_child(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """`python -m shuangsuiji.kernel.verify` (and `ssj verify`) let a forked child hash the
    left subtree of a v2 bundle's pool; the root is the same, so the bundle verifies, and a
    pool changed after the announcement is still refused."""
    from shuangsuiji.kernel import canonical_json
    from shuangsuiji.kernel.verify import main
    from tests.kernel.test_announce import redigest, v2_bundle

    monkeypatch.setattr(merkle, "_FORK_FROM", 8)  # the test's pool: 30 members
    monkeypatch.setattr(merkle, "_alone", lambda: True)  # (pytest's workers have threads)
    forks: list[int] = []
    real_fork = os.fork

    def counted_fork() -> int:
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(merkle.os, "fork", counted_fork)
    bundle = v2_bundle()
    path = tmp_path / "b.json"
    path.write_bytes(canonical_json(bundle))
    assert main([str(path)], env={}) == 0, capsys.readouterr()
    assert forks == [1]
    bundle["announcement"]["pool"]["merkle_root"] = "0" * 64
    path.write_bytes(canonical_json(redigest(bundle)))
    assert main([str(path)], env={}) == 1
    assert "announcement.pool.merkle_root" in capsys.readouterr().err
    assert forks == [1, 1]


def test_no_child_is_forked_beside_another_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    monkeypatch.setattr(merkle, "_FORK_FROM", 8)
    monkeypatch.setattr(merkle.os, "fork", lambda: pytest.fail("forked beside a thread"))
    data = [f"line {i}".encode() for i in range(50)]
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert merkle.data_root(data, 50, fork=True) == _mth(data)
    finally:
        stop.set()
        other.join()
