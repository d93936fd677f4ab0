"""The announced draw through the service layer: announce → commit → reveal (→ beacon) →
draw, refused when anything differs, a v2 bundle that verifies, void and redraw."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from shuangsuiji import kernel
from shuangsuiji.errors import Conflict, UserError
from shuangsuiji.kernel import announce
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.models.draws import Draw, DrawAnnouncement, DrawPool, SeedCommitment
from shuangsuiji.models.plans import Task
from shuangsuiji.platform import Platform
from shuangsuiji.services import announcements, audit, draws
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.services.draws import storage

PARTIES = ("工业和信息化局", "见证人 王五")
SECRETS = {PARTIES[0]: "c0ffee00c0ffee00c0ffee00c0ffee00",
           PARTIES[1]: "5eed5eed5eed5eed5eed5eed5eed5eed"}
SIG_1000 = ("b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bac"
            "be47e4b6b63ed5e39")
BEFORE_1000 = datetime(2023, 8, 23, 15, 30, tzinfo=UTC)
AFTER_1000 = datetime(2023, 8, 23, 16, 30, tzinfo=UTC)


@contextmanager
def tenant_session(platform: Platform, slug: str) -> Iterator[tuple[Any, Any]]:
    with platform.db.session() as s:
        tenant = tenant_service.get(s, slug)
        s.info["tenant_id"] = tenant.id
        yield s, tenant
        s.commit()


def _announce(platform: Platform, code: str, **kw: Any) -> DrawAnnouncement:
    with tenant_session(platform, "miit") as (s, t):
        return announcements.announce(s, platform, t, code, **kw)


def _commit_and_reveal(platform: Platform, code: str, reveal: tuple[str, ...] = PARTIES,
                       now: datetime | None = None) -> None:
    with tenant_session(platform, "miit") as (s, t):
        for p in PARTIES:
            announcements.commit(s, t, code, p, announcements.commitment_of(SECRETS[p]))
    for p in reveal:
        with tenant_session(platform, "miit") as (s, t):
            announcements.reveal(s, t, code, p, SECRETS[p], now=now)


def _draw(platform: Platform, code: str, **kw: Any) -> Any:
    with tenant_session(platform, "miit") as (s, t):
        record = draws.draw(s, platform, t, code, **kw)
        return record.id, draws.export_bundle(s, record)


def test_commit_reveal_draw_is_a_v2_bundle_that_verifies(
    platform: Platform, make_task: Callable[..., str]
) -> None:
    code = make_task("miit")
    row = _announce(platform, code, procedure="commit_reveal", parties=PARTIES)
    _commit_and_reveal(platform, code)
    draw_id, bundle = _draw(platform, code)
    report = kernel.verify_bundle(kernel.codec.strict_loads(json.dumps(bundle)))
    assert report.ok, str(report)
    assert bundle["format"] == "shuangsuiji-draw/2"
    assert bundle["announcement"]["announced_at"] == row.announcement["announced_at"]
    assert announce.announcement_digest(bundle["announcement"]) == row.digest
    assert bundle["seed_inputs"]["reveals"] == sorted([p, SECRETS[p]] for p in PARTIES)
    with tenant_session(platform, "miit") as (s, _t):
        used = s.get(DrawAnnouncement, row.id)
        assert used.draw_id == draw_id
        # the pool was frozen once: the draw's stored pool is the announcement's
        stored = s.scalar(select(DrawPool.format).where(DrawPool.draw_id == draw_id))
        assert stored == storage.POOL_OF_ANNOUNCEMENT
        assert b"".join(storage.packed_pieces(s, s.get(Draw, draw_id))) == used.pool
        actions = s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
        assert actions[-6:] == ["draw.announce", "draw.seed_commit", "draw.seed_commit",
                                "draw.seed_reveal", "draw.seed_reveal", "draw.commit"]


def test_the_draw_is_refused_when_it_differs_from_the_announcement(
    platform: Platform, make_task: Callable[..., str]
) -> None:
    code = make_task("miit")
    _announce(platform, code, procedure="commit_reveal", parties=PARTIES)
    _commit_and_reveal(platform, code)
    with tenant_session(platform, "miit") as (s, t):
        task = s.scalar(select(Task).where(Task.code == code))
        task.group_count = 2
        task.experts_count = 1
        audit.record(s, tenant_id=t.id, action="task.update", object_type="task",
                     object_id=task.id, payload={"group_count": 2, "experts_count": 1})
    with pytest.raises(Conflict, match=r"draw_parameters\.experts_count, "
                                       r"draw_parameters\.group_count"):
        _draw(platform, code)


def test_a_withheld_reveal_makes_the_draw_wait(platform: Platform,
                                               make_task: Callable[..., str]) -> None:
    code = make_task("miit")
    _announce(platform, code, procedure="commit_reveal", parties=PARTIES)
    _commit_and_reveal(platform, code, reveal=PARTIES[:1])
    with pytest.raises(Conflict, match="waits for the reveals of 见证人 王五"):
        _draw(platform, code)
    with pytest.raises(UserError, match="no seed is typed"):
        _draw(platform, code, seed="dice 1-2-3")


def test_a_reveal_that_does_not_match_changes_nothing(platform: Platform,
                                                      make_task: Callable[..., str]) -> None:
    code = make_task("miit")
    _announce(platform, code, procedure="commit_reveal", parties=PARTIES)
    with tenant_session(platform, "miit") as (s, t):
        for p in PARTIES:
            announcements.commit(s, t, code, p, announcements.commitment_of(SECRETS[p]))
    with pytest.raises(UserError, match="does not match its commitment"), \
            tenant_session(platform, "miit") as (s, t):
        announcements.reveal(s, t, code, PARTIES[0], "guessed secret 0123456789")
    with tenant_session(platform, "miit") as (s, _t):
        assert all(c.secret is None for c in s.scalars(select(SeedCommitment)))
    with pytest.raises(UserError, match="at least 16"):
        announcements.commitment_of("1234")


def test_beacon_round_named_in_advance_with_a_missing_reveal(
    platform: Platform, make_task: Callable[..., str]
) -> None:
    code = make_task("miit")
    with pytest.raises(UserError, match="before the announcement"):
        _announce(platform, code, procedure="beacon", beacon_round=1000, now=AFTER_1000)
    _announce(platform, code, procedure="commit_reveal+beacon", parties=PARTIES,
              beacon_round=1000, now=BEFORE_1000)
    _commit_and_reveal(platform, code, reveal=PARTIES[:1], now=BEFORE_1000)
    with pytest.raises(Conflict, match="wait until then"):
        _draw(platform, code, beacon_signature=SIG_1000, now=BEFORE_1000)
    with pytest.raises(UserError, match="does not verify for round 1000"):
        _draw(platform, code, beacon_signature=SIG_1000[:-2] + "00", now=AFTER_1000)

    def relay(url: str) -> bytes:
        assert url.endswith("/public/1000")
        return json.dumps({"round": 1000, "signature": SIG_1000}).encode()

    _id, bundle = _draw(platform, code, fetch=relay, now=AFTER_1000)
    report = kernel.verify_bundle(bundle)
    assert report.ok, str(report)
    assert bundle["seed_inputs"]["beacon"]["round"] == 1000
    assert "did not reveal: 见证人 王五" in str(report)


def test_void_and_redraw_need_a_new_announcement_naming_the_voided_bundle(
    platform: Platform, make_task: Callable[..., str]
) -> None:
    code = make_task("miit")
    _announce(platform, code, procedure="generated")
    first_id, first = _draw(platform, code)
    assert "WEAKER" in str(kernel.verify_bundle(first))
    with tenant_session(platform, "miit") as (s, t):
        draws.void(s, t, first_id, "见证人未到场")
    # the voided draw was announced: its redraw cannot skip the announcement
    with pytest.raises(UserError, match="needs a new announcement"):
        _draw(platform, code, seed="dice 6-6-6")
    row = _announce(platform, code, procedure="commit_reveal", parties=PARTIES)
    assert row.announcement["replaces"] == first["digests"]["draw"]
    _commit_and_reveal(platform, code)
    _id, second = _draw(platform, code)
    assert kernel.verify_bundle(second).ok
    assert second["announcement"]["replaces"] == first["digests"]["draw"]
    with tenant_session(platform, "miit") as (s, _t):
        task = draws.find_task(s, code)
        voided = draws.draws_of(s, task)[0]
        assert voided.is_void and kernel.verify_bundle(draws.export_bundle(s, voided)).ok
        assert len(announcements.announcements_of(s, task)) == 2


def test_an_announcement_is_superseded_only_before_anything_random(
    platform: Platform, make_task: Callable[..., str]
) -> None:
    code = make_task("miit")
    _announce(platform, code, procedure="commit_reveal", parties=PARTIES)
    _announce(platform, code, procedure="commit_reveal", parties=PARTIES)  # nothing revealed
    _commit_and_reveal(platform, code, reveal=PARTIES[:1])
    with pytest.raises(Conflict, match="already public"):
        _announce(platform, code, procedure="commit_reveal", parties=PARTIES)


def test_a_v2_recusal_is_declared_then_applied_with_a_later_beacon_round(
    platform: Platform, make_task: Callable[..., str]
) -> None:
    from shuangsuiji.services import recusal_steps

    code = make_task("miit")
    _announce(platform, code, procedure="commit_reveal", parties=PARTIES,
              now=datetime(2023, 8, 23, 15, 0, tzinfo=UTC))
    _commit_and_reveal(platform, code)
    draw_id, bundle = _draw(platform, code)
    g = bundle["result"]["groups"][0]
    with tenant_session(platform, "miit") as (s, t):
        with pytest.raises(UserError, match="declared first"):
            draws.recuse(s, t, draw_id, person=g["members"][0], credit_code=g["targets"][0],
                         mode="withdraw", reason="亲属", platform=platform)
        entry = recusal_steps.declare(
            s, t, draw_id, person=g["members"][0], credit_code=g["targets"][0],
            mode="withdraw", reason="配偶在该企业任职", platform=platform,
            now=datetime(2023, 8, 23, 15, 59, 22, tzinfo=UTC))
        assert entry.beacon_round == 1000  # the first round after the declaration
    with tenant_session(platform, "miit") as (s, t), pytest.raises(Conflict, match="wait"):
        recusal_steps.apply(s, t, draw_id, platform=platform, beacon_signature=SIG_1000,
                            now=datetime(2023, 8, 23, 15, 59, 23, tzinfo=UTC))
    with tenant_session(platform, "miit") as (s, t):
        row = recusal_steps.apply(s, t, draw_id, platform=platform, beacon_signature=SIG_1000,
                                  now=AFTER_1000)
        assert row.outcome["reason"] == "配偶在该企业任职"
        exported = draws.export_bundle(s, s.get(Draw, draw_id))
    report = kernel.verify_bundle(exported)
    assert report.ok, str(report)
    step = exported["recusals"][0]
    assert step["beacon"]["round"] == 1000 and step["declared_at"] == "2023-08-23T15:59:22Z"
    assert step["replacement"] not in g["members"]


def test_the_bundle_carries_the_announcement_in_the_transparency_log(
    platform: Platform, make_task: Callable[..., str]
) -> None:
    from shuangsuiji.services import translog

    code = make_task("miit")
    _announce(platform, code, procedure="generated")
    draw_id, bundle = _draw(platform, code)
    # the announcement was signed into the log when it was published (audit.record)
    assert "log" in bundle
    with tenant_session(platform, "miit") as (s, t):
        translog.checkpoint(s, t.id)
        without = dict(draws.export_bundle(s, s.get(Draw, draw_id)))
        without.pop("log")
    report = kernel.verify_bundle(bundle)
    assert report.ok, str(report)
    assert "included in its checkpoint" in str(report)
    assert bundle["digests"] == without["digests"]  # the log is outside the draw digest
    forged = json.loads(json.dumps(bundle))
    forged["log"]["inclusion"][0] = "00" * 32
    assert kernel.verify_bundle(forged).path == "log.inclusion"
    other = json.loads(json.dumps(bundle))
    other["log"]["payload"]["digest"] = "0" * 64
    assert kernel.verify_bundle(other).path == "log.payload"
