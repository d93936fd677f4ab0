"""Each participant's publication deadline in its own working days (issue #15 leftovers).

CQ 第十四条: "综合执法处应当在每次随机抽查工作结束后20个工作日内……将抽查情况……予以公开" — the
twenty working days are those of the participant that publishes. Yuzhong (the host) and
Jiangbei (the other tenant) are siblings under Chongqing: the same pack, but each its own
imported holiday notices. The work of the joint task ends on Friday 2026-12-18; the
twenty working days run into 2027, a year the installed calendar package does not cover.
A notice for 2027 (元旦 1 January a holiday, Saturday 16 January a make-up workday, 调休)
gives 2027-01-16; without it only weekends are skipped there, so 2027-01-15, and the
deadline is provisional (flagged with its warning, never passed off as certain).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from shuangsuiji.models.inspections import Publication
from shuangsuiji.platform import Platform
from shuangsuiji.services import (
    calendars,
    deadlines,
    joint,
    joint_guest,
    joint_results,
    publication,
)
from shuangsuiji.services import plans as plan_service
from shuangsuiji.services import records as record_service
from shuangsuiji.services.lifecycle import drawn_targets
from shuangsuiji.services.records import InspectorPresent
from shuangsuiji.workdays.package import package_years
from tests.draws.test_joint_tenants import DAY, GUEST, HOST, UNIT, _drawn, _events, _in
from tests.draws.test_joint_tenants import two as two  # the fixture

ENDED = date(2026, 12, 18)  # a Friday
AT = datetime(2026, 12, 21, 2, 0, tzinfo=UTC)  # Monday 10:00 in China
NOTICE = "日期,类型,名称\n2027-01-01,休假,元旦\n2027-01-16,调休上班,元旦调休\n".encode()
WITH_NOTICE, WEEKENDS_ONLY = date(2027, 1, 16), date(2027, 1, 15)


def _import(platform: Platform, slug: str) -> None:
    _in(platform, slug, lambda s, t: calendars.import_calendar(s, t, NOTICE, "2027.csv"))


def _done(platform: Platform, code: str) -> None:
    """One visit per target, every item's result, the work's end and the report."""
    def visit(s: Any, t: Any) -> list[str]:
        task = joint.get_task(s, code)
        for d in drawn_targets(s, task):
            record_service.record_on_site(
                s, platform, t, task.id, d.credit_code, method="on_site", inspected_on=DAY,
                inspectors=[InspectorPresent(p, "enforcement_certificate")
                            for p in d.inspectors[:3]],
                findings="两区联合检查", acknowledgement="signature")
        return [d.credit_code for d in drawn_targets(s, task)]

    codes = _in(platform, HOST, visit)
    for c in codes:
        _in(platform, HOST, lambda s, t, c=c: joint_results.record_item_result(
            s, platform, t, code, c, "SX-001", "no_problem", decided_on=DAY))
        _in(platform, GUEST, lambda s, t, c=c: joint_guest.record_result(
            s, platform, t, code, c, "SX-001", "no_problem", decided_on=DAY))
    _in(platform, HOST, lambda s, t: plan_service.end_work(s, t, code, ENDED, today=ENDED))
    _in(platform, HOST, lambda s, t: record_service.write_report(s, platform, t, code, {
        "period": "2026年12月", "target_count": len(codes), "content": "两区联合抽查",
        "findings": "f", "handling": "h", "suggestions": "s"}))


def _publish_both(platform: Platform, code: str) -> tuple[Any, Any]:
    guest = _in(platform, GUEST, lambda s, t: joint_guest.publish(s, platform, t, code, at=AT))
    host = _in(platform, HOST, lambda s, t: joint_results.publish_participant(
        s, platform, t, code, UNIT, at=AT))
    return guest, host


def test_2027_is_a_year_the_package_does_not_cover() -> None:
    assert 2026 in package_years() and 2027 not in package_years()


@pytest.mark.parametrize("imported_by", [HOST, GUEST])
def test_each_participant_counts_in_its_own_calendar(
    platform: Platform, two: Callable[..., str], imported_by: str,
) -> None:
    """Only ``imported_by`` imported the 2027 notice: its due date follows it (the holiday
    skipped, the 调休 Saturday counted); the other's counts weekends only and is
    provisional, in its publication row, its audit event and the joint task's views."""
    code = _drawn(platform, two)
    _import(platform, imported_by)
    _done(platform, code)
    # before it publishes, the other tenant sees its own deadline on its page
    shown = _in(platform, GUEST, lambda s, t: joint_guest.view(s, t, code, platform=platform))
    assert shown.deadline is not None
    assert shown.deadline.cite.article == "第十四条" and shown.deadline.working_days == 20
    guest, host = _publish_both(platform, code)
    covered = {HOST: host, GUEST: guest}[imported_by]
    other = {HOST: guest, GUEST: host}[imported_by]
    assert (covered.due_on, covered.provisional) == (WITH_NOTICE, False)
    assert (other.due_on, other.provisional) == (WEEKENDS_ONLY, True)
    assert shown.deadline.due == guest.due_on
    assert shown.deadline.provisional is guest.provisional
    assert guest.deadline_cite.startswith("chongqing") and "第十四条" in guest.deadline_cite
    events = {e["participant"]: e for e in _events(platform, HOST, "task.participant_publish")}
    assert events[GUEST]["provisional"] is guest.provisional
    assert events[GUEST]["uncovered_years"] == ([2027] if guest.provisional else [])
    assert [e["provisional"] for e in _events(platform, GUEST, "joint.publish")] == \
        [guest.provisional]
    views = _in(platform, HOST, lambda s, t: {
        v.code: (v.due_on, v.provisional) for v in joint_results.views(
            s, joint.get_task(s, code))})
    assert views == {GUEST: (guest.due_on, guest.provisional),
                     UNIT: (host.due_on, host.provisional)}


def test_the_other_tenant_inherits_its_own_ancestors_notice_not_the_hosts(
    platform: Platform, two: Callable[..., str],
) -> None:
    """Chongqing (the parent of both) imports the notice: both count in it, neither is
    provisional — the calendar is the participant's own lineage's."""
    code = _drawn(platform, two)
    _import(platform, "chongqing")
    _done(platform, code)
    guest, host = _publish_both(platform, code)
    assert (guest.due_on, guest.provisional) == (WITH_NOTICE, False)
    assert (host.due_on, host.provisional) == (WITH_NOTICE, False)


@pytest.mark.parametrize("first", [GUEST, HOST])
def test_the_task_wide_publication_carries_the_hosts_own_deadline(
    platform: Platform, two: Callable[..., str], first: str,
) -> None:
    """Only the other tenant imported the 2027 notice: its own due date is 2027-01-16, the
    host's (weekends only there) 2027-01-15 and provisional. The task's own publication row
    — the task page, the publication API, the portal's task list — carries the host's, the
    lead jurisdiction's, whoever publishes first; the deadline board agrees with it."""
    code = _drawn(platform, two)
    _import(platform, GUEST)
    _done(platform, code)

    def publish_guest() -> Any:
        return _in(platform, GUEST, lambda s, t: joint_guest.publish(s, platform, t, code, at=AT))

    def publish_host() -> Any:
        return _in(platform, HOST, lambda s, t: joint_results.publish_participant(
            s, platform, t, code, UNIT, at=AT))

    if first == GUEST:
        guest, host = publish_guest(), publish_host()
    else:
        host, guest = publish_host(), publish_guest()
    assert (guest.due_on, guest.provisional) == (WITH_NOTICE, False)
    assert (host.due_on, host.provisional) == (WEEKENDS_ONLY, True)

    def shown(s: Any, t: Any) -> dict[str, Any]:
        task = joint.get_task(s, code)
        pub = s.scalar(select(Publication).where(Publication.task_id == task.id))
        listed = next(p for p in publication.published_tasks(s) if p.task_code == code)
        entry = next(e for e in deadlines.board(s, platform, t) if e.task_code == code)
        return {"row": (pub.due_on, pub.provisional, pub.working_days, pub.on_time,
                        pub.deadline_cite.startswith("chongqing")),
                "portal": (listed.due_on, listed.provisional, listed.on_time),
                "board": (entry.due, entry.provisional, entry.status), "status": task.status}

    assert _in(platform, HOST, shown) == {
        "row": (WEEKENDS_ONLY, True, 20, True, True),
        "portal": (WEEKENDS_ONLY, True, True),
        "board": (WEEKENDS_ONLY, True, "on_time"), "status": "published"}


def test_each_published_result_carries_its_own_participants_date_and_on_time(
    platform: Platform, two: Callable[..., str],
) -> None:
    """The other tenant publishes on 2026-12-21 (on time); the host only on 2027-01-29,
    after its own due date: each item's published results say their own participant's day
    and whether it was on time — not the first publisher's, nor the task-wide row's (the
    host's own once it publishes: tests/draws/test_joint_host_publication.py)."""
    code = _drawn(platform, two)
    _import(platform, GUEST)
    _done(platform, code)
    _in(platform, GUEST, lambda s, t: joint_guest.publish(s, platform, t, code, at=AT))
    late = datetime(2027, 1, 29, 2, 0, tzinfo=UTC)
    _in(platform, HOST, lambda s, t: joint_results.publish_participant(
        s, platform, t, code, UNIT, at=late))

    def published(s: Any, t: Any) -> dict[str, set[tuple[date, bool]]]:
        by_item: dict[str, set[tuple[date, bool]]] = {}
        for r in publication.published_results(s, code):
            by_item.setdefault(r.item_code, set()).add((r.published_on, r.on_time))
        return by_item

    by_item = _in(platform, HOST, published)
    guest_items = {k for k in by_item if k.startswith(f"{GUEST}")}
    host_items = set(by_item) - guest_items
    assert guest_items and host_items
    assert all(by_item[k] == {(date(2026, 12, 21), True)} for k in guest_items)
    assert all(by_item[k] == {(date(2027, 1, 29), False)} for k in host_items)
