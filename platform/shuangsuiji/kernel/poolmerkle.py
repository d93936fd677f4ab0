"""The pool's Merkle tree (docs/draw-spec.md §10.2): what an announcement's ``merkle_root``
commits to, and a company's inclusion proof against it.

Two tree shapes, by the announcement's format:

* ``shuangsuiji-announcement/1`` and ``/2``: a leaf per pool line (without its LF);
* ``shuangsuiji-announcement/3``: a leaf per **block** of :data:`BLOCK_LINES` consecutive
  lines, each block the pool's §3.3 text itself (every line with its LF), so that the
  leaves joined are the text the pool digest hashes. A million-target pool has ~3,900
  leaves instead of a million: the tree costs one pass of SHA-256 over the text and a few
  thousand calls, not two million.

Pure and standard-library only (the verifiers share it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from shuangsuiji.kernel import merkle
from shuangsuiji.kernel.canonical import canonical_json
from shuangsuiji.kernel.errors import InvalidInput
from shuangsuiji.kernel.model import FrozenPool
from shuangsuiji.kernel.pool import POOL_FORMAT, excluded_lines, pool_header
from shuangsuiji.messages import msg

#: Lines of the pool's text per Merkle leaf in a ``shuangsuiji-announcement/3``.
BLOCK_LINES = 256
#: The announcement formats whose pool tree has a leaf per line.
LINE_LEAF_FORMATS = ("shuangsuiji-announcement/1", "shuangsuiji-announcement/2")


def pool_lines(pool: FrozenPool) -> Iterator[bytes]:
    """The pool's canonical lines (§3.3) without their LF, in order."""
    yield POOL_FORMAT.encode()
    yield canonical_json(pool_header(pool.task, pool.sampling, pool.rules))
    for s in pool.strata:
        yield f"stratum\t{s.name}\t{s.ratio_permille}\t{s.size}\t{len(s.lines)}".encode()
        yield from s.lines
    chunks = (
        pool.excluded_text if pool.excluded_text or not pool.excluded
        else tuple(excluded_lines(pool.excluded))
    )
    for chunk in chunks:
        yield from chunk.split(b"\n")[:-1]


def line_count(pool: FrozenPool) -> int:
    """The number of the pool's §3.3 lines."""
    return 2 + sum(1 + len(s.lines) for s in pool.strata) + len(pool.excluded)


def blocks(lines: Iterable[bytes], per_block: int = BLOCK_LINES) -> Iterator[bytes]:
    """The text of ``lines`` (each without its LF) cut into blocks of ``per_block`` lines,
    each line ending in LF: the /3 tree's leaf data, in order."""
    it = iter(lines)
    while block := list(islice(it, per_block)):
        block.append(b"")
        yield b"\n".join(block)


def block_root(lines: Iterable[bytes], count: int) -> bytes:
    """MTH over the blocks of ``count`` lines (``lines`` must give exactly that many)."""
    leaves = -(-count // BLOCK_LINES)
    last = [b""]

    def remembered() -> Iterator[bytes]:
        for block in blocks(lines):
            last[0] = block
            yield block

    # data_root takes exactly ``leaves`` blocks, and every block but the last is full: only
    # the last one's lines are left to count
    top = merkle.data_root(remembered(), leaves)
    found = max(leaves - 1, 0) * BLOCK_LINES + last[0].count(b"\n")
    if found != count:
        raise ValueError(f"{found} lines, not {count}")
    return top


def pool_root(pool: FrozenPool, fmt: str = "shuangsuiji-announcement/3") -> tuple[str, int]:
    """The Merkle root (hex) of the pool's lines, shaped as ``fmt`` defines, and the
    number of lines."""
    size = line_count(pool)
    if fmt in LINE_LEAF_FORMATS:
        return merkle.data_root(pool_lines(pool), size).hex(), size
    return block_root(pool_lines(pool), size).hex(), size


def member_proof(lines: Sequence[bytes], credit_code: str,
                 fmt: str = "shuangsuiji-announcement/3") -> dict[str, Any]:
    """Where ``credit_code`` is in the pool whose lines (without LF) are ``lines``, with an
    inclusion proof of its line (the member's, or the excluded target's).

    Returns ``{"index", "size", "line", "proof": [hex…], "root"}`` and, for /3, also
    ``"block"`` (the leaf's index), ``"blocks"`` (the leaves) and ``"block_lines"`` (the
    lines of that leaf, the company's among them). Raises InvalidInput when the code is not
    in the pool.
    """
    member = f"member\t{credit_code}\t".encode()
    excluded = f"excluded\t{credit_code}\t".encode()
    index = next((i for i, line in enumerate(lines)
                  if line.startswith(member) or line.startswith(excluded)), None)
    if index is None:
        raise InvalidInput(msg("credit code %(code)r is not in this pool", code=credit_code))
    out: dict[str, Any] = {"index": index, "size": len(lines),
                           "line": lines[index].decode("utf-8")}
    if fmt in LINE_LEAF_FORMATS:
        hashes = [merkle.leaf_hash(line) for line in lines]
        leaf = index
    else:
        hashes = [merkle.leaf_hash(block) for block in blocks(lines)]
        leaf = index // BLOCK_LINES
        start = leaf * BLOCK_LINES
        out.update(block=leaf, blocks=len(hashes),
                   block_lines=[x.decode("utf-8") for x in lines[start:start + BLOCK_LINES]])
    out["proof"] = [p.hex() for p in merkle.inclusion_proof(hashes, leaf)]
    out["root"] = merkle.root(hashes).hex()
    return out


def verify_member_proof(proof: dict[str, Any], root_hex: str) -> bool:
    """Does ``proof`` (from :func:`member_proof`) show its line in the tree ``root_hex``?"""
    path = [bytes.fromhex(p) for p in proof["proof"]]
    root = bytes.fromhex(root_hex)
    line = str(proof["line"])
    if "block" not in proof:
        return merkle.verify_inclusion(int(proof["index"]), int(proof["size"]),
                                       merkle.leaf_hash(line.encode("utf-8")), path, root)
    block, lines = int(proof["block"]), [str(x) for x in proof["block_lines"]]
    index, size, leaves = int(proof["index"]), int(proof["size"]), int(proof["blocks"])
    if not (block == index // BLOCK_LINES and lines[index % BLOCK_LINES:][:1] == [line]
            and leaves == -(-size // BLOCK_LINES)
            and len(lines) == min(BLOCK_LINES, size - block * BLOCK_LINES)
            and not any("\n" in x for x in lines)):
        return False  # the line is not where the proof says, or the block is not whole
    data = "".join(f"{x}\n" for x in lines).encode("utf-8")
    return merkle.verify_inclusion(block, leaves, merkle.leaf_hash(data), path, root)
