"""The announced ceremony over the API: announce, commit, reveal, draw; a v2 bundle."""

from __future__ import annotations

import hashlib

from shuangsuiji import kernel
from tests.api.conftest import ApiWorld

CQ = "/api/v1/t/chongqing"
SECRETS = {"重庆市经信委": "c0ffee00c0ffee00c0ffee00c0ffee00",
           "公证员": "5eed5eed5eed5eed5eed5eed5eed5eed"}


def test_announce_commit_reveal_draw_over_the_api(api_world: ApiWorld) -> None:
    task = f"{CQ}/tasks/{api_world.task_id}"
    assert api_world.get(f"{task}/announcement", "cq_viewer").status_code == 404
    bad = api_world.post(f"{task}/announcement", "cq_operator",
                         json={"procedure": "commit_reveal", "parties": ["只有一方"]})
    assert bad.status_code in (400, 422) and "two" in str(bad.json), bad.json
    made = api_world.post(f"{task}/announcement", "cq_operator",
                          json={"procedure": "commit_reveal", "parties": list(SECRETS)})
    assert made.status_code == 201, made.json
    digest = made.json["digest"]
    assert api_world.get(f"{task}/announcement", "cq_viewer").json["digest"] == digest
    for party, secret in SECRETS.items():
        r = api_world.post(f"{task}/announcement/commitments", "cq_operator", json={
            "party": party, "commitment": hashlib.sha256(secret.encode()).hexdigest()})
        assert r.status_code == 201, r.json
    wrong = api_world.post(f"{task}/announcement/reveals", "cq_operator",
                           json={"party": "公证员", "secret": "guess"})
    assert wrong.status_code in (400, 422)
    for party, secret in SECRETS.items():
        r = api_world.post(f"{task}/announcement/reveals", "cq_operator",
                           json={"party": party, "secret": secret})
        assert r.status_code == 201 and r.json["revealed"]
    drawn = api_world.post(f"{task}/draw", "cq_operator", json={})
    assert drawn.status_code == 201, drawn.json
    assert drawn.json["seed_source"] == "reveal"
    bundle = api_world.get(f"/api/v1/public/t/chongqing/draws/{drawn.json['id']}/bundle").json
    assert bundle["format"] == "shuangsuiji-draw/2"
    assert kernel.announcement_digest(bundle["announcement"]) == digest
    assert kernel.verify_bundle(bundle).ok
    # the same draw as the text file, publicly and to the tenant's viewers: it verifies, with
    # the same digests, and its pool text hashes to the pool digest
    import io

    from shuangsuiji.kernel.bundletext import MAGIC, read_text

    for url, who in ((f"/api/v1/public/t/chongqing/draws/{drawn.json['id']}/bundle.txt", None),
                     (f"{CQ}/draws/{drawn.json['id']}/bundle.txt", "cq_viewer")):
        got = api_world.get(url, who)
        assert got.status_code == 200 and got.data.startswith(MAGIC), got.data[:200]
        assert got.headers["Content-Type"].startswith("text/plain")
        pool_text = got.data.split(b"\n", 2)[2]
        assert hashlib.sha256(pool_text).hexdigest() == bundle["digests"]["pool"]
        f = io.BytesIO(got.data)
        f.read(len(MAGIC))
        report = kernel.verify_bundle(read_text(f.read))
        assert report.ok and report.summary["draw_digest"] == bundle["digests"]["draw"]
