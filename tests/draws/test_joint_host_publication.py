"""The host's own publication of a joint task, as its deadline board and statistics count it.

CQ 第十四条 binds the unit that publishes: Jiangbei (the other tenant) publishing its items
on time does not publish Yuzhong's (the host's). Before this, the task's publication row —
made by the first participant to publish — took that participant's date and on-time flag:
the host's board stopped warning of its own deadline the day the other tenant published,
and its statistics counted the task as published on time even when the host was late.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from shuangsuiji.models.inspections import Publication
from shuangsuiji.platform import Platform
from shuangsuiji.services import deadlines, joint, joint_guest, joint_results, statistics
from tests.draws.test_joint_guest_deadline import AT, _done, _import
from tests.draws.test_joint_tenants import GUEST, HOST, UNIT, _drawn, _events, _in
from tests.draws.test_joint_tenants import two as two  # the fixture

LATE = datetime(2027, 1, 29, 2, 0, tzinfo=UTC)  # after the host's due date (2027-01-15/16)
BETWEEN = date(2027, 1, 20)  # a Wednesday after the host's due date, before it publishes


def _host_sees(platform: Platform, code: str) -> dict[str, Any]:
    def read(s: Any, t: Any) -> dict[str, Any]:
        task = joint.get_task(s, code)
        pub = s.scalar(select(Publication).where(Publication.task_id == task.id))
        entry = next(e for e in deadlines.board(s, platform, t, today=BETWEEN)
                     if e.task_code == code)
        year = statistics.year_stats(s, t, task.starts_on.year)
        return {"row": (pub.published_on, pub.on_time) if pub else None,
                "board": (entry.status, entry.published_on),
                "stats": (year.published, year.published_on_time), "status": task.status}
    return _in(platform, HOST, read)


def _publish_guest(platform: Platform, code: str, at: datetime = AT) -> Any:
    return _in(platform, GUEST, lambda s, t: joint_guest.publish(s, platform, t, code, at=at))


def _publish_host(platform: Platform, code: str, at: datetime = AT) -> Any:
    return _in(platform, HOST, lambda s, t: joint_results.publish_participant(
        s, platform, t, code, UNIT, at=at))


def _public_list(app: Flask, code: str) -> dict[str, Any]:
    """What the public reads of the task on the host's portal page and in the API."""
    client = app.test_client()
    page = client.get(f"/p/{HOST}/").get_data(as_text=True)
    listed = page[page.index('id="recently-published"'):].split("</ul>")[0]
    api = client.get(f"/api/v1/public/t/{HOST}/tasks").get_json()
    row = next(t for t in api if t["task_code"] == code)
    return {"page": (code in listed, "host-pending" in listed),
            "api": (row["published_on"], row["on_time"], row["host_published"])}


def test_the_other_tenants_publication_does_not_publish_the_hosts_part(
    app: Flask, platform: Platform, two: Callable[..., str],
) -> None:
    """Jiangbei publishes on time; the host's board still shows its own deadline (overdue
    once it passes) and its statistics count nothing published. The host then publishes
    late: the task's row, the board and the statistics say late, with the host's date."""
    code = _drawn(platform, two)
    _import(platform, GUEST)
    _done(platform, code)
    guest = _publish_guest(platform, code)
    assert guest.on_time
    assert _host_sees(platform, code) == {
        "row": (date(2026, 12, 21), True),  # (the published results hang from it already)
        "board": ("overdue", None), "stats": (0, 0), "status": "work_ended"}
    # the public sees the other tenant's results, dated theirs, and that the host's are not
    # published yet — not the host "published on time"
    assert _public_list(app, code) == {"page": (True, True),
                                       "api": ("2026-12-21", None, False)}
    host = _publish_host(platform, code, at=LATE)
    assert not host.on_time
    assert _host_sees(platform, code) == {
        "row": (date(2027, 1, 29), False), "board": ("late", date(2027, 1, 29)),
        "stats": (1, 0), "status": "published"}
    assert _public_list(app, code) == {"page": (True, False),
                                       "api": ("2027-01-29", False, True)}
    events = {e["participant"]: e for e in _events(platform, HOST, "task.participant_publish")}
    assert (events[GUEST]["host_published"], events[UNIT]["host_published"]) == (False, True)


@pytest.mark.parametrize("guest_late", [False, True])
def test_the_host_publishing_first_keeps_its_own_date(
    platform: Platform, two: Callable[..., str], guest_late: bool,
) -> None:
    """The host publishes on time first: that is its publication, whenever (and however
    late) the other tenant publishes its own part."""
    code = _drawn(platform, two)
    _import(platform, GUEST)
    _done(platform, code)
    _publish_host(platform, code)
    seen = _host_sees(platform, code)
    assert seen["board"] == ("on_time", date(2026, 12, 21)) and seen["stats"] == (1, 1)
    _publish_guest(platform, code, at=LATE if guest_late else AT)
    assert _host_sees(platform, code) == {
        "row": (date(2026, 12, 21), True), "board": ("on_time", date(2026, 12, 21)),
        "stats": (1, 1), "status": "published"}
