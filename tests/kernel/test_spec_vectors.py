"""The worked vectors in docs/draw-spec.md, checked against the code: spec and code agree."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from shuangsuiji.kernel import Stream, sample, verify_bundle

SPEC = Path(__file__).resolve().parents[2] / "docs" / "draw-spec.md"
VECTOR = re.compile(r"<!-- vector: (\w+) -->\s*```json\n(.*?)\n```", re.S)


def vectors() -> dict[str, Any]:
    found = {name: json.loads(body) for name, body in VECTOR.findall(SPEC.read_text("utf-8"))}
    assert set(found) == {"stream", "below", "sample", "bundle", "merkle", "beacon", "seed",
                          "bundle2", "recusal", "classes", "announcement2", "joint",
                          "flagged", "blocks"}, \
        "a vector is missing"
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


def _cj(v: Any) -> str:
    """Canonical JSON as §1 defines it (sorted keys, no spaces, UTF-8 as it is)."""
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _spec_digests(bundle: dict[str, Any]) -> tuple[str, str]:
    """The pool digest (§3.3) and the draw digest (§6) of ``bundle``, written out from the
    spec's text, without the kernel's serialisation code."""
    import hashlib

    cj = _cj
    cites = {
        "once_per_year": bundle["pool_rules"]["exclusion_policy"]["cite"]["article"],
        "same_quarter_other_divisions": bundle["pool_rules"]["exclusion_policy"]["cite"]["article"],
    }
    cites |= {r["code"]: r["cite"]["article"] for r in bundle["pool_rules"]["extra_exclusions"]}
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
    pool = hashlib.sha256(text.encode()).hexdigest()
    body = {k: v for k, v in bundle.items() if k not in ("pool", "digests", "log")}
    body["pool_digest"] = pool
    return pool, hashlib.sha256(cj(body).encode()).hexdigest()


@pytest.mark.parametrize("name", ["bundle", "bundle2", "classes", "joint", "flagged"])
def test_digests_recomputed_from_the_spec_text_alone(name: str) -> None:
    """§3.3 and §6 followed literally, without the kernel's serialisation code."""
    bundle = vectors()[name]
    assert _spec_digests(bundle) == (bundle["digests"]["pool"], bundle["digests"]["draw"])


# --- v2 (§10–§15) -----------------------------------------------------------------------


def test_pool_merkle_vector() -> None:
    import hashlib

    from shuangsuiji.kernel import merkle, poolmerkle, result_from_bundle

    v = vectors()["merkle"]
    lines = list(poolmerkle.pool_lines(result_from_bundle(vectors()["bundle"]).pool))
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
    proof = poolmerkle.member_proof(lines, v["member"], "shuangsuiji-announcement/1")
    assert (proof["index"], proof["size"], proof["proof"]) == (v["index"], v["size"], v["proof"])
    assert merkle.verify_inclusion(
        v["index"], v["size"], merkle.leaf_hash(v["lines"][v["index"]].encode()),
        [bytes.fromhex(p) for p in v["proof"]], bytes.fromhex(v["merkle_root"]))


def test_block_tree_vector() -> None:
    """§10.2's /3 tree written out from the text (blocks of 256 lines, each with its LF),
    against the vector and the kernel."""
    import hashlib

    from shuangsuiji.kernel import merkle, poolmerkle

    v = vectors()["blocks"]
    lines = [f"line {i}" for i in range(600)]
    data = ["".join(x + "\n" for x in lines[k:k + 256]).encode() for k in range(0, 600, 256)]
    leaves = [hashlib.sha256(b"\x00" + d).digest() for d in data]
    assert [x.hex() for x in leaves] == v["leaves"] and v["block_lines"] == 256
    top = hashlib.sha256(b"\x01" + hashlib.sha256(b"\x01" + leaves[0] + leaves[1]).digest()
                         + leaves[2]).digest()
    assert top.hex() == v["merkle_root"]
    assert poolmerkle.block_root(iter(x.encode() for x in lines), 600).hex() == v["merkle_root"]
    assert v["block"] == v["index"] // 256 == 1
    assert merkle.verify_inclusion(1, 3, leaves[1], [bytes.fromhex(p) for p in v["proof"]], top)
    proof = poolmerkle.member_proof([b"member\tX\t" if i == 300 else x.encode()
                                     for i, x in enumerate(lines)], "X")
    assert proof["block"] == 1 and proof["blocks"] == 3 and len(proof["block_lines"]) == 256
    assert poolmerkle.verify_member_proof(proof, proof["root"])
    nine = [x.encode() for x in vectors()["merkle"]["lines"]]
    assert hashlib.sha256(b"\x00" + b"".join(x + b"\n" for x in nine)).hexdigest() == \
        v["pool9_root"] == poolmerkle.block_root(iter(nine), len(nine)).hex()


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

    from shuangsuiji.kernel import canonical_json, seeds

    v = vectors()["recusal"]
    body = {"format": "shuangsuiji-recusal-seed/1", "seed": v["seed"], "step": v["step"],
            "declaration": v["declaration"], "beacon": v["beacon"]}
    assert hashlib.sha256(canonical_json(body)).hexdigest() == v["stream_seed"]
    assert seeds.recusal_seed(v["seed"], v["step"], v["declaration"], v["beacon"]) == \
        v["stream_seed"]


# --- §15.1: credit-risk classes and a joint task ---------------------------------------


@pytest.mark.parametrize("name", ["classes", "joint", "flagged"])
def test_the_code_still_makes_the_spec_vectors(name: str) -> None:
    """The spec's vectors are the kernel's output for the inputs of spec_vectors_more:
    a change to the draw, the bundle or the announcement shows here as a difference."""
    from tests.kernel import spec_vectors_more as more

    made = {"classes": more.classes_bundle, "joint": more.joint_bundle,
            "flagged": more.flagged_bundle}[name]()
    assert json.loads(json.dumps(made, ensure_ascii=False)) == vectors()[name]


def test_class_vector_verifies_and_stratifies_by_class() -> None:
    bundle = vectors()["classes"]
    assert verify_bundle(bundle).ok
    strata = {s["name"]: s for s in bundle["pool"]["strata"]}
    assert [s["name"] for s in bundle["pool"]["strata"]] == [
        "risk:complaints", "class:D", "class:A", "general"]
    # §3.2 by hand: sizes round up, a class ratio is its own (10 ‰ < the task's 100 ‰)
    for name, ratio in (("class:D", 300), ("class:A", 10), ("general", 100)):
        s = strata[name]
        n = len(s["members"])
        assert s["ratio_permille"] == ratio and s["size"] == -(-n * ratio // 1000)
    assert strata["risk:complaints"]["members"][0][2] == ["class:D", "complaints"]
    assert [len(s["selected"]) for s in bundle["result"]["strata"]] == [1, 1, 1, 1]
    # a member moved to another class is a difference the verifier names
    moved = copy.deepcopy(bundle)
    moved["pool"]["strata"][1]["members"][0][2] = ["class:A"]
    assert not verify_bundle(moved).ok


def test_joint_vector_verifies_with_its_announced_participants() -> None:
    import hashlib

    from shuangsuiji.kernel import announce

    bundle = vectors()["joint"]
    report = verify_bundle(copy.deepcopy(bundle))
    assert report.ok, str(report)
    assert any("WEAKER" in n for n in report.notes)
    a = bundle["announcement"]
    assert a["format"] == "shuangsuiji-announcement/3" and a["joint"] == bundle["joint"]
    assert a["pool"]["block_lines"] == 256
    assert list(a) == ["format", "task", "sampling", "pool", "inspectors_digest",
                       "experts_digest", "draw_parameters", "joint", "rules", "seed_procedure",
                       "conflicts", "announced_at", "replaces"]
    digest = vectors()["announcement2"]["announcement_digest"]
    assert hashlib.sha256(_cj(a).encode()).hexdigest() == digest
    assert announce.announcement_digest(a) == digest
    # every group: one of DIV-1, one of DIV-2 (the quotas), then the free place; P7 never
    division = {p["person_id"]: p["division"] for p in bundle["inspectors"]}
    for g in bundle["result"]["groups"]:
        assert [division[m] for m in g["members"][:2]] == ["DIV-1", "DIV-2"]
    assert "P7" not in bundle["result"]["eligible_inspectors"]
    # a quota announced other than drawn (draw digest made again): refused by path
    forged = copy.deepcopy(bundle)
    forged["announcement"]["joint"]["participants"][0]["quota"] = 2
    forged["digests"]["draw"] = _spec_digests(forged)[1]
    assert verify_bundle(forged).path == "announcement.joint"


def test_the_standalone_verifier_verifies_the_class_and_joint_vectors(tmp_path: Path) -> None:
    from shuangsuiji import standalone
    from tests.kernel.test_standalone import run_pyz

    pyz = tmp_path / standalone.FILENAME
    pyz.write_bytes(standalone.build())
    for name in ("classes", "joint", "flagged"):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(vectors()[name], ensure_ascii=False), encoding="utf-8")
        out = run_pyz(pyz, path)
        assert out.returncode == 0 and out.stdout.startswith("bundle OK"), out.stdout + out.stderr
    for where, empty in empty_triggers().items():  # §15.2: "" is not null
        path = tmp_path / "empty.json"
        path.write_text(json.dumps(empty, ensure_ascii=False), encoding="utf-8")
        out = run_pyz(pyz, path)
        assert out.returncode == 1 and where in out.stderr, out.stdout + out.stderr
        out = subprocess.run([sys.executable, "-I", "-S", str(pyz), "--lang", "zh", str(path)],
                             capture_output=True, text=True, check=False)
        assert out.returncode == 1 and "不得为空字符串" in out.stderr, out.stdout + out.stderr
    forged = vectors()["joint"]
    forged["announcement"]["joint"]["participants"][0]["units"] = ["DIV-3"]
    forged["digests"]["draw"] = _spec_digests(forged)[1]
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")
    out = run_pyz(pyz, path)
    assert out.returncode == 1 and "announcement.joint" in out.stdout + out.stderr


# --- §15.2: an exclusion no task triggered ----------------------------------------------


def empty_triggers() -> dict[str, dict[str, Any]]:
    """The §15.2 vector with ``""`` as the trigger of its flag row (no task triggered it) and
    of its once_per_year row: each has the vector's own digests, and is refused."""
    out = {}
    for i in (0, 1):
        bundle = vectors()["flagged"]
        bundle["pool"]["excluded"][i][3] = ""
        out[f"pool.excluded[{i}][3]"] = bundle
    return out


def flag_trigger() -> dict[str, Any]:
    """The §15.2 vector with a task id as the trigger of its ``flag`` row (§3.1: a flag rule
    has no trigger), its digests made again so that only that rule can refuse it."""
    bundle = vectors()["flagged"]
    assert bundle["pool"]["excluded"][1][2] == "abnormal"
    bundle["pool"]["excluded"][1][3] = "T-2026-1"
    bundle["digests"]["pool"], bundle["digests"]["draw"] = _spec_digests(bundle)
    return bundle


def test_a_flag_exclusion_naming_a_trigger_is_refused() -> None:
    good = vectors()["flagged"]
    bundle = flag_trigger()
    assert _spec_digests(bundle) != (good["digests"]["pool"], good["digests"]["draw"])
    report = verify_bundle(bundle)
    assert not report.ok and report.path == "pool.excluded[1][3]", str(report)
    assert "flag rule abnormal" in str(report) and "null" in str(report)


def test_a_flag_exclusion_naming_a_trigger_is_refused_by_ssj_verify_and_the_pyz(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The stream reader of ``ssj verify`` and the single-file verifier, in both languages."""
    from shuangsuiji import standalone
    from shuangsuiji.kernel.verify import main
    from tests.kernel.test_standalone import run_pyz

    file = tmp_path / "bundle.json"
    file.write_text(json.dumps(flag_trigger(), ensure_ascii=False), encoding="utf-8")
    assert main([str(file)], env={}) == 1
    err = capsys.readouterr().err
    assert "pool.excluded[1][3]" in err and "flag rule abnormal" in err, err
    assert main(["--lang", "zh", str(file)], env={}) == 1
    err = capsys.readouterr().err
    assert "pool.excluded[1][3]" in err and "按标记规则 abnormal" in err, err
    pyz = tmp_path / standalone.FILENAME
    pyz.write_bytes(standalone.build())
    out = run_pyz(pyz, file)
    assert out.returncode == 1 and "pool.excluded[1][3]" in out.stderr, out.stdout + out.stderr
    out = subprocess.run([sys.executable, "-I", "-S", str(pyz), "--lang", "zh", str(file)],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 1 and "按标记规则 abnormal" in out.stderr, out.stdout + out.stderr


def test_the_flagged_vector_verifies_and_an_empty_trigger_is_refused() -> None:
    good = vectors()["flagged"]
    assert verify_bundle(copy.deepcopy(good)).ok
    assert [r[3] for r in good["pool"]["excluded"]] == ["T-2026-1", None]
    for path, bundle in empty_triggers().items():
        if path == "pool.excluded[1][3]":  # "" for null: the same digest line, same digests
            assert _spec_digests(bundle) == (good["digests"]["pool"], good["digests"]["draw"])
        report = verify_bundle(bundle)
        assert not report.ok and report.path == path, str(report)
        assert "empty string" in str(report)


def test_an_empty_trigger_is_refused_by_ssj_verify_in_both_languages(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``ssj verify`` reads the file as a stream (kernel/strictjson.py): refused there too,
    with the path and the reason, in English and in Chinese."""
    from shuangsuiji.kernel.verify import main

    for path, bundle in empty_triggers().items():
        file = tmp_path / "bundle.json"
        file.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
        assert main([str(file)], env={}) == 1
        err = capsys.readouterr().err
        assert path in err and "empty string" in err, err
        assert main(["--lang", "zh", str(file)], env={}) == 1
        err = capsys.readouterr().err
        assert path in err and "不得为空字符串" in err, err
