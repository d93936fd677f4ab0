"""A draw's commit, void and announcement are signed into the log at once: the public can
fetch, right after the commit, a checkpoint covering the ``draw.commit`` event, and check
its inclusion with the pure verifier, following only the links of the portal's draw page."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import select

from shuangsuiji.kernel import logtree, merkle, note
from shuangsuiji.models.audit import AuditEvent, LogCheckpoint
from shuangsuiji.services import draws
from tests.draws.conftest import make_task  # noqa: F401 - the fixture
from tests.draws.test_announcements import (
    PARTIES,
    _announce,
    _commit_and_reveal,
    _draw,
    tenant_session,
)


def _issued(platform: Any) -> dict[int, bytes]:
    """Tree size → root of every checkpoint the deployment issued for miit."""
    with tenant_session(platform, "miit") as (s, t):
        return {c.tree_size: bytes(c.root_hash) for c in s.scalars(
            select(LogCheckpoint).where(LogCheckpoint.tenant_id == t.id))}


def _seq(platform: Any, action: str, object_id: int) -> int:
    with tenant_session(platform, "miit") as (s, t):
        return int(s.scalar(select(AuditEvent.seq).where(
            AuditEvent.tenant_id == t.id, AuditEvent.action == action,
            AuditEvent.object_id == str(object_id))))


def _link(page: str, anchor: str) -> str:
    found = re.search(rf'id="{anchor}" href="([^"]+)"', page)
    assert found, f"no link {anchor} on the page"
    return found.group(1).replace("&amp;", "&")


def test_a_committed_draw_is_covered_by_a_checkpoint_at_once(
        app: Flask, platform: Any, make_task: Callable[..., str]) -> None:  # noqa: F811
    code = make_task("miit")
    row = _announce(platform, code, procedure="commit_reveal", parties=PARTIES)
    announced_at = _seq(platform, "draw.announce", row.id)
    assert announced_at in _issued(platform)  # signed when the announcement was published
    _commit_and_reveal(platform, code)
    draw_id, bundle = _draw(platform, code)
    committed = _seq(platform, "draw.commit", draw_id)
    assert committed in _issued(platform)  # nobody asked for it: issued by the commit
    assert "log" in bundle  # so the bundle carries the announcement's inclusion at once

    client = app.test_client()
    page = client.get(f"/p/miit/draws/{draw_id}").get_data(as_text=True)
    size = int(re.search(r'id="log-tree-size">(\d+)<', page).group(1))  # type: ignore[union-attr]
    assert size == committed
    shown_root = re.search(r'id="log-root">([^<]+)<', page).group(1)  # type: ignore[union-attr]

    # the public: the signed checkpoint, checked with the published key, not the page
    keys = [note.parse_vkey(line) for line in
            client.get("/api/v1/public/log/keys").get_data(as_text=True).split()]
    text = client.get(_link(page, "log-checkpoint")).get_data(as_text=True)
    cp, _ = note.open_checkpoint(text, keys, origin="shuangsuiji.localhost/miit")
    assert cp.size == size and base64.b64encode(cp.root).decode() == shown_root

    # the commit's leaf, recomputed from its public fields, is in that signed tree
    proof = client.get(_link(page, "log-inclusion")).get_json()
    assert proof["index"] == committed - 1 and proof["size"] == size
    leaf = client.get(f"/api/v1/public/t/miit/log/leaves?start={committed - 1}"
                      f"&end={committed}").get_json()[0]
    assert leaf["action"] == "draw.commit" and leaf["object_id"] == str(draw_id)
    fields = {k: leaf[k] for k in ("action", "actor", "at", "object_id", "object_type",
                                   "payload_digest", "seq", "tenant")}
    leaf_hash = merkle.leaf_hash(logtree.event_leaf(fields))
    path = [base64.b64decode(p) for p in proof["proof"]]
    assert merkle.verify_inclusion(committed - 1, size, leaf_hash, path, cp.root)
    assert not merkle.verify_inclusion(committed - 2, size, leaf_hash, path, cp.root)
    assert client.get(_link(page, "log-evidence")).status_code == 200

    # a void is signed at once too
    with tenant_session(platform, "miit") as (s, t):
        draws.void(s, t, draw_id, "抽取程序有误")
    assert _seq(platform, "draw.void", draw_id) in _issued(platform)


def test_an_unannounced_draw_is_covered_too_and_a_rollback_leaves_no_checkpoint(
        platform: Any, make_task: Callable[..., str]) -> None:  # noqa: F811
    code = make_task("miit")
    before = _issued(platform)
    with platform.db.session() as s:
        from shuangsuiji.services import tenants as tenant_service

        t = tenant_service.get(s, "miit")
        s.info["tenant_id"] = t.id
        draws.draw(s, platform, t, code, seed="公开仪式 2026-07-01")
        s.rollback()  # the draw is not committed: neither is its checkpoint
    assert _issued(platform) == before
    draw_id, _bundle = _draw(platform, code, seed="公开仪式 2026-07-01")
    assert _seq(platform, "draw.commit", draw_id) in _issued(platform)


def test_the_central_witness_countersigns_each_draw_step_and_stops_a_rewritten_history(
        platform: Any, make_task: Callable[..., str]) -> None:  # noqa: F811
    import pytest

    from shuangsuiji.models.audit import LogWitnessed
    from shuangsuiji.services.witness import SplitView
    from tests.translog.tamper import cover_tracks, tamper

    code = make_task("miit")
    draw_id, _bundle = _draw(platform, code, seed="公开仪式 2026-07-02")
    committed = _seq(platform, "draw.commit", draw_id)
    with tenant_session(platform, "miit") as (s, _t):
        seen = s.scalar(select(LogWitnessed).where(
            LogWitnessed.origin == "shuangsuiji.localhost/miit"))
        assert seen is not None and seen.tree_size == committed  # by default, at once
        witness_key = platform.log_keys.witness_signer().verifier
        assert note.verify_cosignature(note.parse(seen.cosigned), witness_key) > 0
    # the operator drops the last event and covers its tracks; the next step is refused
    with platform.db.session() as s, tamper(s, "test: the draw's commit event removed"):
        t_id = s.scalar(select(AuditEvent.tenant_id).where(AuditEvent.seq == committed,
                                                           AuditEvent.action == "draw.commit"))
        s.execute(AuditEvent.__table__.delete().where(AuditEvent.tenant_id == t_id,
                                                      AuditEvent.seq >= committed - 1))
        cover_tracks(s, t_id)
        s.commit()
    with tenant_session(platform, "miit") as (s, t), pytest.raises(SplitView, match="SPLIT"):
        draws.void(s, t, draw_id, "抽取程序有误")


def test_ssj_verify_shows_the_log_still_extends_a_saved_checkpoint(
        app: Flask, platform: Any, tmp_path: Any,
        make_task: Callable[..., str]) -> None:  # noqa: F811
    """A person holding a bundle and a checkpoint saved from the portal, and nothing else
    (no database): `ssj verify` fetches the latest checkpoint and the consistency proof."""
    import json
    import threading

    from click.testing import CliRunner
    from werkzeug.serving import make_server

    from shuangsuiji import cli as ssj_cli
    from tests.translog.tamper import cover_tracks, events, tamper

    code = make_task("miit")
    _announce(platform, code, procedure="commit_reveal", parties=PARTIES)
    _commit_and_reveal(platform, code)
    draw_id, bundle = _draw(platform, code)
    client = app.test_client()
    saved = tmp_path / "saved.txt"
    saved.write_text(client.get("/api/v1/public/t/miit/log/checkpoint").get_data(as_text=True),
                     encoding="utf-8")
    bundle_file = tmp_path / "bundle.json"
    bundle_file.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    with tenant_session(platform, "miit") as (s, t):
        draws.void(s, t, draw_id, "抽取程序有误")  # the log grows
    vkey = platform.log_keys.verifiers()[0].vkey
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/api/v1/public/t/miit/log"
        args = ["verify", str(bundle_file), "--checkpoint", str(saved), "--log", url,
                "--key", vkey]
        ok = CliRunner().invoke(ssj_cli.cli, args)
        assert ok.exit_code == 0, ok.output
        assert "nothing was removed or rewritten" in ok.output
        assert ok.output.count("consistency proof verified") == 2  # saved + the bundle's
        # the operator rewrites the announcement's event, recomputing every hash and node
        with platform.db.session() as s, tamper(s, "test: history rewritten"):
            tid = s.scalar(select(AuditEvent.tenant_id).where(
                AuditEvent.action == "draw.announce"))
            first = next(e for e in events(s, tid) if e.action == "draw.announce")
            first.actor = "someone else"
            cover_tracks(s, tid)
            s.commit()
        client.get("/api/v1/public/t/miit/log/checkpoint")  # a new signed head is issued
        bad = CliRunner().invoke(ssj_cli.cli, args)
        assert bad.exit_code != 0 and "NOT extended" in bad.output, bad.output
        wrong_key = CliRunner().invoke(ssj_cli.cli, [*args[:-1], "ssj.example+00000000+AQ=="])
        assert wrong_key.exit_code != 0 and "Traceback" not in wrong_key.output
    finally:
        server.shutdown()
        thread.join()
