"""`ssj log witness`: over HTTP against a live server, consistency with what it saw before,
a cosignature that verifies, a split view reported loudly with a non-zero exit."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from shuangsuiji.db.audit_guard import unaudited
from shuangsuiji.kernel import note
from shuangsuiji.models.audit import LogWitnessed
from shuangsuiji.services import audit
from tests.translog.tamper import cover_tracks, events


@pytest.fixture
def live(app: Flask, tenant_tree: dict[str, int]) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def _grow(platform: Any, tenant_id: int, n: int) -> None:
    with platform.db.session() as s:
        for i in range(n):
            audit.record(s, tenant_id=tenant_id, action="test.event", object_type="t",
                         object_id=i, payload={"i": i})
        s.commit()


def _witness(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["log", "witness", *args])


def test_witness_over_http_then_split_view(app: Flask, platform: Any, live: str,
                                           tenant_tree: dict[str, int]) -> None:
    url = f"{live}/api/v1/public/t/chongqing/log"
    tid = tenant_tree["chongqing"]
    _grow(platform, tid, 4)
    first = _witness(app, url)
    assert first.exit_code == 0, first.output
    assert "first sight" in first.output
    cosigned = note.parse(first.output.split("\n", 1)[1])
    witness_key = platform.log_keys.witness_signer().verifier
    assert note.verify_cosignature(cosigned, witness_key) > 0
    note.verify_note(cosigned, platform.log_keys.verifiers())  # the log's own line kept

    _grow(platform, tid, 3)
    second = _witness(app, url)
    assert second.exit_code == 0, second.output
    assert "was 5" in second.output and "8 entries" in second.output

    # the operator rewrites history (every hash recomputed, its checkpoints dropped)
    with platform.db.session() as s, unaudited(s, "test: history rewritten"):
        e = events(s, tid)[2]
        e.payload = {"rewritten": True}
        e.payload_digest = audit.digest(e.payload)
        cover_tracks(s, tid)
        s.commit()
    split = _witness(app, url)
    assert split.exit_code != 0
    assert "SPLIT VIEW" in split.output and "two different roots for size 8" in split.output
    _grow(platform, tid, 2)  # and grows it: no consistency proof to what was seen
    split = _witness(app, url)
    assert split.exit_code != 0 and "not an extension" in split.output
    with platform.db.session() as s:  # what the witness saw is kept, not overwritten
        seen = s.scalar(select(LogWitnessed).where(LogWitnessed.origin.like("%/chongqing")))
        assert seen is not None and seen.tree_size == 8


def test_witness_all_tenants_and_truncation(app: Flask, platform: Any,
                                            tenant_tree: dict[str, int]) -> None:
    ok = _witness(app, "--all-tenants")
    assert ok.exit_code == 0, ok.output
    assert ok.output.count("cosigned") == len(tenant_tree)
    tid = tenant_tree["yuzhong"]
    _grow(platform, tid, 2)
    assert _witness(app, "--all-tenants").exit_code == 0
    with platform.db.session() as s, unaudited(s, "test: the tail deleted"):
        s.delete(events(s, tid)[-1])
        s.flush()
        cover_tracks(s, tid)
        s.commit()
    bad = _witness(app, "--all-tenants")
    assert bad.exit_code != 0 and "SPLIT VIEW" in bad.output and "yuzhong" in bad.output
    assert "Traceback" not in bad.output


def test_witness_needs_the_right_key_and_a_reachable_log(app: Flask, live: str) -> None:
    url = f"{live}/api/v1/public/t/chongqing/log"
    from shuangsuiji.services.logkeys import generate

    other = generate("elsewhere.example", note.SIG_ED25519).verifier.vkey
    bad = _witness(app, url, "--key", other)
    assert bad.exit_code != 0 and "no signature by a known key" in bad.output
    gone = _witness(app, f"{live}/api/v1/public/t/atlantis/log")
    assert gone.exit_code != 0 and "404" in gone.output and "Traceback" not in gone.output
    assert _witness(app).exit_code != 0
