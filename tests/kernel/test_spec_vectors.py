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
    assert set(found) == {"stream", "below", "sample", "bundle"}, "a vector is missing"
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
