"""The public log endpoints: what an outsider fetches checks out with the pure verifiers."""

from __future__ import annotations

import base64
from typing import Any

from flask import Flask

from shuangsuiji.kernel import logtree, merkle, note
from shuangsuiji.services import audit

BASE = "/api/v1/public/t/chongqing/log"


def _grow(platform: Any, tenant_id: int, n: int) -> None:
    with platform.db.session() as s:
        for i in range(n):
            audit.record(s, tenant_id=tenant_id, action="test.event", object_type="t",
                         object_id=i, payload={"i": i})
        s.commit()


def _keys(client: Any) -> list[note.Verifier]:
    r = client.get("/api/v1/public/log/keys")
    assert r.status_code == 200 and r.mimetype == "text/plain"
    return [note.parse_vkey(line) for line in r.get_data(as_text=True).split()]


def test_an_outsider_checks_checkpoints_proofs_and_leaves(
        app: Flask, platform: Any, tenant_tree: dict[str, int]) -> None:
    client = app.test_client()
    verifiers = _keys(client)
    r = client.get(f"{BASE}/checkpoint")
    assert r.status_code == 200 and r.content_type == "text/plain; charset=utf-8"
    old, _ = note.open_checkpoint(r.get_data(as_text=True), verifiers,
                                  origin="shuangsuiji.localhost/chongqing")
    _grow(platform, tenant_tree["chongqing"], 9)
    new, _ = note.open_checkpoint(client.get(f"{BASE}/checkpoint").get_data(as_text=True),
                                  verifiers)
    assert new.size == old.size + 9
    # consistency from the saved checkpoint to the new one
    c = client.get(f"{BASE}/proof/consistency?from={old.size}&to={new.size}").get_json()
    assert "proof" in c, c
    proof = [base64.b64decode(p) for p in c["proof"]]
    assert merkle.verify_consistency(old.size, new.size, old.root, new.root, proof)
    # every leaf recomputed from its public fields, and included
    leaves = client.get(f"{BASE}/leaves?start=0&end={new.size}").get_json()
    assert [row["index"] for row in leaves] == list(range(new.size))
    for row in leaves:
        fields = {k: row[k] for k in logtree.LEAF_KEYS}
        leaf = merkle.leaf_hash(logtree.event_leaf(fields))
        assert base64.b64encode(leaf).decode() == row["leaf_hash"]
        i = client.get(f"{BASE}/proof/inclusion?index={row['index']}&size={new.size}").get_json()
        assert merkle.verify_inclusion(row["index"], new.size, leaf,
                                       [base64.b64decode(p) for p in i["proof"]], new.root)
    by_seq = client.get(f"{BASE}/proof/inclusion?seq=1").get_json()
    assert by_seq["index"] == 0 and by_seq["size"] == new.size
    stored = client.get(f"{BASE}/checkpoints?size={old.size}")
    assert note.open_checkpoint(stored.get_data(as_text=True), verifiers)[0] == old


def test_bad_requests_are_clear(app: Flask, tenant_tree: dict[str, int]) -> None:
    client = app.test_client()
    for url, word in ((f"{BASE}/proof/inclusion?index=99999", "99999"),
                      (f"{BASE}/proof/consistency?from=5&to=2", "5"),
                      (f"{BASE}/proof/inclusion?index=0&seq=1", "index"),
                      (f"{BASE}/leaves?start=0&end=5000", "1000"),
                      (f"{BASE}/checkpoints?size=424242", "424242")):
        r = client.get(url)
        assert r.status_code in (400, 404), (url, r.status_code)
        assert word in r.get_data(as_text=True) and "Traceback" not in r.get_data(as_text=True)
    assert client.get(f"{BASE}/proof/inclusion?index=x").status_code == 422
    assert client.get("/api/v1/public/t/atlantis/log/checkpoint").status_code == 404


def test_portal_log_page_shows_the_checkpoint_and_keys(
        app: Flask, platform: Any, tenant_tree: dict[str, int]) -> None:
    client = app.test_client()
    page = client.get("/p/chongqing/log")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    latest = client.get(f"{BASE}/checkpoint").get_data(as_text=True)
    import html as html_lib

    assert html_lib.escape(latest, quote=False) in html
    for v in platform.log_keys.verifiers():
        assert v.vkey in html
    assert "透明日志" in html
