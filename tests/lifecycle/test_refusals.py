"""Bad input is refused with the rule cited, and nothing changes (rows and audit chain)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from shuangsuiji.db import audit_guard
from shuangsuiji.errors import UserError
from shuangsuiji.services import plans as plan_service
from shuangsuiji.services import publication
from shuangsuiji.services import records as record_service
from shuangsuiji.services.lifecycle import RuleRefused, drawn_targets
from shuangsuiji.services.records import InspectorPresent

from .conftest import CODES, counts, drawn_task, make_task, record_all


def refused(world, fn, *args, match, **kwargs):
    """Call ``fn``; it must raise a UserError matching ``match`` and change nothing."""
    s = world.session
    s.commit()
    before = counts(s, world.tenant.id)
    with pytest.raises(UserError, match=match) as err:
        fn(*args, **kwargs)
    s.rollback()
    assert counts(s, world.tenant.id) == before
    return err.value


def test_dates_out_of_order_name_the_field(world_for):
    w = world_for("miit")
    err = refused(w, make_task, w, starts_on=date(2026, 6, 1), ends_on=date(2026, 5, 1),
                  match="ends_on 2026-05-01 is before starts_on 2026-06-01")
    assert err.where == "ends_on"


def test_chongqing_refuses_testing_citing_article_12(world_for):
    w = world_for("chongqing")
    err = refused(w, make_task, w, methods=("on_site", "testing"),
                  match=r"'testing' is not allowed.*chongqing 2021 第十二条")
    assert isinstance(err, RuleRefused) and err.cite.article == "第十二条"


def test_miit_allows_testing(world_for):
    w = world_for("miit")
    assert make_task(w, methods=("on_site", "testing")).methods == ["on_site", "testing"]


@pytest.mark.parametrize(("slug", "ratio", "cite"), [
    ("chongqing", 250, "chongqing 2021 第五条"),  # item cap 150‰ under the pack's 200‰
    ("example", 160, "example-province 2023 第五条"),  # general items capped at 150‰
])
def test_ratio_above_the_cap_is_refused(world_for, slug, ratio, cite):
    w = world_for(slug)
    refused(w, make_task, w, ratio=ratio, match=f"exceeds the cap of 150‰.*{cite}")


def test_chongqing_general_item_needs_a_cap(world_for):
    from shuangsuiji.models.directories import Item

    w = world_for("chongqing")
    with audit_guard.unaudited(w.session, "test: an item without a cap, added by hand"):
        w.session.add(Item(code="NO-CAP", name="无上限事项", category="general",
                           cap_permille=None, methods=["on_site"]))
        w.session.commit()
    refused(w, make_task, w, items=("NO-CAP",), match="has no ratio cap set.*第五条")


def test_special_task_needs_a_listed_trigger(world_for):
    w = world_for("chongqing")
    make_task(w, code="PLAN")  # creates the plan
    refused(w, plan_service.create_task, w.session, w.platform, w.tenant, plan_year=2026,
            code="SP-1", title="专项", department="综合执法处", item_codes=["ITEM-RADIO"],
            starts_on=date(2026, 5, 1), ends_on=date(2026, 5, 2), methods=["on_site"],
            ratio_permille=1000, special=True, special_trigger="rumour",
            match="needs one of the triggers.*第十七条第二款")
    task = plan_service.create_task(
        w.session, w.platform, w.tenant, plan_year=2026, code="SP-2", title="专项",
        department="综合执法处", item_codes=["ITEM-RADIO"], starts_on=date(2026, 5, 1),
        ends_on=date(2026, 5, 2), methods=["on_site"], ratio_permille=1000, special=True,
        special_trigger="local_government_provision")
    assert task.special  # 1000‰ is above the cap, but a special task is outside sampling


def test_plan_outside_the_window_is_created_with_a_warning(world_for):
    w = world_for("chongqing")
    out = plan_service.create_plan(w.session, w.platform, w.tenant, 2026, title="迟到的计划",
                                   made_on=date(2026, 4, 15))
    assert not out.plan.in_window
    assert out.warnings and "miit 2018 第七条" in out.warnings[0]
    assert out.plan.window_warning == out.warnings[0]


def _on_site(w, task, code, inspectors, **kw):
    args = {"method": "on_site", "inspected_on": date(2026, 5, 10), "findings": "",
            "acknowledgement": "signature"}
    args.update(kw)
    return record_service.record_on_site(w.session, w.platform, w.tenant, task.id, code,
                                         inspectors=inspectors, **args)


@pytest.mark.parametrize("slug", ["miit", "chongqing"])
def test_record_with_one_inspector_is_refused(world_for, slug):
    w = world_for(slug)
    task = drawn_task(w)
    leader = drawn_targets(w.session, task)[0].inspectors[0]
    refused(w, _on_site, w, task, CODES[0],
            [InspectorPresent(leader, "enforcement_certificate")],
            match=f"at least 2 must be present on site.*{slug} 20\\d\\d 第十三条")


def test_chongqing_refuses_a_work_id(world_for):
    w = world_for("chongqing")
    task = drawn_task(w)
    a, b = drawn_targets(w.session, task)[0].inspectors[:2]
    refused(w, _on_site, w, task, CODES[0],
            [InspectorPresent(a, "enforcement_certificate"), InspectorPresent(b, "work_id")],
            match=r"showed 'work_id'.*chongqing 2021 第十三条")


def test_miit_accepts_a_work_id(world_for):
    w = world_for("miit")
    task = drawn_task(w)
    a, b = drawn_targets(w.session, task)[0].inspectors[:2]
    row = _on_site(w, task, CODES[0], [InspectorPresent(a, "enforcement_certificate"),
                                       InspectorPresent(b, "work_id")])
    assert [p["credential"] for p in row.inspectors] == ["enforcement_certificate", "work_id"]


def test_refusal_needs_reason_and_inspector_signatures(world_for):
    w = world_for("chongqing")
    task = drawn_task(w)
    a, b = drawn_targets(w.session, task)[0].inspectors[:2]
    two = [InspectorPresent(a, "enforcement_certificate"),
           InspectorPresent(b, "enforcement_certificate")]
    refused(w, _on_site, w, task, CODES[0], two, acknowledgement="refused",
            match="must note the reason.*第十三条")
    refused(w, _on_site, w, task, CODES[0], two, acknowledgement="refused",
            refusal_reason="负责人不在", match="inspectors must sign.*第十三条")
    row = _on_site(w, task, CODES[0], two, acknowledgement="refused",
                   refusal_reason="负责人不在", inspectors_signed=True, witness="物业管理员")
    assert (row.acknowledgement, row.witness) == ("refused", "物业管理员")


def test_an_inspector_outside_the_drawn_group_is_refused(world_for):
    w = world_for("miit")
    task = drawn_task(w)
    group = drawn_targets(w.session, task)[0].inspectors
    outsider = next(i for i in w.inspector_ids if i not in group)
    refused(w, _on_site, w, task, CODES[0],
            [InspectorPresent(group[0], "enforcement_certificate"),
             InspectorPresent(outsider, "enforcement_certificate")],
            match="not in the group drawn for this target")


def test_publishing_before_every_record_is_complete_is_refused(world_for):
    w = world_for("chongqing")
    task = drawn_task(w)
    a, b = drawn_targets(w.session, task)[0].inspectors[:2]
    _on_site(w, task, CODES[0], [InspectorPresent(a, "enforcement_certificate"),
                                 InspectorPresent(b, "enforcement_certificate")])
    # ending the work with two records missing is confirmed by naming them (issue #14)
    plan_service.end_work(w.session, w.tenant, task.id, date(2026, 6, 30),
                          missing_confirmed=[CODES[1], CODES[2]])
    err = refused(w, publication.publish, w.session, w.platform, w.tenant, task.id,
                  at=datetime(2026, 7, 1, tzinfo=UTC),
                  match=r"3 drawn target\(s\) lack a complete record or result")
    assert f"{CODES[1]} (record)" in str(err) and f"{CODES[0]} (result)" in str(err)
    assert "chongqing 2021" in str(err)


def test_miit_refuses_publication_without_a_report(world_for):
    w = world_for("miit")
    task = drawn_task(w)
    record_all(w, task)
    plan_service.end_work(w.session, w.tenant, task.id, date(2026, 6, 30))
    refused(w, publication.publish, w.session, w.platform, w.tenant, task.id,
            at=datetime(2026, 7, 1, tzinfo=UTC), match="has no report.*miit 2018 第十四条")
    refused(w, record_service.write_report, w.session, w.platform, w.tenant, task.id,
            {"period": "2026年4-6月"}, match="report lacks target_count.*第十四条")


def test_chongqing_publishes_without_a_report_and_late_is_marked(world_for):
    w = world_for("chongqing")
    task = drawn_task(w)
    record_all(w, task)
    plan_service.end_work(w.session, w.tenant, task.id, date(2026, 6, 30))
    pub = publication.publish(w.session, w.platform, w.tenant, task.id,
                              at=datetime(2026, 8, 31, 2, tzinfo=UTC))
    assert not pub.on_time and pub.due_on == date(2026, 7, 28)
    assert publication.published_tasks(w.session)[0].on_time is False
