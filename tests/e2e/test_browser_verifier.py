"""The JavaScript verifier of the check-a-draw page and the Python verifier agree, in chromium.

One browser and one page for the module: every bundle is verified by both, and both accept
or both reject, naming a problem (and the same path) when they reject. Then the page itself:
a file picked, a draw fetched from the portal, a company looked up with its proof, a signed
checkpoint and an inclusion proof, in Chinese and English.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from shuangsuiji.kernel import (
    DrawParams,
    Inspection,
    Sampling,
    apply_recusal,
    draw,
    freeze_pool,
    merkle,
)
from shuangsuiji.kernel.bundle import draw_digest, make_bundle, result_from_bundle, verify_bundle
from shuangsuiji.kernel.pool import pool_text
from shuangsuiji.rules import Citation, ExclusionRule
from tests.e2e.conftest import VERIFY_JS, Site, open_verifier, shot
from tests.kernel.builders import (
    CQ_RECUSAL,
    MIIT_RECUSAL,
    draw_rules,
    experts,
    inspectors,
    pool_rules,
    risk,
    targets,
    task,
)
from tests.kernel.test_bundle import bundle_with_recusals, leaves, mutated, set_at
from tests.needs import missing

ROOT = Path(__file__).resolve().parents[2]


def spec_bundle() -> str:
    text = (ROOT / "docs" / "draw-spec.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- vector: bundle -->\n```json\n(.*?)```", text, re.S)
    assert found
    return found.group(1)


def batch_bundle() -> dict[str, Any]:
    """Two risk strata, an extra exclusion and built-in ones, three batches, two groups with
    leaders, experts, and recusals of every kind (withdraw of a leader, swap, expert)."""
    flagged = {i: frozenset({"complaints"}) for i in (2, 9, 14)}
    flagged |= {i: frozenset({"bad_credit", "complaints"}) for i in (5, 21)}
    flagged[30] = frozenset({"closed"})
    recent = ExclusionRule("recent", "recently_inspected", (("days", 60),),
                           Citation("test", "1", "第十一条"))
    closed = ExclusionRule("closed", "flag", (("flag", "closed"),),
                           Citation("test", "1", "第十二条"))
    codes = [t.credit_code for t in targets(40)]
    history = [Inspection(codes[11], "ITEM-A", date(2025, 2, 1), "DIV-1", "T-1"),
               Inspection(codes[12], "ITEM-B", date(2025, 4, 20), "DIV-2", "T-2")]
    pool = freeze_pool(
        targets(40, flagged), history, task(), Sampling(400, min_count=1),
        pool_rules(risk_rules=(risk("bad_credit", 500), risk("complaints")),
                   extra_exclusions=(recent, closed)),
    )
    assert len(pool.excluded) >= 2
    result = draw(pool, "6f1e3c0b9a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1",
                  rules=draw_rules(),
                  params=DrawParams(scope="within_department", group_count=2,
                                    experts_count=2, batch_count=3),
                  inspectors=inspectors(9), experts=experts(4))
    assert len(result.batches) == 3
    g1 = result.groups[0]
    result = apply_recusal(result, result.seed, 1, g1.leader, g1.targets[0], "withdraw",
                           MIIT_RECUSAL).result
    g2 = result.final_groups[1]
    result = apply_recusal(result, result.seed, 2, g2.members[1], g2.targets[1], "swap",
                           MIIT_RECUSAL, conflicts=[("P001", g2.targets[0])]).result
    result = apply_recusal(result, result.seed, 3, result.final_experts[1], result.selected[2],
                           "withdraw", CQ_RECUSAL).result
    return make_bundle(result, {"task_title": "检查任务", "witnesses": ["公证员"]})


def dump(bundle: dict[str, Any]) -> str:
    return json.dumps(bundle, ensure_ascii=False)


@pytest.fixture(scope="module")
def page(site: Site, browser: Any) -> Iterator[Any]:
    yield from open_verifier(site, browser, accept_downloads=True)


@pytest.fixture(autouse=True)
def _on_the_verify_page(page: Any, site: Site) -> None:
    """Each test starts on the check-a-draw page (some leave it), in any order."""
    if not page.url.endswith("/p/chongqing/verify"):
        page.goto(site.url("/p/chongqing/verify"))
        page.wait_for_selector("#browser-verifier:not([hidden])")


def both(page: Any, texts: list[str]) -> list[tuple[dict[str, Any], Any]]:
    """(browser outcome, Python report) for each bundle text."""
    browser = page.evaluate(VERIFY_JS, texts)
    return [(b, verify_bundle(json.loads(t))) for b, t in zip(browser, texts, strict=True)]


def test_valid_bundles_verify_in_both(page: Any) -> None:
    texts = [spec_bundle(), dump(bundle_with_recusals()), dump(batch_bundle())]
    for browser, python in both(page, texts):
        assert python.ok, str(python)
        assert browser["ok"], browser["message"]
        assert browser["message"].startswith("抽取数据包核验通过")
        assert python.summary["pool_digest"] in browser["message"]


def tampered() -> dict[str, str]:
    good = batch_bundle()
    seed = copy.deepcopy(good)
    seed["seed"] = seed["seed"][:-1] + "0"
    member = copy.deepcopy(good)
    member["pool"]["strata"][-1]["members"][3][1] += "（分公司）"
    swapped = copy.deepcopy(good)
    members = swapped["result"]["groups"][0]["members"]
    members[0], members[1] = members[1], members[0]
    digest = copy.deepcopy(good)
    digest["digests"]["pool"] = "0" * 64
    resealed = copy.deepcopy(good)  # a forged result with a recomputed draw digest
    first = resealed["final"]["experts"][0]
    resealed["final"]["experts"][0] = "E003" if first != "E003" else "E000"
    resealed["digests"]["draw"] = draw_digest(resealed, resealed["digests"]["pool"])
    order = copy.deepcopy(good)
    order["pool"]["strata"][-1]["members"].reverse()
    return {"seed": dump(seed), "member": dump(member), "swapped group member": dump(swapped),
            "pool digest": dump(digest), "resealed result": dump(resealed),
            "member order": dump(order)}


def test_tampered_bundles_are_rejected_by_both_at_the_same_path(page: Any) -> None:
    cases = tampered()
    for name, (browser, python) in zip(cases, both(page, list(cases.values())), strict=True):
        assert not python.ok, name
        assert not browser["ok"], name
        assert browser["path"] == python.path, (name, browser, str(python))
        assert browser["message"].startswith("抽取数据包核验未通过"), browser["message"]
        assert python.path in browser["message"]


def test_every_changed_leaf_is_rejected_by_both(page: Any) -> None:
    bundle = bundle_with_recusals()
    paths = [p for p, _ in leaves(bundle)]
    texts = [dump(set_at(bundle, p, mutated(v))) for p, v in leaves(bundle)]
    assert len(texts) > 150
    disagree = [(paths[i], b["message"], str(p)) for i, (b, p) in enumerate(both(page, texts))
                if b["ok"] != p.ok or (not p.ok and b["path"] != p.path)]
    assert disagree == []


def test_duplicate_keys_and_fractions_are_refused(page: Any, tmp_path: Path) -> None:
    good = spec_bundle()
    seed = json.loads(good)["seed"]
    dup = good.replace('"seed": ', f'"seed": "{seed}0", "seed": ', 1)
    frac = good.replace('"ratio_permille": 400, "min_count"',
                        '"ratio_permille": 400.0, "min_count"')
    browser = page.evaluate(VERIFY_JS, [dup, frac])
    assert browser[0] == {"ok": False, "path": "seed", "message": browser[0]["message"]}
    assert "seed" in browser[0]["message"] and "两次" in browser[0]["message"]
    assert not browser[1]["ok"] and browser[1]["path"] == "sampling.ratio_permille"
    file = tmp_path / "dup.json"
    file.write_text(dup, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "shuangsuiji.kernel.verify", str(file)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 2 and "seed" in run.stderr, run.stderr
    file.write_text(frac, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "shuangsuiji.kernel.verify", str(file)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 2 and "400.0" in run.stderr, run.stderr


def test_the_page_verifies_a_picked_file_and_a_fetched_draw(
        page: Any, site: Site, tmp_path: Path) -> None:
    file = tmp_path / "bundle.json"
    file.write_text(dump(batch_bundle()), encoding="utf-8")
    page.set_input_files("#bv-file", str(file))
    page.wait_for_selector("#bv-status.ok")
    assert page.inner_text("#bv-status").startswith("抽取数据包核验通过")
    page.fill("#bv-draw", "999999")
    page.click("#bv-fetch")
    page.wait_for_selector("#bv-status.error")
    assert "999999" in page.inner_text("#bv-status")
    assert page.get_attribute("#spec-link", "href") == "/p/draw-spec.md"
    spec = page.request.get(site.url("/p/draw-spec.md"))
    assert spec.ok and "shuangsuiji-draw/1" in spec.text()


def test_a_company_sees_its_place_and_keeps_a_proof(page: Any, tmp_path: Path) -> None:
    bundle = batch_bundle()
    page.evaluate(VERIFY_JS, [dump(bundle)])
    drawn = bundle["final"]["groups"][1]["targets"][0]
    page.fill("#bv-code", f" {drawn} ")
    page.click("#bv-company-form button[type=submit]")
    text = page.inner_text("#bv-company")
    batch = next(b["number"] for b in bundle["result"]["batches"] if drawn in b["targets"])
    assert "被抽中" in text and "第 2 检查组" in text and f"第 {batch} 批次" in text, text
    with page.expect_download() as got:
        page.click("#bv-proof")
    proof = json.loads(Path(got.value.path()).read_text(encoding="utf-8"))
    assert proof["credit_code"] == drawn and proof["group"] == 2 and proof["batch"] == batch
    # the proof's line is one of the pool's canonical lines, whose SHA-256 is the pool digest
    pool = result_from_bundle(bundle).pool
    lines = b"".join(pool_text(pool.task, pool.sampling, pool.rules, pool.strata, pool.excluded))
    assert hashlib.sha256(lines).hexdigest() == proof["pool_digest"] == bundle["digests"]["pool"]
    assert proof["pool_line"].encode() + b"\n" in lines

    excluded = bundle["pool"]["excluded"][0]
    page.fill("#bv-code", excluded[0])
    page.click("#bv-company-form button[type=submit]")
    text = page.inner_text("#bv-company")
    assert "被排除" in text and excluded[2] in text
    cite = {"once_per_year": "第十条", "same_quarter_other_divisions": "第十条",
            "recent": "第十一条", "closed": "第十二条"}[excluded[2]]
    assert cite in text
    page.fill("#bv-code", "91500000999999999X")
    page.click("#bv-company-form button[type=submit]")
    assert "不在抽查任务" in page.inner_text("#bv-company")
    assert page.is_hidden("#bv-proof")
    shot(page, "browser-verifier-company")


def _note(name: str, body: str) -> tuple[str, str]:
    """A C2SP signed note of ``body`` by a fresh Ed25519 key, and the verifier key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    while True:  # a key whose base64 holds a "+" (the vkey's separator), as one in 4 does
        key = Ed25519PrivateKey.generate()
        pub = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        if "+" in base64.b64encode(b"\x01" + pub).decode():
            break
    key_id = hashlib.sha256(name.encode() + b"\n\x01" + pub).digest()[:4]
    sig = base64.b64encode(key_id + key.sign(body.encode())).decode()
    encoded = base64.b64encode(b"\x01" + pub).decode()
    verifier = f"{name}+{key_id.hex()}+{encoded}"
    return f"{body}\n\u2014 {name} {sig}\n", verifier


def test_a_checkpoint_and_an_inclusion_proof(page: Any) -> None:
    data = [f"event {i}".encode() for i in range(7)]
    leaf_hashes = [merkle.leaf_hash(d) for d in data]
    root = merkle.root(leaf_hashes)
    body = f"ssj.example/chongqing\n7\n{base64.b64encode(root).decode()}\n"
    note, key = _note("ssj.example/chongqing", body)
    proof = merkle.inclusion_proof(leaf_hashes, 5)

    def check(note_text: str, index: int, leaf: bytes, hashes: list[bytes]) -> tuple[bool, str]:
        return _fill_log(page, {"bv-checkpoint": note_text, "bv-key": key,
                                "bv-index": str(index), "bv-leaf": leaf.hex(),
                                "bv-inclusion": "\n".join(h.hex() for h in hashes)})

    ok, text = check(note, 5, leaf_hashes[5], proof)
    assert ok and "签名有效" in text and "第 5 条包含" in text, text
    ok, text = check(note, 4, leaf_hashes[5], proof)
    assert not ok and "不符" in text
    ok, text = check(note.replace("\n7\n", "\n8\n"), 5, leaf_hashes[5], proof)
    assert not ok and "签名无效" in text
    other, _ = _note("ssj.example/chongqing", body)  # same name, another key: not its signature
    ok, text = check(other, 5, leaf_hashes[5], proof)
    assert not ok and "没有 ssj.example/chongqing 的签名" in text
    # Python's reference agrees on the proof itself
    assert merkle.verify_inclusion(5, 7, leaf_hashes[5], proof, root)
    assert not merkle.verify_inclusion(4, 7, leaf_hashes[5], proof, root)


def test_the_browsers_block_tree_is_the_spec_vectors(page: Any) -> None:
    """draw-spec §15's `blocks` vector, read from the doc, made by v2.js's poolBlocks and
    merkle.js: the same three leaves and root."""
    text = (ROOT / "docs" / "draw-spec.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- vector: blocks -->\n```json\n(.*?)```", text, re.S)
    assert found
    v = json.loads(found.group(1))
    got = page.evaluate("""async () => {
      const { poolBlocks } = await import('/static/verify/v2.js');
      const m = await import('/static/verify/merkle.js');
      const { hex } = await import('/static/verify/canonical.js');
      const lines = Array.from({ length: 600 }, (_, i) => `line ${i}`);
      const leaves = [];
      for (const d of poolBlocks(lines)) leaves.push(await m.leafHash(d));
      return { leaves: leaves.map(hex), root: hex(await m.root(leaves)) };
    }""")
    assert got == {"leaves": v["leaves"], "root": v["merkle_root"]}


def test_merkle_proofs_agree_with_the_reference_for_every_size(page: Any) -> None:
    cases = []
    for n in range(1, 18):
        leaf_hashes = [merkle.leaf_hash(bytes([i])) for i in range(n)]
        root = merkle.root(leaf_hashes).hex()
        for i in range(n):
            cases.append(["inc", i, n, leaf_hashes[i].hex(),
                          [h.hex() for h in merkle.inclusion_proof(leaf_hashes, i)], root, True])
        for m in range(1, n + 1):
            old = merkle.root(leaf_hashes[:m]).hex()
            proof = [h.hex() for h in merkle.consistency_proof(leaf_hashes, m)]
            cases.append(["con", m, n, old, proof, root, True])
            if proof:
                cases.append(["con", m, n, old, [proof[0][::-1], *proof[1:]], root, False])
    got = page.evaluate("""async (cases) => {
      const m = await import('/static/verify/merkle.js');
      const {unhex, hex} = await import('/static/verify/canonical.js');
      const out = [];
      for (const [kind, a, n, h, proof, root] of cases) {
        const p = proof.map(unhex);
        out.push(kind === 'inc'
          ? await m.verifyInclusion(a, n, unhex(h), p, unhex(root))
          : await m.verifyConsistency(a, n, unhex(h), unhex(root), p));
      }
      const leaves = [];
      for (let i = 0; i < 5; i++) leaves.push(await m.leafHash(Uint8Array.of(i)));
      out.push(hex(await m.root(leaves)));
      return out;
    }""", cases)
    assert got[:-1] == [c[6] for c in cases]
    assert got[-1] == merkle.root([merkle.leaf_hash(bytes([i])) for i in range(5)]).hex()


def test_english_page_speaks_english(site: Site, browser: Any) -> None:
    context = browser.new_context(locale="en-US")
    context.add_cookies([{"name": "ssj_lang", "value": "en", "url": site.base}])
    found = context.new_page()
    found.goto(site.url("/p/chongqing/verify"))
    found.wait_for_selector("#browser-verifier:not([hidden])")
    good, bad = found.evaluate(VERIFY_JS, [spec_bundle(), spec_bundle().replace("P3", "P1", 1)])
    assert good["message"].startswith("bundle OK: task T-2025-7"), good
    assert bad["message"].startswith("bundle does NOT verify: first mismatch at"), bad
    context.close()


# --- shuangsuiji-draw/2 and the drand beacon --------------------------------------------

DRAND = Path("/work/shared/data/drand-quicknet.json")


def test_drand_quicknet_round_1000_verifies_and_no_other_round(page: Any) -> None:
    if not DRAND.exists():
        missing("drand quicknet round 1000", f"no {DRAND}",
                "put the shared data set (drand-quicknet.json) there")
    data = json.loads(DRAND.read_text(encoding="utf-8"))
    info, r = data["info"], data["rounds"][0]
    flipped = r["signature"][:-2] + ("00" if r["signature"][-2:] != "00" else "01")
    got = page.evaluate("""async ([info, r, flipped]) => {
      const b = await import('/static/verify/beacon.js');
      const chain = {...b.QUICKNET, public_key: info.public_key};
      return [await b.checkSignature(chain, r.round, r.signature),
              await b.checkSignature(chain, r.round + 1, r.signature),
              await b.checkSignature(chain, r.round - 1, r.signature),
              await b.checkSignature(chain, r.round, flipped),
              await b.randomnessOf(r.signature),
              b.QUICKNET.chain_hash === info.hash && b.QUICKNET.public_key === info.public_key];
    }""", [info, r, flipped])
    assert got == [True, False, False, False, r["randomness"], True]


def spec_bundle_v2() -> dict[str, Any]:
    text = (ROOT / "docs" / "draw-spec.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- vector: bundle2 -->\n```json\n(.*?)```", text, re.S)
    assert found, "docs/draw-spec.md §15 holds the v2 bundle vector"
    return json.loads(found.group(1))


def _resealed(bundle: dict[str, Any]) -> str:
    bundle["digests"]["draw"] = draw_digest(bundle, bundle["digests"]["pool"])
    return dump(bundle)


def v2_tampered() -> dict[str, tuple[str, str]]:
    """name: (bundle text, the path both verifiers must name)."""
    good = spec_bundle_v2()
    cases: dict[str, tuple[str, str]] = {}
    b = copy.deepcopy(good)
    b["seed_inputs"]["reveals"][1][1] = "0" * 32
    cases["a reveal not matching its commitment"] = (_resealed(b), "seed_inputs.reveals[1][1]")
    b = copy.deepcopy(good)
    del b["seed_inputs"]["reveals"][1]
    cases["a withheld reveal"] = (_resealed(b), "seed")
    b = copy.deepcopy(good)
    sig = b["seed_inputs"]["beacon"]["signature"]
    b["seed_inputs"]["beacon"]["signature"] = sig[:-2] + ("00" if sig[-2:] != "00" else "01")
    b["seed_inputs"]["beacon"]["randomness"] = hashlib.sha256(
        bytes.fromhex(b["seed_inputs"]["beacon"]["signature"])).hexdigest()
    cases["a bad beacon signature"] = (_resealed(b), "seed_inputs.beacon.signature")
    b = copy.deepcopy(good)
    b["announcement"]["announced_at"] = "2023-08-23T16:00:00Z"
    cases["a beacon round older than the announcement"] = (_resealed(b),
                                                           "seed_inputs.beacon.round")
    b = copy.deepcopy(good)
    b["announcement"]["inspectors_digest"] = "0" * 64
    cases["an inspector directory other than announced"] = (_resealed(b),
                                                           "announcement.inspectors_digest")
    b = copy.deepcopy(good)
    b["announcement"]["pool"]["merkle_root"] = "0" * 64
    cases["a pool root other than announced"] = (_resealed(b), "announcement.pool.merkle_root")
    b = copy.deepcopy(good)
    b["announcement"]["conflicts"] = []
    cases["an undeclared conflict"] = (_resealed(b), "result.groups[0].members[0]")
    b = copy.deepcopy(good)
    b["announcement"]["surprise"] = 1
    cases["an unknown announcement key"] = (_resealed(b), "announcement.surprise")
    b = copy.deepcopy(good)
    b["task"]["special"] = True
    cases["a special task that excludes"] = (_resealed(b), "pool.excluded")
    return cases


def test_v2_bundles_verify_and_each_tampering_is_named(page: Any) -> None:
    good = dump(spec_bundle_v2())
    cases = v2_tampered()
    texts = [good, *(t for t, _ in cases.values())]
    browser = page.evaluate(VERIFY_JS, texts)
    assert browser[0]["ok"], browser[0]["message"]
    assert "BLS 签名已核验" in browser[0]["message"]
    assert "种子由任何一方都无法单独控制的输入推导（已核验）" in browser[0]["message"]
    got = {name: b["path"] for name, b in zip(cases, browser[1:], strict=True)}
    assert got == {name: path for name, (_, path) in cases.items()}
    assert all(b["message"].startswith("抽取数据包核验未通过") for b in browser[1:])
    assert verify_bundle(json.loads(good)).ok
    python = {name: verify_bundle(json.loads(t)).path for name, (t, _) in cases.items()}
    assert python == got


def test_a_v2_company_proof_is_a_merkle_path_to_the_announced_root(page: Any) -> None:
    bundle = spec_bundle_v2()
    page.evaluate(VERIFY_JS, [dump(bundle)])
    page.fill("#bv-code", "91500000MA5U000005")
    page.click("#bv-company-form button[type=submit]")
    with page.expect_download() as got:
        page.click("#bv-proof")
    proof = json.loads(Path(got.value.path()).read_text(encoding="utf-8"))
    root = bytes.fromhex(bundle["announcement"]["pool"]["merkle_root"])
    m = proof["merkle"]
    assert proof["announcement"]["merkle_root"] == root.hex()
    for part in (m, m["stratum"]):
        leaf = merkle.leaf_hash(part["line"].encode())
        path = [bytes.fromhex(h) for h in part["proof"]]
        assert merkle.verify_inclusion(part["index"], m["size"], leaf, path, root)
    assert m["line"] == proof["pool_line"] == "member\t91500000MA5U000005\t重庆戊公司\t"
    assert m["stratum"]["line"].startswith("stratum\tgeneral\t")
    assert not merkle.verify_inclusion(m["index"] - 1, m["size"], merkle.leaf_hash(
        m["line"].encode()), [bytes.fromhex(h) for h in m["proof"]], root)


def block_tampered() -> dict[str, tuple[str, str]]:
    """A /3 announcement (blocks of 256 lines, §10.2) of a pool of three blocks and a joint
    task's, each changed one way: name: (bundle text, the path both verifiers must name)."""
    from tests.kernel import spec_vectors_more as more
    from tests.kernel.test_pool_blocks import _bundle

    good = _bundle()
    cases: dict[str, tuple[str, str]] = {"three blocks": (dump(good), "")}
    b = copy.deepcopy(good)
    b["announcement"]["pool"]["block_lines"] = 128
    cases["another block size"] = (_resealed(b), "announcement.pool.block_lines")
    b = copy.deepcopy(good)
    b["announcement"]["pool"]["merkle_root"] = "0" * 64
    cases["another root"] = (_resealed(b), "announcement.pool.merkle_root")
    b = copy.deepcopy(good)
    del b["announcement"]["pool"]["block_lines"]
    cases["no block size"] = (_resealed(b), "announcement.pool.block_lines")
    joint = more.joint_bundle()
    cases["a joint task"] = (dump(joint), "")
    b = copy.deepcopy(joint)
    del b["announcement"]["joint"]
    cases["a joint task announced without its participants"] = (_resealed(b),
                                                                "announcement.joint")
    return cases


def test_block_announcements_verify_alike_in_both(page: Any) -> None:
    cases = block_tampered()
    browser = page.evaluate(VERIFY_JS, [t for t, _ in cases.values()])
    got = {name: ("" if b["ok"] else b["path"]) for name, b in zip(cases, browser, strict=True)}
    assert got == {name: path for name, (_, path) in cases.items()}
    python = {name: (lambda r: "" if r.ok else r.path)(verify_bundle(json.loads(t)))
              for name, (t, _) in cases.items()}
    assert python == got


def test_a_block_company_proof_is_its_block_and_a_path_to_the_announced_root(
        page: Any) -> None:
    from shuangsuiji.kernel import poolmerkle
    from tests.kernel.test_pool_blocks import _bundle

    bundle = _bundle()
    assert bundle["announcement"]["format"] == "shuangsuiji-announcement/3"
    code = bundle["pool"]["strata"][-1]["members"][-1][0]  # in the pool's last block
    page.evaluate(VERIFY_JS, [dump(bundle)])
    page.fill("#bv-code", code)
    page.click("#bv-company-form button[type=submit]")
    with page.expect_download() as got:
        page.click("#bv-proof")
    proof = json.loads(Path(got.value.path()).read_text(encoding="utf-8"))
    root = bundle["announcement"]["pool"]["merkle_root"]
    m = proof["merkle"]
    assert proof["announcement"]["merkle_root"] == root
    assert proof["announcement"]["format"] == "shuangsuiji-announcement/3"
    assert m["line"] == proof["pool_line"] and m["line"].startswith(f"member\t{code}\t")
    assert m["block"] == m["index"] // 256 >= 1 and m["blocks"] == 3
    assert m["stratum"]["line"].startswith("stratum\t")
    for part in (m, m["stratum"]):
        assert poolmerkle.verify_member_proof({**part, "size": m["size"]}, root)
    # the company's line changed, in the block and as claimed: the path no longer leads there
    forged = copy.deepcopy(m)
    forged["block_lines"][m["index"] % 256] = forged["line"] = m["line"] + "x"
    assert not poolmerkle.verify_member_proof(forged, root)


def _fill_log(page: Any, fields: dict[str, str]) -> tuple[bool, str]:
    for name in ("bv-checkpoint", "bv-key", "bv-checkpoint-new", "bv-consistency", "bv-index",
                 "bv-leaf", "bv-inclusion"):
        page.fill(f"#{name}", fields.get(name, ""))
    page.evaluate("() => { document.getElementById('bv-log-status').className = ''; }")
    page.click("#bv-log-form button[type=submit]")
    page.wait_for_selector("#bv-log-status.ok, #bv-log-status.error")
    status = page.locator("#bv-log-status")
    return "ok" in (status.get_attribute("class") or ""), status.inner_text()


def test_a_saved_checkpoint_shows_nothing_was_removed_or_rewritten(page: Any) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    name = "ssj.example/chongqing"
    key = Ed25519PrivateKey.generate()
    pub = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    key_id = hashlib.sha256(name.encode() + b"\n\x01" + pub).digest()[:4]
    encoded = base64.b64encode(b"\x01" + pub).decode()
    vkey = f"{name}+{key_id.hex()}+{encoded}"

    def signed(leaves: list[bytes]) -> str:
        body = f"{name}\n{len(leaves)}\n{base64.b64encode(merkle.root(leaves)).decode()}\n"
        sig = base64.b64encode(key_id + key.sign(body.encode())).decode()
        return f"{body}\n\u2014 {name} {sig}\n"

    fields = [{"action": "draw.commit", "actor": "cq_operator",
               "at": f"2026-03-2{i}T08:00:00.000000Z", "object_id": str(i),
               "object_type": "draw", "payload_digest": "ab" * 32, "seq": i + 1,
               "tenant": "chongqing"} for i in range(10)]
    leaves = [merkle.leaf_hash(b"shuangsuiji-event/1\n" + json.dumps(
        f, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()) for f in fields]
    saved, latest = signed(leaves[:7]), signed(leaves)
    proof = "\n".join(base64.b64encode(h).decode() for h in merkle.consistency_proof(leaves, 7))
    inclusion = json.dumps({"index": 8, "size": 10, "proof": [
        base64.b64encode(h).decode() for h in merkle.inclusion_proof(leaves, 8)]})
    ok, text = _fill_log(page, {"bv-checkpoint": saved, "bv-key": vkey,
                                "bv-checkpoint-new": latest, "bv-consistency": proof,
                                "bv-index": "8", "bv-leaf": json.dumps(fields[8]),
                                "bv-inclusion": inclusion})
    assert ok and "没有被删除或改写" in text and "第 8 条包含" in text, text
    # the operator rewrites entry 3 and recomputes every later hash, then signs the new tree
    forged = [*leaves[:3], merkle.leaf_hash(b"rewritten"), *leaves[4:]]
    ok, text = _fill_log(page, {"bv-checkpoint": saved, "bv-key": vkey,
                                "bv-checkpoint-new": signed(forged), "bv-consistency": "\n".join(
                                    base64.b64encode(h).decode()
                                    for h in merkle.consistency_proof(forged, 7))})
    assert not ok and "一致性证明不成立" in text, text
    # or truncates the log to 5 entries
    ok, text = _fill_log(page, {"bv-checkpoint": saved, "bv-key": vkey,
                                "bv-checkpoint-new": signed(leaves[:5]), "bv-consistency": ""})
    assert not ok and "一致性证明不成立" in text, text


def test_the_portal_log_is_fetched_and_checked_in_the_browser(page: Any, site: Site) -> None:
    assert page.request.get(site.url("/api/v1/public/log/keys")).ok
    page.goto(site.url("/p/chongqing/log"))
    page.click("#check-log-in-browser")
    page.wait_for_selector("#browser-verifier:not([hidden])")
    _fill_log(page, {})
    page.click("#bv-log-fetch")
    page.wait_for_function("() => document.getElementById('bv-checkpoint').value !== ''")
    ok, text = _fill_log(page, {"bv-checkpoint": page.input_value("#bv-checkpoint"),
                                "bv-key": page.input_value("#bv-key")})
    assert ok and "检查点签名有效" in text, text


# --- bundles drawn by the service, fetched from the portal -----------------------------


@pytest.fixture(scope="module")
def service_draw(site: Site) -> int:
    """A Chongqing draw made by the services: risk strata, three batches (a key item at
    300 ‰), two groups with leaders, an expert, then an inspector and the expert withdraw."""
    from shuangsuiji.db import set_tenant
    from shuangsuiji.demo import generate as gen
    from shuangsuiji.models.draws import Draw
    from shuangsuiji.services import audit, imports, plans
    from shuangsuiji.services import draws as draw_service
    from shuangsuiji.services import tenants as tenant_service
    from tests.e2e.conftest import DEPARTMENT

    platform = site.app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "chongqing")
        set_tenant(s, tenant.id)
        audit.set_actor(s, "cq_operator")
        rows = gen.to_csv(gen.TARGET_HEADINGS, gen.target_rows(50, seed=31, flag_share=0.3))
        imports.import_file(s, tenant, "targets", rows, "targets.csv", actor="cq_operator",
                            today=date(2026, 3, 1))
        task = plans.create_task(
            s, platform, tenant, plan_year=2026, code="CQ-2026-BV", title="浏览器核验任务",
            department=DEPARTMENT, item_codes=["SX-001"], starts_on=date(2026, 4, 1),
            ends_on=date(2026, 5, 29), methods=["on_site"], ratio_permille=300,
            group_count=2, experts_count=1, batch_count=3,
            inspector_scope="across_departments")
        s.commit()
        draw_id = draw_service.draw(s, platform, tenant, task.id,
                                    seed="骰子 2-7-1-8 (公开摇号)", witnesses=("公证员",)).id
        s.commit()
    for step in ("inspector", "expert"):
        with platform.db.session() as s:
            tenant = tenant_service.get(s, "chongqing")
            set_tenant(s, tenant.id)
            audit.set_actor(s, "cq_operator")
            result = draw_service.current_result(s.get(Draw, draw_id))
            group = result.final_groups[0]
            person, code = ((group.members[0], group.targets[0]) if step == "inspector"
                            else (result.final_experts[0], result.selected[0]))
            draw_service.recuse(s, tenant, draw_id, person=person, credit_code=code,
                                mode="withdraw", reason="配偶在该企业任职", platform=platform)
            s.commit()
    return draw_id


def test_a_service_draw_fetched_from_the_portal_verifies_in_both(
        page: Any, site: Site, service_draw: int) -> None:
    got = page.request.get(site.url(f"/p/chongqing/draws/{service_draw}/bundle.json"))
    assert got.ok
    bundle = json.loads(got.text())
    assert len(bundle["result"]["batches"]) == 3 and len(bundle["recusals"]) == 2
    assert {r["role"] for r in bundle["recusals"]} == {"inspector", "expert"}
    assert any(s["name"].startswith("risk:") for s in bundle["pool"]["strata"])
    python = verify_bundle(bundle)
    assert python.ok, str(python)
    page.goto(site.url(f"/p/chongqing/verify?draw={service_draw}"))
    page.wait_for_selector("#bv-status.ok, #bv-status.error")
    assert page.inner_text("#bv-status").startswith("抽取数据包核验通过")
    assert python.summary["pool_digest"] in page.inner_text("#bv-status")
    # the draw page links here
    page.goto(site.url(f"/p/chongqing/draws/{service_draw}"))
    page.click("#check-in-browser")
    page.wait_for_selector("#bv-status.ok")
    shot(page, "browser-verifier-service-draw")
    tampered = copy.deepcopy(bundle)
    tampered["recusals"][0]["replacement"] = bundle["result"]["groups"][1]["members"][0]
    (b, p), = both(page, [dump(tampered)])
    assert not b["ok"] and not p.ok and b["path"] == p.path


def test_every_changed_leaf_of_a_v2_bundle_is_rejected_by_both(page: Any) -> None:
    bundle = spec_bundle_v2()
    cases = list(leaves(bundle))
    texts = [dump(set_at(bundle, p, mutated(v))) for p, v in cases]
    resealed = []  # the same changes with the draw digest recomputed: the v2 checks answer
    for p, v in cases:
        if p[0] in ("announcement", "seed_inputs"):
            resealed.append(_resealed(set_at(bundle, p, mutated(v))))
    assert len(texts) > 150 and len(resealed) > 30
    outcomes = both(page, texts + resealed)
    disagree = [(b["path"], b["message"], str(p)) for b, p in outcomes
                if b["ok"] != p.ok or (not p.ok and b["path"] != p.path)]
    assert disagree == []
    assert not any(b["ok"] for b, _ in outcomes)


def test_the_units_of_a_bundle_are_checked_alike(page: Any) -> None:
    """docs/draw-spec.md §6.4 (issue #15): a bundle with the organisation tree verifies in
    both; a trigger of another 司局, an inspector's 司局 or subordinate flag the tree does not
    give, a cycle, and every changed leaf of ``units`` are rejected by both at one path."""
    from tests.kernel.test_orgtree import units_bundle

    good = units_bundle()
    other = copy.deepcopy(good)
    other["units"]["triggers"][0][1:] = ["DZS", "DZS-1"]
    sub = copy.deepcopy(good)
    sub["inspectors"][2]["subordinate"] = False
    cycle = copy.deepcopy(good)
    cycle["units"]["tree"][0][3] = "AQS-1"
    missing_trigger = copy.deepcopy(good)
    missing_trigger["units"]["triggers"] = missing_trigger["units"]["triggers"][1:]
    texts = [dump(good), dump(other), dump(sub), dump(cycle), dump(missing_trigger)]
    outcomes = both(page, texts)
    assert outcomes[0][0]["ok"] and outcomes[0][1].ok, (outcomes[0][0], str(outcomes[0][1]))
    paths = ["pool.excluded[0]", "inspectors[2].subordinate", "units.tree",
             "pool.excluded[0][3]"]
    for (browser, python), path in zip(outcomes[1:], paths, strict=True):
        assert not python.ok and python.path == path, str(python)
        assert not browser["ok"] and browser["path"] == path, browser
    assert "第十条第二款" in outcomes[1][0]["message"]
    units_leaves = [(p, v) for p, v in leaves(good) if p[0] in ("units", "task", "inspectors")]
    changed = [dump(set_at(good, p, mutated(v))) for p, v in units_leaves]
    disagree = [(units_leaves[i][0], b["message"], str(p))
                for i, (b, p) in enumerate(both(page, changed))
                if b["ok"] != p.ok or (not p.ok and b["path"] != p.path)]
    assert disagree == []


def test_an_empty_trigger_is_refused_by_both(page: Any) -> None:
    """docs/draw-spec.md §3.3 and §15.2: an excluded row's trigger is a task id or null;
    ``""`` (the digest line of null) is refused by both, at the same path, whatever the
    rule — the §15.2 vector verifies, its flag row's or its once_per_year row's trigger
    made ``""`` does not."""
    from tests.kernel.test_spec_vectors import empty_triggers, vectors

    cases = empty_triggers()
    texts = [dump(vectors()["flagged"]), *map(dump, cases.values())]
    outcomes = both(page, texts)
    assert outcomes[0][0]["ok"] and outcomes[0][1].ok, (outcomes[0][0], str(outcomes[0][1]))
    for (browser, python), path in zip(outcomes[1:], cases, strict=True):
        assert not python.ok and python.path == path, str(python)
        assert not browser["ok"] and browser["path"] == path, browser
        assert "不得为空字符串" in browser["message"], browser["message"]


def test_a_flag_exclusion_naming_a_trigger_is_refused_by_both(page: Any) -> None:
    """docs/draw-spec.md §3.1 and §13.3: a ``flag`` rule has no trigger; the §15.2 vector
    with a task id on its flag row (digests made again) is refused by both at that row."""
    from tests.kernel.test_spec_vectors import flag_trigger

    ((browser, python),) = both(page, [dump(flag_trigger())])
    assert not python.ok and python.path == "pool.excluded[1][3]", str(python)
    assert not browser["ok"] and browser["path"] == "pool.excluded[1][3]", browser
    assert "按标记规则 abnormal" in browser["message"], browser["message"]
