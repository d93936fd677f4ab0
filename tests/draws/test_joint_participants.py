"""Joint tasks of two 处室 (issue #15 item 4): participants planned with their items and
quotas, refused before any draw when a participant refuses or lacks inspectors, drawn with
a quota from each (the bundle verifies, tampering is caught), recorded in one visit with a
result per item, and published by each participant for its own items."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from shuangsuiji.errors import Conflict, UserError
from shuangsuiji.kernel import verify_bundle
from shuangsuiji.kernel.bundle import draw_digest
from shuangsuiji.models.draws import Draw
from shuangsuiji.models.inspections import InspectionResult, Publication, PublishedResult
from shuangsuiji.models.joint import TaskParticipant
from shuangsuiji.platform import Platform
from shuangsuiji.services import bundlefiles, draws, joint, joint_results, publication
from shuangsuiji.services import plans as plan_service
from shuangsuiji.services import records as record_service
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.services.draws.reading import load_inspectors
from shuangsuiji.services.lifecycle import drawn_targets
from shuangsuiji.services.records import InspectorPresent

SEED = "dice 4-4-1-6-2-3"
A, B = "综合执法处", "电子信息处"


def _plans(quota_b: int = 1) -> list[joint.ParticipantPlan]:
    return [joint.ParticipantPlan(A, ("SX-001",)), joint.ParticipantPlan(B, ("SX-002",), quota_b)]


def _joint_task(platform: Platform, make_task: Callable[..., str], code: str = "T-J",
                **kw: object) -> str:
    made = make_task("miit", code, item_codes=["SX-001", "SX-002"], ratio_permille=30,
                     group_count=2, division=A, **kw)
    return made


def _in(platform: Platform, fn: Callable[..., object], *args: object, **kw: object) -> object:
    with platform.db.session() as s:
        tenant = tenant_service.get(s, "miit")
        s.info["tenant_id"] = tenant.id
        out = fn(s, tenant, *args, **kw)
        s.commit()
        return out


def _count(platform: Platform, model: type) -> int:
    return _in(platform, lambda s, t: s.scalar(select(func.count()).select_from(model)) or 0)  # type: ignore[return-value]


def test_participants_are_planned_and_the_task_becomes_joint(
    platform: Platform, make_task: Callable[..., str],
) -> None:
    code = _joint_task(platform, make_task)
    rows = _in(platform, lambda s, t: [(r.code, r.item_codes, r.quota, r.state)
                                      for r in joint.plan(s, t, code, _plans(2))])
    assert rows == [(A, ["SX-001"], 1, "accepted"), (B, ["SX-002"], 2, "accepted")]

    def task_of(s: object, t: object) -> tuple[bool, list[str]]:
        task = joint.get_task(s, code)  # type: ignore[arg-type]
        return task.joint, task.joint_divisions

    assert _in(platform, task_of) == (True, [B])


@pytest.mark.parametrize(("plans", "match"), [
    ([joint.ParticipantPlan(A, ("SX-001", "SX-002"))], "at least two participants"),
    ([joint.ParticipantPlan(A, ("SX-001",)), joint.ParticipantPlan(B, ("SX-009",))],
     "SX-009 is not an item of task"),
    ([joint.ParticipantPlan(A, ("SX-001", "SX-002")), joint.ParticipantPlan(B, ("SX-002",))],
     "brought by both"),
    ([joint.ParticipantPlan(A, ("SX-001",)), joint.ParticipantPlan(B, ("SX-001",))],
     "brought by both"),
    ([joint.ParticipantPlan(A, ("SX-001",)), joint.ParticipantPlan("其他处", ("SX-002",), 0)],
     "at least 1"),
    ([joint.ParticipantPlan(A, ("SX-001",)), joint.ParticipantPlan(A, ("SX-002",))],
     "named twice"),
])
def test_bad_plans_are_refused_and_nothing_is_written(
    platform: Platform, make_task: Callable[..., str], plans: list[joint.ParticipantPlan],
    match: str,
) -> None:
    code = _joint_task(platform, make_task)
    with pytest.raises(UserError, match=match):
        _in(platform, joint.plan, code, plans)
    assert _count(platform, TaskParticipant) == 0


def test_an_item_of_no_participant_is_refused(
    platform: Platform, make_task: Callable[..., str],
) -> None:
    code = make_task("miit", "T-J3", item_codes=["SX-001", "SX-002", "SX-003"], division=A,
                     ratio_permille=30, group_count=2)
    with pytest.raises(UserError, match=r"no participant brings item.*SX-003"):
        _in(platform, joint.plan, code, _plans())


def _draw(platform: Platform, code: str) -> object:
    return _in(platform, lambda s, t: draws.draw(s, platform, t, code, seed=SEED).id)


def test_a_refusing_participant_stops_the_draw_naming_it(
    platform: Platform, make_task: Callable[..., str],
) -> None:
    code = _joint_task(platform, make_task)
    _in(platform, joint.plan, code, _plans())
    with pytest.raises(UserError, match="a reason"):
        _in(platform, joint.answer, code, B, accept=False, note="", actor="t")
    _in(platform, joint.answer, code, B, accept=False, note="本季度无人力", actor="t")
    with pytest.raises(UserError) as err:
        _draw(platform, code)
    assert B in str(err.value) and "refused" in str(err.value) and "本季度无人力" in str(err.value)
    assert _count(platform, Draw) == 0
    _in(platform, joint.answer, code, B, accept=True, actor="t")
    assert _draw(platform, code)


def test_too_few_inspectors_of_a_participant_is_named_before_any_draw(
    platform: Platform, make_task: Callable[..., str],
) -> None:
    code = _joint_task(platform, make_task)
    _in(platform, joint.plan, code, _plans(quota_b=6))
    with pytest.raises(UserError) as err:
        _in(platform, lambda s, t: draws.prepare(s, platform, t, code))
    assert B in str(err.value) and "missing" in str(err.value)
    with pytest.raises(UserError):
        _draw(platform, code)
    assert _count(platform, Draw) == 0


def _bundle(platform: Platform, code: str) -> dict[str, object]:
    def get(s: object, t: object) -> dict[str, object]:
        record = s.scalar(select(Draw).where(Draw.task_id == joint.get_task(s, code).id))  # type: ignore[attr-defined,arg-type]
        return copy.deepcopy(draws.full_bundle(record))  # type: ignore[attr-defined]

    return _in(platform, get)  # type: ignore[return-value]


def test_the_draw_takes_a_quota_from_each_and_the_bundle_verifies(
    app: Flask, platform: Platform, make_task: Callable[..., str], tmp_path: Path,
) -> None:
    code = _joint_task(platform, make_task)
    _in(platform, joint.plan, code, _plans())
    _draw(platform, code)
    bundle = _bundle(platform, code)
    joint_obj = bundle["joint"]
    assert [p["code"] for p in joint_obj["participants"]] == sorted([A, B])  # type: ignore[index]
    people = {p["person_id"]: p for p in bundle["inspectors"]}  # type: ignore[attr-defined]
    for g in bundle["result"]["groups"]:  # type: ignore[index]
        units = [people[m]["department"] for m in g["members"]]
        assert A in units and B in units, g
    assert verify_bundle(copy.deepcopy(bundle)).ok
    # the public bundle (made again from the committed one, as the portal serves it) too
    public = _in(platform, lambda s, t: bundlefiles.bundle_rest(s, s.scalar(select(Draw))))
    assert public["joint"] == joint_obj  # type: ignore[index]
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    runner = app.test_cli_runner()
    with app.app_context():
        ok = runner.invoke(args=["verify", str(path)])
    assert ok.exit_code == 0, ok.output
    # a quota changed in the bundle (digest recomputed) no longer verifies
    bundle["joint"]["participants"][1]["quota"] = 2  # type: ignore[index]
    bundle["digests"]["draw"] = draw_digest(bundle, bundle["digests"]["pool"])  # type: ignore[index]
    path.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    with app.app_context():
        bad = runner.invoke(args=["verify", str(path)])
    assert bad.exit_code != 0 and "NOT verified" in bad.output and "Traceback" not in bad.output


def test_one_visit_a_result_per_item_and_publication_by_each_participant(
    platform: Platform, make_task: Callable[..., str],
) -> None:
    code = _joint_task(platform, make_task)
    _in(platform, joint.plan, code, _plans())
    _draw(platform, code)

    def visit(s: object, t: object) -> list[str]:
        task = joint.get_task(s, code)  # type: ignore[arg-type]
        targets = drawn_targets(s, task)  # type: ignore[arg-type]
        held = {p.person_id: next(c.kind for c in p.credentials
                                  if c.expires is None or c.expires >= date(2026, 4, 20))
                for p in load_inspectors(s)  # type: ignore[arg-type]
                if any(c.expires is None or c.expires >= date(2026, 4, 20)
                       for c in p.credentials)}
        for d in targets:
            record_service.record_on_site(
                s, platform, t, task.id, d.credit_code, method="on_site",  # type: ignore[arg-type]
                inspected_on=date(2026, 4, 20),
                inspectors=[InspectorPresent(p, held[p]) for p in d.inspectors[:2]],
                findings="联合检查，一次查完", acknowledgement="signature")
        return [d.credit_code for d in targets]

    codes: list[str] = _in(platform, visit)  # type: ignore[assignment]
    assert codes
    # an item result before ... the wrong item, and an item of no participant
    with pytest.raises(UserError, match="no participant's item"):
        _in(platform, lambda s, t: joint_results.record_item_result(
            s, platform, t, code, codes[0], "SX-009", "no_problem", decided_on=date(2026, 4, 20)))
    for c in codes:
        _in(platform, lambda s, t, c=c: joint_results.record_item_result(
            s, platform, t, code, c, "SX-001", "no_problem", decided_on=date(2026, 4, 20)))
    _in(platform, lambda s, t: plan_service.end_work(s, t, code, date(2026, 4, 24)))
    _in(platform, lambda s, t: record_service.write_report(s, platform, t, code, {
        "period": "2026年4月", "target_count": len(codes), "content": "联合抽查",
        "findings": "f", "handling": "h", "suggestions": "s"}))
    # B has not entered its item's results: it cannot publish, and the task cannot either
    with pytest.raises(UserError, match=f"{B} cannot publish"):
        _in(platform, lambda s, t: joint_results.publish_participant(
            s, platform, t, code, B, at=None))
    with pytest.raises(UserError, match="each participant"):
        _in(platform, lambda s, t: publication.publish(s, platform, t, code))
    pub_a = _in(platform, lambda s, t: joint_results.publish_participant(
        s, platform, t, code, A).results)
    assert pub_a == len(codes)
    assert _count(platform, InspectionResult) == 0  # a target's result needs every item's
    items = _in(platform, lambda s, t: set(s.scalars(select(PublishedResult.item_code))))
    assert items == {"SX-001"}
    # A's results are published: they no longer change (B's items still can, below)
    with pytest.raises(Conflict, match=f"{A} has published the results of its items"):
        _in(platform, lambda s, t: joint_results.record_item_result(
            s, platform, t, code, codes[0], "SX-001", "problem_rectified", handling="补录",
            decided_on=date(2026, 4, 24)))
    for c in codes:
        _in(platform, lambda s, t, c=c: joint_results.record_item_result(
            s, platform, t, code, c, "SX-002", "problem_rectified", handling="责令整改",
            decided_on=date(2026, 4, 21)))
    with pytest.raises(UserError, match="published"):
        _in(platform, lambda s, t: joint_results.publish_participant(s, platform, t, code, A))
    _in(platform, lambda s, t: joint_results.publish_participant(s, platform, t, code, B))

    def after(s: object, t: object) -> tuple[str, object, object, object]:
        task = joint.get_task(s, code)  # type: ignore[arg-type]
        views = joint_results.views(s, task)  # type: ignore[arg-type]
        per_item = dict(s.execute(select(PublishedResult.item_code, func.count())  # type: ignore[attr-defined]
                                  .group_by(PublishedResult.item_code)).all())
        pubs = s.scalar(select(func.count()).select_from(Publication))  # type: ignore[attr-defined]
        return task.status, [(v.code, v.results, v.problems, v.published_on is not None)
                             for v in views], per_item, pubs

    status, views, per_item, pubs = _in(platform, after)  # type: ignore[misc]
    assert status == "published" and pubs == 1
    assert sorted(views) == sorted([(A, len(codes), 0, True), (B, len(codes), len(codes), True)])
    assert per_item == {"SX-001": len(codes), "SX-002": len(codes)}


def test_the_cli_plans_answers_and_shows_the_participants(
    app: Flask, platform: Platform, make_task: Callable[..., str],
) -> None:
    code = _joint_task(platform, make_task)
    runner = app.test_cli_runner()

    def run(*args: str) -> object:
        with app.app_context():
            return runner.invoke(args=list(args))

    bad = run("joint", "plan", "--tenant", "miit", "--task", code,
              "--participant", f"{A}:SX-001", "--participant", f"{B}")
    assert bad.exit_code != 0 and "UNIT:ITEM" in bad.output  # type: ignore[attr-defined]
    assert "Traceback" not in bad.output  # type: ignore[attr-defined]
    assert _count(platform, TaskParticipant) == 0
    ok = run("joint", "plan", "--tenant", "miit", "--task", code,
             "--participant", f"{A}:SX-001", "--participant", f"{B}:SX-002:2")
    assert ok.exit_code == 0, ok.output  # type: ignore[attr-defined]
    refused = run("joint", "answer", "--tenant", "miit", "--task", code, "--participant", B,
                  "--refuse", "--note", "人员不足")
    assert refused.exit_code == 0, refused.output  # type: ignore[attr-defined]
    shown = run("joint", "show", "--tenant", "miit", "--task", code)
    assert f"{B} ({B}) refused" in shown.output and "quota 2" in shown.output  # type: ignore[attr-defined]
    dry = run("draw", "--tenant", "miit", "--task", code, "--dry-run")
    assert dry.exit_code != 0 and B in dry.output and "人员不足" in dry.output  # type: ignore[attr-defined]
