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
