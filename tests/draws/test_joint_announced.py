"""A joint task's announcement lists its participants (docs/draw-spec.md §10, issue #15):
who takes part with which items and quotas is fixed before the seed, the draw is refused
when the participants changed since, and the verifier refuses a bundle whose participants
differ from the announced ones (a /1 announcement of a joint bundle is a note)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from shuangsuiji.errors import Conflict
from shuangsuiji.kernel import announce, verify_bundle
from shuangsuiji.kernel.bundle import draw_digest
from shuangsuiji.kernel.codec import strict_loads
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.models.draws import DrawAnnouncement
from shuangsuiji.platform import Platform
from shuangsuiji.services import announcements, draws, joint
from tests.draws.test_joint_participants import A, B, _in, _joint_task, _plans
from tests.kernel.test_pool_blocks import legacy

SEED = "dice 6-1-4-2-5-3"


def _announce(platform: Platform, code: str) -> Any:
    return _in(platform, lambda s, t: announcements.announce(
        s, platform, t, code, procedure="ceremony").announcement)


def _announcement_id(platform: Platform) -> int:
    return _in(platform, lambda s, t: s.scalar(select(DrawAnnouncement.id)))  # type: ignore[return-value]


def _draw_bundle(platform: Platform, code: str) -> dict[str, Any]:
    def run(s: Any, t: Any) -> dict[str, Any]:
        record = draws.draw(s, platform, t, code, seed=SEED)
        return copy.deepcopy(draws.export_bundle(s, record))

    return _in(platform, run)  # type: ignore[return-value]


def _redigest(bundle: dict[str, Any]) -> dict[str, Any]:
    bundle["digests"]["draw"] = draw_digest(bundle, bundle["digests"]["pool"])
    return strict_loads(json.dumps(bundle, ensure_ascii=False))  # type: ignore[no-any-return]


def test_the_announcement_lists_the_participants_and_the_bundle_verifies(
    app: Flask, platform: Platform, make_task: Callable[..., str],
) -> None:
    code = _joint_task(platform, make_task)
    _in(platform, joint.plan, code, _plans(quota_b=2))
    announced = _announce(platform, code)
    assert announced["format"] == announce.BLOCK_ANNOUNCEMENT_FORMAT and "joint" in announced
    assert list(announced) == list(announce.JOINT_ANNOUNCEMENT_KEYS)
    got = {p["code"]: (p["item_codes"], p["quota"]) for p in announced["joint"]["participants"]}
    assert got == {A: (["SX-001"], 1), B: (["SX-002"], 2)}
    event = _in(platform, lambda s, t: s.scalar(select(AuditEvent).where(
        AuditEvent.action == "draw.announce")))
    logged = {p["code"]: p["quota"] for p in event.payload["participants"]}  # type: ignore[attr-defined]
    assert logged == {A: 1, B: 2}
    # the portal's announcement page shows who takes part with which items and quota
    page = app.test_client().get(f"/p/miit/announcements/{_announcement_id(platform)}")
    assert page.status_code == 200
    table = page.get_data(as_text=True).split('id="announced-participants"')[1]
    table = table.split("</table>")[0]
    for unit, item, quota in ((A, "SX-001", 1), (B, "SX-002", 2)):
        row = next(r for r in table.split("<tr>") if f"<code>{unit}</code>" in r)
        assert item in row and f"<td>{quota}</td>" in row, row
    bundle = _draw_bundle(platform, code)
    assert bundle["announcement"] == announced
    assert bundle["announcement"]["joint"] == bundle["joint"]
    report = verify_bundle(strict_loads(json.dumps(bundle, ensure_ascii=False)))
    assert report.ok, str(report)


def test_the_draw_is_refused_when_the_participants_changed_since_the_announcement(
    platform: Platform, make_task: Callable[..., str],
) -> None:
    code = _joint_task(platform, make_task)
    _in(platform, joint.plan, code, _plans())
    _announce(platform, code)
    # after the announcement the two participants swap their items (nothing else changes)
    _in(platform, joint.plan, code, [joint.ParticipantPlan(A, ("SX-002",)),
                                     joint.ParticipantPlan(B, ("SX-001",))])
    with pytest.raises(Conflict, match=r"differs from announcement #1 in: joint\.participants\n"):
        _draw_bundle(platform, code)


def test_the_verifier_refuses_participants_other_than_the_announced(
    platform: Platform, make_task: Callable[..., str],
) -> None:
    code = _joint_task(platform, make_task)
    _in(platform, joint.plan, code, _plans())
    _announce(platform, code)
    bundle = _draw_bundle(platform, code)
    # the announcement claims another quota than the draw used (draw digest made again)
    forged = copy.deepcopy(bundle)
    forged["announcement"]["joint"]["participants"][0]["quota"] = 3
    report = verify_bundle(_redigest(forged))
    assert not report.ok and report.path == "announcement.joint", str(report)
    # a joint bundle whose /3 announcement lost its participants is malformed, by path
    dropped = copy.deepcopy(bundle)
    del dropped["announcement"]["joint"]
    report = verify_bundle(_redigest(dropped))
    assert not report.ok and report.path == "announcement.joint", str(report)
    # an old /1 announcement (no participants) still verifies, with a note saying so
    old = legacy(bundle, announce.ANNOUNCEMENT_FORMAT)
    old.pop("log", None)  # (the log holds the /2 announcement's digest, and says so)
    report = verify_bundle(_redigest(old))
    assert report.ok, str(report)
    assert any("does not list the participants" in n for n in report.notes), report.notes
