"""Each way of rewriting a tenant's history is caught by `ssj log verify` (and `ssj audit
verify`) from a checkpoint saved before, with a clear message and a non-zero exit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete

from shuangsuiji.db.audit_guard import unaudited
from shuangsuiji.kernel import note
from shuangsuiji.models.audit import AuditEvent, LogCheckpoint
from shuangsuiji.services import audit, translog
from shuangsuiji.services.logkeys import generate
from tests.translog.tamper import cover_tracks, events


@pytest.fixture
def saved(app: Flask, platform: Any, tenant_tree: dict[str, int], tmp_path: Path) -> Path:
    """Chongqing with 12 events; its checkpoint saved to a file by an outsider."""
    with platform.db.session() as s:
        for i in range(11):
            audit.record(s, tenant_id=tenant_tree["chongqing"], action="test.event",
                         object_type="t", object_id=i, payload={"i": i})
        s.commit()
    body = app.test_client().get("/api/v1/public/t/chongqing/log/checkpoint").get_data()
    path = tmp_path / "saved.txt"
    path.write_bytes(body)
    return path


def _run(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=list(args))


def _log_verify(app: Flask, saved: Path) -> Any:
    return _run(app, "log", "verify", "--tenant", "chongqing", "--checkpoint", str(saved))


def _refused(result: Any, *words: str) -> None:
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output, result.output


def test_untouched_log_checks_out(app: Flask, saved: Path, platform: Any,
                                  tenant_tree: dict[str, int]) -> None:
    with platform.db.session() as s:
        audit.record(s, tenant_id=tenant_tree["chongqing"], action="test.more",
                     object_type="t", object_id="x")
        s.commit()
    ok = _log_verify(app, saved)
    assert ok.exit_code == 0, ok.output
    assert "13 entries" in ok.output
    assert _run(app, "audit", "verify", "--tenant", "chongqing").exit_code == 0


def test_tail_deletion(app: Flask, saved: Path, platform: Any,
                       tenant_tree: dict[str, int]) -> None:
    tid = tenant_tree["chongqing"]
    with platform.db.session() as s, unaudited(s, "test: the operator deletes the tail"):
        for e in events(s, tid)[-2:]:
            s.delete(e)
        s.flush()
        cover_tracks(s, tid)
        s.commit()
    _refused(_log_verify(app, saved), "saved.txt", "truncated", "12", "10")


def test_all_events_deleted(app: Flask, saved: Path, platform: Any,
                            tenant_tree: dict[str, int]) -> None:
    tid = tenant_tree["chongqing"]
    with platform.db.session() as s, unaudited(s, "test: the operator wipes a tenant"):
        s.execute(delete(AuditEvent).where(AuditEvent.tenant_id == tid))
        s.execute(delete(LogCheckpoint).where(LogCheckpoint.tenant_id == tid))
        s.commit()
    _refused(_log_verify(app, saved), "truncated", "12", "0")


def test_event_moved_to_another_tenant(app: Flask, saved: Path, platform: Any,
                                       tenant_tree: dict[str, int]) -> None:
    tid, other = tenant_tree["chongqing"], tenant_tree["yuzhong"]
    with platform.db.session() as s, unaudited(s, "test: the operator moves an event"):
        moved = events(s, tid)[5]
        moved.tenant_id, moved.seq = other, 10_000
        s.flush()
        cover_tracks(s, tid)
        cover_tracks(s, other)
        s.commit()
    _refused(_log_verify(app, saved), "truncated")


def test_event_moved_in_without_rebuilding_is_named(app: Flask, saved: Path, platform: Any,
                                                    tenant_tree: dict[str, int]) -> None:
    """The leaf names its tenant: an event moved into another log with its chain patched
    does not fit the leaf stored for it."""
    tid, other = tenant_tree["chongqing"], tenant_tree["yuzhong"]
    with platform.db.session() as s, unaudited(s, "test: an event swapped between tenants"):
        theirs = events(s, other)[0]
        mine = events(s, tid)[0]
        theirs.tenant_id, mine.tenant_id = tid, other
        theirs.seq, mine.seq = -1, -2
        s.flush()
        theirs.seq = mine.seq = 1
        s.commit()
    _refused(_log_verify(app, saved), "event 1", "moved")


def test_event_changed_and_later_hashes_recomputed(app: Flask, saved: Path, platform: Any,
                                                   tenant_tree: dict[str, int]) -> None:
    tid = tenant_tree["chongqing"]
    with platform.db.session() as s, unaudited(s, "test: the operator rewrites an event"):
        e = events(s, tid)[3]
        e.payload = {"i": 999}
        e.payload_digest = audit.digest(e.payload)
        cover_tracks(s, tid)
        s.commit()
    chain = _run(app, "audit", "verify", "--tenant", "chongqing")
    assert "events" in chain.output  # the chain was recomputed and looks intact by itself
    _refused(_log_verify(app, saved), "no longer hash to its root", "changed")


def test_event_inserted(app: Flask, saved: Path, platform: Any,
                        tenant_tree: dict[str, int]) -> None:
    tid = tenant_tree["chongqing"]
    with platform.db.session() as s, unaudited(s, "test: the operator slips an event in"):
        e = events(s, tid)[4]
        s.add(AuditEvent(tenant_id=tid, seq=-5, at=e.at, actor="x", action="draw.commit",
                         object_type="draw", object_id="1", payload={},
                         payload_digest=audit.digest({}), prev_hash="", hash=""))
        for later in events(s, tid)[5:]:
            later.seq += 100
        s.flush()
        for ev in events(s, tid):
            if ev.seq == -5:
                ev.seq = 5 + 50
        cover_tracks(s, tid)
        s.commit()
    _refused(_log_verify(app, saved), "no longer hash to its root")


def test_stored_tree_changed_without_events_is_named(app: Flask, saved: Path, platform: Any,
                                                     tenant_tree: dict[str, int]) -> None:
    tid = tenant_tree["chongqing"]
    with platform.db.session() as s, unaudited(s, "test: an event edited, tree left alone"):
        e = events(s, tid)[2]
        e.actor = "somebody else"
        e.hash = audit.event_hash(e)
        s.commit()
    _refused(_run(app, "audit", "verify", "--tenant", "chongqing"), "broken")
    _refused(_log_verify(app, saved), "event 3", "leaf")


def test_forged_checkpoints(app: Flask, saved: Path, platform: Any, tmp_path: Path) -> None:
    text = saved.read_text(encoding="utf-8")
    lines = text.split("\n")
    bumped = tmp_path / "bumped.txt"
    bumped.write_text("\n".join([lines[0], str(int(lines[1]) - 1), *lines[2:]]),
                      encoding="utf-8")
    _refused(_run(app, "log", "verify", "--tenant", "chongqing", "--checkpoint", str(bumped)),
             "does not verify")
    # signed by another key of the same name
    impostor = generate(platform.log_keys.origin, note.SIG_ED25519)
    parsed = note.parse(text)
    other = tmp_path / "other.txt"
    other.write_text(note.Note(parsed.text, (impostor.sign_note(parsed.text),)).render(),
                     encoding="utf-8")
    _refused(_run(app, "log", "verify", "--tenant", "chongqing", "--checkpoint", str(other)),
             "no signature by a known key")


def test_inconsistent_checkpoint_signed_with_the_real_key(
        app: Flask, saved: Path, platform: Any, tmp_path: Path) -> None:
    """The operator signs a checkpoint of another history (a fork) with its own key."""
    cp = note.parse_checkpoint(note.parse(saved.read_text(encoding="utf-8")).text)
    fork = note.Checkpoint(cp.origin, cp.size, bytes(32)).body()
    signer = platform.log_keys.log_signer()
    path = tmp_path / "fork.txt"
    path.write_text(note.Note(fork, (signer.sign_note(fork),)).render(), encoding="utf-8")
    _refused(_run(app, "log", "verify", "--tenant", "chongqing", "--checkpoint", str(path)),
             "fork.txt", "no longer hash to its root")


def test_stored_checkpoints_catch_tampering_without_a_saved_one(
        app: Flask, saved: Path, platform: Any, tenant_tree: dict[str, int]) -> None:
    tid = tenant_tree["chongqing"]
    with platform.db.session() as s, unaudited(s, "test: the tail, checkpoints left"):
        s.delete(events(s, tid)[-1])
        s.flush()
        cover_tracks(s, tid, forget_checkpoints=False)
        s.commit()
    _refused(_run(app, "log", "verify", "--tenant", "chongqing"), "checkpoint issued at size")
    _refused(_run(app, "audit", "verify", "--tenant", "chongqing"), "truncated")


def test_bad_checkpoint_files_are_named(app: Flask, tmp_path: Path,
                                        tenant_tree: dict[str, int]) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_text("hello\n", encoding="utf-8")
    _refused(_run(app, "log", "verify", "--tenant", "chongqing", "--checkpoint", str(junk)),
             "junk.txt", "blank line")
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\xff\xfe")
    _refused(_run(app, "log", "verify", "--tenant", "chongqing", "--checkpoint", str(binary)),
             "UTF-8")
    assert translog.size  # the module is in use


def test_middle_event_deleted_without_renumbering(app: Flask, saved: Path, platform: Any,
                                                  tenant_tree: dict[str, int]) -> None:
    tid = tenant_tree["chongqing"]
    with platform.db.session() as s, unaudited(s, "test: a middle event deleted"):
        s.delete(events(s, tid)[4])
        s.commit()
    result = _log_verify(app, saved)
    _refused(result, "expected seq 5")
    _refused(_run(app, "audit", "verify", "--tenant", "chongqing"), "expected seq 5")
