"""The pool's Merkle tree in blocks of 256 lines (``shuangsuiji-announcement/3``,
docs/draw-spec.md §10.2): what the platform announces now, what a verifier recomputes, a
company's block proof, and the formats before it still verifying as they did."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

import pytest

from shuangsuiji.kernel import (
    DrawParams,
    Sampling,
    announce,
    draw,
    draw_digest,
    freeze_pool,
    make_bundle,
    merkle,
    poolmerkle,
    verify_bundle,
)
from tests.kernel import builders as b

PARAMS = DrawParams(scope="within_department", group_count=3, experts_count=2)


def _pool(n: int = 700) -> Any:
    flags = {i: frozenset({"complaints"}) for i in range(0, n, 50)}
    return freeze_pool(b.targets(n, flags), [], b.task(), Sampling(150),
                       b.pool_rules(risk_rules=(b.risk("complaints"),)))


def _bundle(pool: Any = None) -> dict[str, Any]:
    """A v2 bundle announced (in the current format) with a ceremony seed: its seed does not
    depend on the announcement, so a test may rewrite the announcement and redigest."""
    pool = pool if pool is not None else _pool()
    a = announce.make_announcement(
        pool, params=PARAMS, rules=b.draw_rules(), inspectors=b.inspectors(10),
        experts=b.experts(5), pack="test", version="1",
        procedure=announce.seed_procedure("ceremony"), announced_at="2026-03-30T02:00:00Z")
    result = draw(pool, "typed at the ceremony", rules=b.draw_rules(), params=PARAMS,
                  inspectors=b.inspectors(10), experts=b.experts(5))
    return make_bundle(result, announcement=a,
                       seed_inputs={"commitments": [], "reveals": [], "beacon": None})


def _redigest(bundle: dict[str, Any]) -> dict[str, Any]:
    bundle["digests"]["draw"] = draw_digest(bundle, bundle["digests"]["pool"])
    return bundle


def legacy(bundle: dict[str, Any], fmt: str) -> dict[str, Any]:
    """``bundle`` with its /3 announcement made as it was in ``fmt`` (/1 or /2, before
    blocks): the per-line tree, no ``block_lines``; /1 without ``joint``. Not redigested."""
    from shuangsuiji.kernel import result_from_bundle

    out = copy.deepcopy(bundle)
    a = out["announcement"]
    a["format"] = fmt
    lines = list(poolmerkle.pool_lines(result_from_bundle(bundle).pool))
    pool = a["pool"]
    del pool["block_lines"]
    pool["merkle_root"] = merkle.data_root(iter(lines), len(lines)).hex()
    if fmt == announce.ANNOUNCEMENT_FORMAT:
        a.pop("joint", None)
    return out


def _text(pool: Any) -> list[bytes]:
    return list(poolmerkle.pool_lines(pool))


def test_the_announced_root_is_over_blocks_of_the_pool_text() -> None:
    pool = _pool()
    lines = _text(pool)
    assert len(lines) > 2 * 256  # three blocks
    a = _bundle(pool)["announcement"]
    assert a["format"] == "shuangsuiji-announcement/3" and "joint" not in a
    assert list(a["pool"]) == ["digest", "merkle_root", "block_lines", "lines", "size",
                               "excluded"]
    assert a["pool"]["block_lines"] == 256 and a["pool"]["lines"] == len(lines)
    text = b"".join(x + b"\n" for x in lines)
    assert hashlib.sha256(text).hexdigest() == a["pool"]["digest"]
    # from the spec's words: cut the text after every 256th LF, leaf = SHA-256(0x00 || block)
    cuts = text.split(b"\n")[:-1]
    data = [b"".join(x + b"\n" for x in cuts[k:k + 256]) for k in range(0, len(cuts), 256)]
    assert b"".join(data) == text and len(data) == 3
    expected = merkle.root([hashlib.sha256(b"\x00" + d).digest() for d in data]).hex()
    assert a["pool"]["merkle_root"] == expected
    # not the per-line tree of /1 and /2
    assert expected != poolmerkle.pool_root(pool, "shuangsuiji-announcement/1")[0]


def test_a_block_announcement_verifies_and_each_change_is_refused_by_path() -> None:
    bundle = _bundle()
    report = verify_bundle(copy.deepcopy(bundle))
    assert report.ok, str(report)
    cases: dict[str, tuple[str, Any]] = {
        "announcement.pool.block_lines": ("block_lines", 128),
        "announcement.pool.merkle_root": (
            "merkle_root", poolmerkle.pool_root(_pool(), "shuangsuiji-announcement/1")[0]),
        "announcement.pool.lines": ("lines", bundle["announcement"]["pool"]["lines"] + 1),
    }
    for path, (key, value) in cases.items():
        forged = copy.deepcopy(bundle)
        forged["announcement"]["pool"][key] = value
        report = verify_bundle(_redigest(forged))
        assert not report.ok and report.path == path, (path, str(report))
    forged = copy.deepcopy(bundle)
    del forged["announcement"]["pool"]["block_lines"]
    report = verify_bundle(_redigest(forged))
    assert not report.ok and report.path == "announcement.pool.block_lines", str(report)


def test_announcements_made_before_blocks_still_verify() -> None:
    bundle = _bundle()
    pool = bundle["announcement"]["pool"]
    old = legacy(bundle, announce.ANNOUNCEMENT_FORMAT)
    assert list(old["announcement"]["pool"]) == ["digest", "merkle_root", "lines", "size",
                                                 "excluded"]
    report = verify_bundle(_redigest(old))
    assert report.ok, str(report)
    # a /1 announcement with the block root, or with block_lines, is not a /1 announcement
    wrong = copy.deepcopy(old)
    wrong["announcement"]["pool"]["merkle_root"] = pool["merkle_root"]
    assert verify_bundle(_redigest(wrong)).path == "announcement.pool.merkle_root"
    wrong = copy.deepcopy(old)
    wrong["announcement"]["pool"]["block_lines"] = 256
    assert not verify_bundle(_redigest(wrong)).ok


def test_a_joint_block_announcement_must_list_its_participants() -> None:
    from tests.kernel import spec_vectors_more as more

    bundle = more.joint_bundle()
    assert bundle["announcement"]["format"] == "shuangsuiji-announcement/3"
    assert verify_bundle(copy.deepcopy(bundle)).ok
    forged = copy.deepcopy(bundle)
    del forged["announcement"]["joint"]
    report = verify_bundle(_redigest(forged))
    assert not report.ok and report.path == "announcement.joint", str(report)
    # the same task announced as /2 (per-line tree, with joint) before /3 existed: verified
    report = verify_bundle(_redigest(legacy(bundle, announce.JOINT_ANNOUNCEMENT_FORMAT)))
    assert report.ok, str(report)
    # ... and as /1, which did not list the participants: verified, with a note
    report = verify_bundle(_redigest(legacy(bundle, announce.ANNOUNCEMENT_FORMAT)))
    assert report.ok and any("does not list the participants" in n for n in report.notes)


@pytest.mark.parametrize("where", [0, 255, 256, 300, 511, 512, 600])
def test_a_block_proof_shows_the_line_and_nothing_else(where: int) -> None:
    lines = _text(_pool())
    while not lines[where].startswith((b"member\t", b"excluded\t")):
        where += 1  # a header or stratum line: the next member's
    code = lines[where].split(b"\t")[1].decode()
    proof = poolmerkle.member_proof(lines, code)
    root = poolmerkle.pool_root(_pool())[0]
    assert proof["root"] == root and proof["block"] == where // 256 and proof["blocks"] == 3
    assert proof["block_lines"][where % 256] == proof["line"]
    assert poolmerkle.verify_member_proof(proof, root)
    tampered = []
    t = copy.deepcopy(proof)
    t["line"] = t["line"].replace("企业", "企 业", 1)
    tampered.append(t)
    t = copy.deepcopy(proof)
    t["block_lines"][where % 256] = t["block_lines"][where % 256] + "x"
    t["line"] = t["block_lines"][where % 256]
    tampered.append(t)  # the company's own line changed in the block: the leaf differs
    t = copy.deepcopy(proof)
    t["block_lines"] = t["block_lines"][:-1]
    tampered.append(t)  # a block cut short
    t = copy.deepcopy(proof)
    t["index"] = where + 256 if where + 256 < len(lines) else where - 256
    tampered.append(t)  # the line claimed in another block
    t = copy.deepcopy(proof)
    t["blocks"] = 4
    tampered.append(t)  # a tree of another size
    if proof["block"] == proof["blocks"] - 1 and where % 256 >= 2:
        # in the last block, a pool claimed one line longer than the block holds
        t = copy.deepcopy(proof)
        t["size"] += 1
        tampered.append(t)
        # ... or two lines of the block given as one (the same bytes, so the same leaf) to
        # move the company's line one place up, the pool claimed one line shorter
        t = copy.deepcopy(proof)
        t["block_lines"][0:2] = [t["block_lines"][0] + "\n" + t["block_lines"][1]]
        t["index"] -= 1
        t["size"] -= 1
        tampered.append(t)
    for t in tampered:
        assert not poolmerkle.verify_member_proof(t, root), t["index"]


def test_the_block_tree_is_the_tree_of_the_text_for_every_small_size() -> None:
    for n in (1, 2, 255, 256, 257, 511, 512, 513, 1025):
        lines = [f"l{i}".encode() for i in range(n)]
        text = b"".join(x + b"\n" for x in lines)
        data, start, seen = [], 0, 0
        for i, ch in enumerate(text):  # cut the text after every 256th LF
            seen += ch == 10
            if ch == 10 and (seen % 256 == 0 or i == len(text) - 1):
                data.append(text[start:i + 1])
                start = i + 1
        want = merkle.root([merkle.leaf_hash(d) for d in data])
        assert poolmerkle.block_root(iter(lines), n) == want, n
        with pytest.raises(ValueError):
            poolmerkle.block_root(iter(lines), n + 1)
