"""The worked vectors in docs/draw-spec.md, checked against the code: spec and code agree."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from shuangsuiji.kernel import Stream, sample, verify_bundle

SPEC = Path(__file__).resolve().parents[2] / "docs" / "draw-spec.md"
VECTOR = re.compile(r"<!-- vector: (\w+) -->\s*```json\n(.*?)\n```", re.S)


def vectors() -> dict[str, Any]:
    found = {name: json.loads(body) for name, body in VECTOR.findall(SPEC.read_text("utf-8"))}
    assert set(found) == {"stream", "below", "sample", "bundle", "merkle", "beacon", "seed",
                          "bundle2", "recusal"}, "a vector is missing"
    return found


def test_stream_words() -> None:
    v = vectors()["stream"]
    s = Stream(v["seed"], v["label"])
    assert [f"{s.word():016x}" for _ in v["words"]] == v["words"]


def test_below() -> None:
    v = vectors()["below"]
    s = Stream(v["seed"], v["label"])
    assert [s.below(n) for n in v["n"]] == v["results"]


def test_sample() -> None:
    v = vectors()["sample"]
    assert sample(Stream(v["seed"], v["label"]), v["n"], v["k"]) == v["positions"]


def test_bundle_vector_verifies() -> None:
    bundle = vectors()["bundle"]
    report = verify_bundle(bundle)
    assert report.ok, str(report)
    assert bundle["recusals"][0]["mode"] == "withdraw"


@pytest.mark.parametrize("where", ["digests.pool", "result.groups[0].leader"])
def test_bundle_vector_is_not_verified_blindly(where: str) -> None:
    bundle = vectors()["bundle"]
    if where == "digests.pool":
        bundle["digests"]["pool"] = "0" * 64
    else:
        bundle["result"]["groups"][0]["leader"] = "P1"
    assert verify_bundle(bundle).path == where


def test_digests_recomputed_from_the_spec_text_alone() -> None:
    """§3.3 and §6 followed literally, without the kernel's serialisation code."""
    import hashlib

    bundle = vectors()["bundle"]

    def cj(v: Any) -> str:
        return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    cites = {
        "once_per_year": bundle["pool_rules"]["exclusion_policy"]["cite"]["article"],
        "same_quarter_other_divisions": bundle["pool_rules"]["exclusion_policy"]["cite"]["article"],
    }
    lines = [
        "shuangsuiji-pool/1",
        cj({"task": bundle["task"], "sampling": bundle["sampling"], "rules": bundle["pool_rules"]}),
    ]
    for s in bundle["pool"]["strata"]:
        lines.append(
            f"stratum\t{s['name']}\t{s['ratio_permille']}\t{s['size']}\t{len(s['members'])}"
        )
        lines += [f"member\t{c}\t{n}\t{','.join(f)}" for c, n, f in s["members"]]
    for c, n, rule, trigger in bundle["pool"]["excluded"]:
        lines.append(f"excluded\t{c}\t{n}\t{rule}\t{cites[rule]}\t{trigger or ''}")
    text = "".join(line + "\n" for line in lines)
    assert hashlib.sha256(text.encode()).hexdigest() == bundle["digests"]["pool"]

    body = {k: v for k, v in bundle.items() if k not in ("pool", "digests")}
    body["pool_digest"] = bundle["digests"]["pool"]
    assert hashlib.sha256(cj(body).encode()).hexdigest() == bundle["digests"]["draw"]


# --- v2 (§10–§15) -----------------------------------------------------------------------


def test_pool_merkle_vector() -> None:
    import hashlib

    from shuangsuiji.kernel import announce, merkle, result_from_bundle

    v = vectors()["merkle"]
    lines = list(announce.pool_lines(result_from_bundle(vectors()["bundle"]).pool))
    assert [x.decode() for x in lines] == v["lines"]
    assert hashlib.sha256("".join(x + "\n" for x in v["lines"]).encode()).hexdigest() == \
        vectors()["bundle"]["digests"]["pool"]
    # the tree from the spec's definition, written out here
    def mth(leaves: list[bytes]) -> bytes:
        if len(leaves) == 1:
            return hashlib.sha256(b"\x00" + leaves[0]).digest()
        k = 1 << ((len(leaves) - 1).bit_length() - 1)
        return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()

    assert mth([x.encode() for x in v["lines"]]).hex() == v["merkle_root"]
    proof = announce.member_proof(lines, v["member"])
    assert (proof["index"], proof["size"], proof["proof"]) == (v["index"], v["size"], v["proof"])
    assert merkle.verify_inclusion(
        v["index"], v["size"], merkle.leaf_hash(v["lines"][v["index"]].encode()),
        [bytes.fromhex(p) for p in v["proof"]], bytes.fromhex(v["merkle_root"]))


def test_beacon_vector() -> None:
    import hashlib

    from shuangsuiji.kernel import beacon

    v = vectors()["beacon"]
    assert v["chain_hash"] == beacon.QUICKNET["chain_hash"]
    assert hashlib.sha256(v["round"].to_bytes(8, "big")).hexdigest() == v["message"]
    assert hashlib.sha256(bytes.fromhex(v["signature"])).hexdigest() == v["randomness"]
    assert beacon.round_time(beacon.QUICKNET, v["round"]) == v["round_time"]
    assert beacon.check_signature(beacon.QUICKNET, v["round"], v["signature"]).valid
    assert not beacon.check_signature(beacon.QUICKNET, v["round"] + 1, v["signature"]).valid


def test_seed_vector() -> None:
    import hashlib

    from shuangsuiji.kernel import announce, canonical_json

    v, bundle = vectors()["seed"], vectors()["bundle2"]
    assert announce.announcement_digest(bundle["announcement"]) == v["announcement_digest"]
    assert [[p, hashlib.sha256(s.encode()).hexdigest()] for p, s in v["reveals"]] == \
        v["commitments"]
    body = {"format": "shuangsuiji-seed/1", "announcement": v["announcement_digest"],
            "commitments": v["commitments"], "reveals": v["reveals"], "beacon": v["beacon"]}
    assert hashlib.sha256(canonical_json(body)).hexdigest() == v["seed"] == bundle["seed"]
    assert bundle["seed_inputs"]["commitments"] == v["commitments"]


def test_bundle2_vector_verifies_and_honours_its_conflict() -> None:
    bundle = vectors()["bundle2"]
    report = verify_bundle(bundle)
    assert report.ok, str(report)
    assert bundle["format"] == "shuangsuiji-draw/2"
    person, code = bundle["announcement"]["conflicts"][0]
    for g in bundle["result"]["groups"]:
        assert not (code in g["targets"] and person in g["members"])
    bundle["seed_inputs"]["reveals"][0][1] = "x" * 32
    assert not verify_bundle(bundle).ok


def test_recusal_key_vector() -> None:
    import hashlib

    from shuangsuiji.kernel import announce, canonical_json

    v = vectors()["recusal"]
    body = {"format": "shuangsuiji-recusal-seed/1", "seed": v["seed"], "step": v["step"],
            "declaration": v["declaration"], "beacon": v["beacon"]}
    assert hashlib.sha256(canonical_json(body)).hexdigest() == v["stream_seed"]
    assert announce.recusal_seed(v["seed"], v["step"], v["declaration"], v["beacon"]) == \
        v["stream_seed"]
