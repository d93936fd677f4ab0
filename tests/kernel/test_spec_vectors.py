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
