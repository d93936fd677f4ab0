"""Log evidence of a draw: its announcement, seed steps and commit, in that order, in the
signed tree; checked offline from the evidence and the public key alone."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from shuangsuiji.kernel import logproof, note
from tests.draws.conftest import make_task  # noqa: F401 - the fixture
from tests.draws.test_announcements import PARTIES, _announce, _commit_and_reveal, _draw


def test_draw_evidence_shows_the_announcement_before_the_commit(
        app: Flask, platform: Any, tmp_path: Path,
        make_task: Callable[..., str]) -> None:  # noqa: F811
    code = make_task("miit")
    _announce(platform, code, procedure="commit_reveal", parties=PARTIES)
    _commit_and_reveal(platform, code)
    draw_id, _bundle = _draw(platform, code)
    r = app.test_client().get(f"/api/v1/public/t/miit/log/draws/{draw_id}/evidence")
    assert r.status_code == 200, r.get_data(as_text=True)
    evidence = r.get_json()
    verifiers = platform.log_keys.verifiers()
    cp, entries = logproof.verify_evidence(evidence, verifiers,
                                           origin="shuangsuiji.localhost/miit")
    actions = [e["action"] for e in entries]
    assert actions[0] == "draw.announce" and actions[-1] == "draw.commit"
    assert "draw.seed_reveal" in actions
    assert cp.size >= entries[-1]["seq"]

    path = tmp_path / "evidence.json"
    path.write_text(json.dumps(evidence, ensure_ascii=False), encoding="utf-8")
    cli = app.test_cli_runner()
    ok = cli.invoke(args=["log", "check-evidence", str(path), "--key", verifiers[0].vkey])
    assert ok.exit_code == 0, ok.output
    assert "draw.announce" in ok.output and "draw.commit" in ok.output

    # a changed field, a proof of another leaf, an extra key: each refused with its place
    forged = json.loads(json.dumps(evidence))
    forged["entries"][0]["fields"]["actor"] = "someone else"
    with pytest.raises(note.NoteError, match=r"entry 1 .*not in the signed tree"):
        logproof.verify_evidence(forged, verifiers)
    swapped = json.loads(json.dumps(evidence))
    swapped["entries"][0]["proof"] = swapped["entries"][-1]["proof"]
    with pytest.raises(note.NoteError, match="entry 1"):
        logproof.verify_evidence(swapped, verifiers)
    extra = dict(evidence, seed="x")
    with pytest.raises(note.NoteError, match="exactly the keys"):
        logproof.verify_evidence(extra, verifiers)
    path.write_text(json.dumps(forged), encoding="utf-8")
    bad = cli.invoke(args=["log", "check-evidence", str(path), "--key", verifiers[0].vkey])
    assert bad.exit_code != 0 and "not in the signed tree" in bad.output
    assert app.test_client().get(
        "/api/v1/public/t/miit/log/draws/999999/evidence").status_code == 404


def test_an_announcement_without_its_event_is_named(
        app: Flask, platform: Any, make_task: Callable[..., str]) -> None:  # noqa: F811
    from sqlalchemy import delete

    from shuangsuiji.db.audit_guard import unaudited
    from shuangsuiji.models.audit import AuditEvent
    from tests.translog.tamper import cover_tracks

    code = make_task("miit")
    row = _announce(platform, code, procedure="commit_reveal", parties=PARTIES)
    cli = app.test_cli_runner()
    assert cli.invoke(args=["audit", "verify", "--tenant", "miit"]).exit_code == 0
    with platform.db.session() as s, unaudited(s, "test: the announcement's event removed"):
        s.execute(delete(AuditEvent).where(AuditEvent.action == "draw.announce"))
        cover_tracks(s, row.tenant_id)
        s.commit()
    bad = cli.invoke(args=["audit", "verify", "--tenant", "miit"])
    assert bad.exit_code != 0 and f"announcement {row.id} has no audit event" in bad.output
