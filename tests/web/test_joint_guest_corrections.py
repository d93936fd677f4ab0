"""The other tenant of a joint task corrects the on-site record it wrote itself (issue #15
leftovers), from its own login: written again like the host's own records (refused once
the task is published — and once it has published its own results, which were published
from that record), audited as every record edit (``record.update`` with the digest
before, in the host's chain; ``joint.record_update`` in its own). A record the host wrote
stays the host's to correct; the host writing a record again leaves the other tenant's
items as that tenant entered them (each tenant records its own items)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from sqlalchemy import select

from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.models.inspections import InspectionRecord
from shuangsuiji.models.joint import ItemResult
from shuangsuiji.platform import Platform
from shuangsuiji.services import joint, joint_guest, joint_results
from shuangsuiji.services import plans as plan_service
from shuangsuiji.services import records as record_service
from shuangsuiji.services.records import InspectorPresent
from tests.web.test_joint_guest_records import OWN, _drawn, _rows, _visit
from tests.web.test_joint_tenants_pages import DAY, GUEST, HOST, _client, _in

LATER = date(2026, 4, 21)


def _events(platform: Platform, slug: str, action: str) -> list[dict[str, Any]]:
    return _in(platform, slug, lambda s, t: [e.payload for e in s.scalars(  # type: ignore[no-any-return]
        select(AuditEvent).where(AuditEvent.tenant_id == t.id, AuditEvent.action == action)
        .order_by(AuditEvent.seq))])


def _host_records(platform: Platform, code: str, credit_code: str,
                  people: tuple[str, ...]) -> None:
    _in(platform, HOST, lambda s, t: record_service.record_on_site(
        s, platform, t, joint.get_task(s, code).id, credit_code, method="on_site",
        inspected_on=DAY, inspectors=[InspectorPresent(p, "enforcement_certificate")
                                      for p in people], findings="区里录入",
        acknowledgement="signature"))


def test_the_guest_corrects_its_own_record_audited_in_both_chains(
    app: Flask, platform: Platform, users: dict[str, int],
) -> None:
    task_id, code, targets = _drawn(platform)
    (first, group) = targets[0]
    guest = _client(app, "jb_operator")
    url = f"/t/{GUEST}/joint/{HOST}/{code}"
    assert guest.post(url + "/record", data=_visit(first, group, **{
        f"item_result-{OWN}": "no_problem"})).status_code == 302
    page = guest.get(url).get_data(as_text=True)
    form = page.split('id="joint-guest-record"')[1].split("</form>")[0]
    assert f'value="{first}"' in form and "重新录入" in form  # offered again, to correct
    assert 'id="joint-guest-correct"' in page and "重新录入予以更正" in page

    fixed = guest.post(url + "/record", data=_visit(first, group, **{
        "visit-inspected_on": LATER.isoformat(), "visit-findings": "更正：次日检查",
        f"item_result-{OWN}": "problem_rectified", f"item_handling-{OWN}": "责令限期整改"}))
    assert fixed.status_code == 302, fixed.get_data(as_text=True)[:3000]
    records = _rows(platform, InspectionRecord, task_id)
    assert [(r.credit_code, r.inspected_on, r.findings) for r in records] == [
        (first, LATER, "更正：次日检查")]
    results = _rows(platform, ItemResult, task_id)
    assert [(r.item_code, r.participant_code, r.result, r.handling) for r in results] == [
        (OWN, GUEST, "problem_rectified", "责令限期整改")]
    # audited as every record edit: the host's chain with the digest before, and its own
    updates = _events(platform, HOST, "record.update")
    assert len(updates) == 1 and updates[0]["before"]
    assert updates[0]["record"]["findings"] == "更正：次日检查"
    assert _events(platform, GUEST, "joint.record_update") == [
        {"target": first, "inspected_on": LATER.isoformat(),
         "results": {OWN: "problem_rectified"}}]
    # a viewer still may not
    viewer = _client(app, "jb_viewer")
    assert viewer.post(url + "/record", data=_visit(first, group)).status_code == 403


def test_the_host_rewriting_the_guests_record_is_in_the_guests_chain_too(
    app: Flask, platform: Platform, users: dict[str, int],
) -> None:
    """The host may rewrite any record of its task (the record is its own, 第十三条); when
    the record is one the other tenant wrote, the other tenant's own chain says so, with
    the digests before and after — a reader of its log alone sees its visit record
    changed. The host rewriting its own record, or the guest its own, adds no such event."""
    _, code, targets = _drawn(platform)
    (first, group), (second, group2) = targets[0], targets[1]
    guest = _client(app, "jb_operator")
    url = f"/t/{GUEST}/joint/{HOST}/{code}"
    assert guest.post(url + "/record", data=_visit(first, group, **{
        f"item_result-{OWN}": "no_problem"})).status_code == 302
    assert guest.post(url + "/record", data=_visit(first, group, **{
        "visit-findings": "更正", f"item_result-{OWN}": "no_problem"})).status_code == 302
    _host_records(platform, code, second, group2)
    _host_records(platform, code, second, group2)  # its own, again
    assert _events(platform, GUEST, "joint.record_rewritten") == []
    _host_records(platform, code, first, group)
    host_update = _events(platform, HOST, "record.update")[-1]
    assert host_update["record"]["findings"] == "区里录入"
    rewritten = _events(platform, GUEST, "joint.record_rewritten")
    assert len(rewritten) == 1 and rewritten[0]["target"] == first
    assert rewritten[0]["before"] == host_update["before"]
    assert rewritten[0]["record"] != rewritten[0]["before"]


def test_a_record_the_host_wrote_stays_the_hosts_and_keeps_the_guests_items(
    app: Flask, platform: Platform, users: dict[str, int],
) -> None:
    task_id, code, targets = _drawn(platform)
    (first, group) = targets[0]
    _host_records(platform, code, first, group)
    guest = _client(app, "jb_operator")
    url = f"/t/{GUEST}/joint/{HOST}/{code}"
    page = guest.get(url).get_data(as_text=True)
    if 'id="joint-guest-record"' in page:  # other targets may still be open
        form = page.split('id="joint-guest-record"')[1].split("</form>")[0]
        assert f'value="{first}"' not in form
    refused = guest.post(url + "/record", data=_visit(first, group))
    assert refused.status_code == 422
    assert [r.findings for r in _rows(platform, InspectionRecord, task_id)] == ["区里录入"]
    assert _events(platform, GUEST, "joint.record_update") == []

    # the guest enters its item's result; the host's admin writes the record again
    _in(platform, GUEST, lambda s, t: joint_guest.record_result(
        s, platform, t, code, first, "SX-001", "problem_rectified", decided_on=DAY))
    host = _client(app, "yz_admin")
    shown = host.get(f"/t/{HOST}/tasks/{task_id}/records?target={first}").get_data(as_text=True)
    select_tag = shown.split(f'name="item_result-{OWN}"')[1].split(">")[0]
    assert "disabled" in select_tag  # shown, not offered: the other tenant's to enter
    form = {"credit_code": first, "method": "on_site", "inspected_on": DAY.isoformat(),
            "inspectors": ",".join(group), "credential": "enforcement_certificate",
            "acknowledgement": "signature", "findings": "区里更正",
            "item_result-SX-001": "no_problem"}
    # the other tenant's item posted anyway: refused by name, nothing written
    forced = host.post(f"/t/{HOST}/tasks/{task_id}/records",
                       data={**form, f"item_result-{OWN}": "no_problem"})
    assert forced.status_code == 422 and OWN in forced.get_data(as_text=True)
    assert [r.findings for r in _rows(platform, InspectionRecord, task_id)] == ["区里录入"]
    again = host.post(f"/t/{HOST}/tasks/{task_id}/records", data=form)  # as the page posts
    assert again.status_code == 302, again.get_data(as_text=True)[:3000]
    assert [r.findings for r in _rows(platform, InspectionRecord, task_id)] == ["区里更正"]
    results = {r.item_code: (r.participant_code, r.result)
               for r in _rows(platform, ItemResult, task_id)}
    assert results == {"SX-001": ("综合执法处", "no_problem"),
                       OWN: (GUEST, "problem_rectified")}


def test_no_correction_once_the_guest_has_published(
    app: Flask, platform: Platform, users: dict[str, int],
) -> None:
    task_id, code, targets = _drawn(platform)
    guest = _client(app, "jb_operator")
    url = f"/t/{GUEST}/joint/{HOST}/{code}"
    for credit_code, group in targets:
        assert guest.post(url + "/record", data=_visit(credit_code, group, **{
            f"item_result-{OWN}": "no_problem"})).status_code == 302
        _in(platform, HOST, lambda s, t, c=credit_code: joint_results.record_item_result(
            s, platform, t, code, c, "SX-001", "no_problem", decided_on=DAY))
    _in(platform, HOST, lambda s, t: plan_service.end_work(s, t, code, DAY, today=DAY))
    _in(platform, HOST, lambda s, t: record_service.write_report(s, platform, t, code, {
        "period": "2026年4月", "target_count": len(targets), "content": "两区联合抽查",
        "findings": "f", "handling": "h", "suggestions": "s"}))
    _in(platform, GUEST, lambda s, t: joint_guest.publish(s, platform, t, code))
    page = guest.get(url).get_data(as_text=True)
    assert 'id="joint-guest-correct"' not in page
    first, group = targets[0]
    late = guest.post(url + "/record", data=_visit(first, group, **{
        "visit-findings": "发布后更正"}))
    assert late.status_code == 422
    assert all(r.findings != "发布后更正" for r in _rows(platform, InspectionRecord, task_id))
