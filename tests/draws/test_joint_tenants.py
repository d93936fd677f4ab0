"""Joint tasks of two tenants (issue #15 item 4, "one of two tenants"): two districts of
Chongqing (siblings, same level, the same pack) plan a joint task; the other tenant is
invited and answers from its own session (audited in both chains); rule conflicts between
packs and a tenant not at the same level are refused by name before any write; one pool of
the host's targets with the other tenant's history excluding by credit code; inspectors of
both tenants with a quota each (person ids clash and are told apart as <slug>/<id>); the
bundle verifies; one visit; each tenant records and publishes its own items by its own
pack's deadline; the other tenant sees only the joint task."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from shuangsuiji.errors import UserError
from shuangsuiji.kernel import verify_bundle
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.models.draws import Draw
from shuangsuiji.models.inspections import PublishedResult
from shuangsuiji.models.joint import ItemResult, TaskParticipant
from shuangsuiji.models.plans import Task
from shuangsuiji.platform import Platform
from shuangsuiji.services import draws, joint, joint_guest, joint_results, joint_tenants
from shuangsuiji.services import plans as plan_service
from shuangsuiji.services import records as record_service
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.services.draws.reading import load_inspectors
from shuangsuiji.services.lifecycle import drawn_targets
from shuangsuiji.services.records import InspectorPresent
from tests.draws.conftest import load_directories

SEED = "dice 6-1-3-3-5-2"
HOST, GUEST = "yuzhong", "jiangbei"
UNIT = "综合执法处"
DAY = date(2026, 4, 20)


@pytest.fixture
def two(platform: Platform, tenant_tree: dict[str, int], make_task: Callable[..., str]
        ) -> Callable[..., str]:
    """A second district under Chongqing (the sibling of Yuzhong) with its own directories
    (the same generated people: every person id clashes with one of Yuzhong's); returns a
    maker of Yuzhong tasks."""
    with platform.db.session() as s:
        tenant_service.create(s, platform, slug=GUEST, name="江北区经济和信息化委员会",
                              pack=None, parent="chongqing", level="district")
        s.commit()
    early = make_task(GUEST, "T-JB-EARLY", item_codes=["SX-002"], ratio_permille=100,
                      starts_on=date(2026, 3, 2), group_count=1)
    _in(platform, GUEST, lambda s, t: draws.draw(s, platform, t, early, seed=SEED))
    return lambda code="T-X", **kw: make_task(HOST, code, **{
        "item_codes": ["SX-001"], "ratio_permille": 100, "group_count": 2, **kw})


def _in(platform: Platform, slug: str, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    with platform.db.session() as s:
        tenant = tenant_service.get(s, slug)
        s.info["tenant_id"] = tenant.id
        out = fn(s, tenant, *args, **kw)
        s.commit()
        return out


def _plans(quota: int = 1, guest: str = GUEST, items: tuple[str, ...] = ("SX-001",)
           ) -> list[joint.ParticipantPlan]:
    return [joint.ParticipantPlan(UNIT, ("SX-001",)),
            joint.ParticipantPlan("@" + guest, items, quota)]


def _plan(platform: Platform, code: str, plans: list[joint.ParticipantPlan],
          host: str = HOST) -> Any:
    return _in(platform, host, lambda s, t: [(r.code, r.kind, r.item_codes, r.state)
                                             for r in joint.plan(s, t, code, plans, platform)])


def _count(platform: Platform, model: type) -> int:
    with platform.db.session() as s, _all(s):
        return s.scalar(select(func.count()).select_from(model)) or 0


def _all(s: Any) -> Any:
    from shuangsuiji.db.tenancy import cross_tenant
    return cross_tenant(s)


def _events(platform: Platform, slug: str, action: str) -> list[dict[str, Any]]:
    with platform.db.session() as s:
        tid = tenant_service.get(s, slug).id
        return [e.payload for e in s.scalars(select(AuditEvent).where(
            AuditEvent.tenant_id == tid, AuditEvent.action == action)
            .order_by(AuditEvent.seq))]  # (in chain order: no order is none on PostgreSQL)


def _answer(platform: Platform, code: str, accept: bool = True, note: str = "") -> Any:
    return _in(platform, GUEST, lambda s, t: joint_tenants.answer(
        s, t, code, accept=accept, note=note, actor="江北区管理员").state)


def test_the_other_tenant_is_invited_and_answers_from_its_own_login(
    platform: Platform, two: Callable[..., str],
) -> None:
    code = two()
    rows = _plan(platform, code, _plans())
    assert rows == [(UNIT, "unit", ["SX-001"], "accepted"),
                    (GUEST, "tenant", [f"{GUEST}/SX-001"], "invited")]
    assert _events(platform, GUEST, "joint.invited")[0]["host"] == HOST
    # the host cannot answer for it; its draw waits for the answer
    with pytest.raises(UserError, match="its own login"):
        _in(platform, HOST, joint.answer, code, GUEST, accept=True, actor="渝中")
    with pytest.raises(UserError, match=rf"{GUEST}.*not answered yet"):
        _in(platform, HOST, lambda s, t: draws.draw(s, platform, t, code, seed=SEED))
    # the invited tenant sees it in its own session and refuses with a reason
    listed = _in(platform, GUEST, lambda s, t: [(h.slug, task.code, p.state) for h, task, p in
                                                joint_tenants.invitations(s, t)])
    assert listed == [(HOST, code, "invited")]
    with pytest.raises(UserError, match="reason"):
        _answer(platform, code, accept=False)
    assert _answer(platform, code, accept=False, note="本月执法力量不足") == "refused"
    with pytest.raises(UserError) as err:
        _in(platform, HOST, lambda s, t: draws.draw(s, platform, t, code, seed=SEED))
    assert GUEST in str(err.value) and "本月执法力量不足" in str(err.value)
    assert _count(platform, Draw) == 1  # the guest's own earlier task only
    assert _answer(platform, code) == "accepted"
    for slug, action in ((HOST, "task.participant_answer"),
                         (GUEST, "joint.invitation_answer")):
        states = [e["state"] for e in _events(platform, slug, action)]
        assert states == ["refused", "accepted"], (slug, states)


@pytest.mark.parametrize(("guest", "match"), [
    ("example", "is not at the level of yuzhong"),
    ("chongqing", "is not at the level"),
    ("nowhere", "no tenant 'nowhere'"),
    ("yuzhong", "own tenant"),
])
def test_a_tenant_not_at_the_same_level_is_refused(
    platform: Platform, two: Callable[..., str], guest: str, match: str,
) -> None:
    code = two()
    with pytest.raises(UserError, match=match):
        _plan(platform, code, _plans(guest=guest))
    assert _count(platform, TaskParticipant) == 0


def test_items_not_of_the_other_tenants_list_are_refused(
    platform: Platform, two: Callable[..., str],
) -> None:
    code = two()
    with pytest.raises(UserError, match=r"SX-999 are not in the item list of jiangbei"):
        _plan(platform, code, _plans(items=("SX-001", "SX-999")))
    assert _count(platform, TaskParticipant) == 0


def test_rule_conflicts_between_the_packs_are_named_with_their_articles(
    platform: Platform, two: Callable[..., str], make_task: Callable[..., str],
) -> None:
    """Chongqing and the example province are two provincial tenants under MIIT: their
    packs disagree on rules a joint pool cannot satisfy both of; nothing is written."""
    two()
    make_task("example", "T-EX", item_codes=["SX-001"])
    code = make_task("chongqing", "T-CQ-X", item_codes=["SX-001"], ratio_permille=100,
                     methods=["on_site", "written"])
    with pytest.raises(UserError) as err:
        _plan(platform, code, _plans(guest="example"), host="chongqing")
    text = str(err.value)
    # the same-quarter rule: chongqing 第十条 says no, example-province 第十条 says yes
    assert "same-quarter exclusion" in text and "chongqing 2021 第十条" in text
    assert "example-province 2023 第十条" in text
    assert "credit-risk classes" in text and "第十一条第二款" in text
    assert "ratio cap" not in text  # 100 ‰ is under the example's 150 ‰ cap of general items
    assert _count(platform, TaskParticipant) == 0
    # a ratio over the other pack's cap for its own item is named too
    over = make_task("chongqing", "T-CQ-Y", item_codes=["SX-001"], ratio_permille=150)
    with pytest.raises(UserError, match=r"ratio cap\) for item SX-002 of example.*100"):
        _plan(platform, over, _plans(guest="example", items=("SX-002",)), host="chongqing")


def test_recusal_modes_without_a_common_one_conflict(
    platform: Platform, tenant_tree: dict[str, int],
) -> None:
    from dataclasses import replace

    from shuangsuiji.rules import Citation, RecusalRule
    from shuangsuiji.services import joint_rules

    def rules_of(slug: str) -> Any:
        return _in(platform, slug, lambda s, t: platform.policy_for(t).rules(DAY))

    miit, cq = rules_of("miit"), rules_of("chongqing")
    facts = joint_rules.TaskFacts("T", 50, ("on_site",), "across_departments", False)
    assert not any("recusal" in c for c in joint_rules.conflicts("a", miit, "b", cq, facts, []))
    swap_only = replace(miit, recusal_rule=RecusalRule(("swap",), Citation("x", "1", "第九条")))
    found = joint_rules.conflicts("a", swap_only, "b", cq, facts, [])
    assert any("recusal mode" in c and "x 1 第九条" in c and "chongqing 2021 第九条" in c
               for c in found), found
    assert joint_rules.recusal_modes(miit, cq) == ("withdraw",)


def _drawn(platform: Platform, two: Callable[..., str], quota: int = 1) -> str:
    code = two()
    _plan(platform, code, _plans(quota))
    _answer(platform, code)
    _in(platform, HOST, lambda s, t: draws.draw(s, platform, t, code, seed=SEED))
    return code


def _bundle(platform: Platform, code: str) -> dict[str, Any]:
    def get(s: Any, t: Any) -> dict[str, Any]:
        record = s.scalar(select(Draw).where(Draw.task_id == joint.get_task(s, code).id))
        return copy.deepcopy(draws.full_bundle(record))

    return _in(platform, HOST, get)  # type: ignore[no-any-return]


def test_one_pool_people_of_both_tenants_and_the_bundle_verifies(
    app: Flask, platform: Platform, two: Callable[..., str], tmp_path: Path,
) -> None:
    code = _drawn(platform, two)
    bundle = _bundle(platform, code)
    parts = bundle["joint"]["participants"]
    assert [(p["code"], p["tenant"], p["units"], p["item_codes"]) for p in parts] == [
        (GUEST, GUEST, [GUEST], [f"{GUEST}/SX-001"]), (UNIT, HOST, [UNIT], ["SX-001"])]
    assert bundle["task"]["item_codes"] == ["SX-001", f"{GUEST}/SX-001"]
    people = {p["person_id"]: p for p in bundle["inspectors"]}
    guests = [pid for pid in people if pid.startswith(f"{GUEST}/")]
    # the same generated people in both tenants: every guest id clashes with a host id
    assert guests and all(pid.split("/", 1)[1] in people for pid in guests)
    for g in bundle["result"]["groups"]:
        sides = [people[m]["department"] for m in g["members"]]
        assert GUEST in sides and UNIT in sides, g
    assert verify_bundle(copy.deepcopy(bundle)).ok
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    with app.app_context():
        ok = app.test_cli_runner().invoke(args=["verify", str(path)])
    assert ok.exit_code == 0, ok.output
    # a guest person moved to the host's side (its department changed) no longer verifies
    member = next(m for g in bundle["result"]["groups"] for m in g["members"]
                  if m.startswith(f"{GUEST}/"))
    for p in bundle["inspectors"]:
        if p["person_id"] == member:
            p["department"] = UNIT
    assert not verify_bundle(bundle).ok


def test_the_other_tenants_history_excludes_its_items_by_credit_code(
    platform: Platform, two: Callable[..., str],
) -> None:
    """Jiangbei drew T-JB-EARLY (its item SX-002) in March. The joint task's item of
    Jiangbei is SX-002 too: the once-a-year rule excludes Jiangbei's March targets (by
    credit code, from Yuzhong's directory); a joint task bringing Jiangbei's SX-001 does
    not exclude them."""
    early = _in(platform, GUEST, lambda s, t: [d.credit_code for d in drawn_targets(
        s, joint.get_task(s, "T-JB-EARLY"))])
    assert early
    code = two("T-A")
    _plan(platform, code, _plans(items=("SX-002",)))
    _answer(platform, code)
    pool = _in(platform, HOST, lambda s, t: draws.prepare(s, platform, t, code).pool)
    by_guest = {e.credit_code: e.rule_code for e in pool.excluded
                if e.trigger_task_id == f"{GUEST}/T-JB-EARLY"}
    # every unflagged target of Jiangbei's March draw (flagged ones are exempt, 第十条)
    assert by_guest and set(by_guest) <= set(early) and len(by_guest) > len(early) // 2
    assert set(by_guest.values()) == {"once_per_year"}
    other = two("T-B")
    _plan(platform, other, _plans(items=("SX-001",)))
    _in(platform, GUEST, lambda s, t: joint_tenants.answer(s, t, other, accept=True, actor="x"))
    pool_b = _in(platform, HOST, lambda s, t: draws.prepare(s, platform, t, other).pool)
    assert not set(early) & {e.credit_code for e in pool_b.excluded}


def test_too_few_eligible_inspectors_of_the_other_tenant_is_named(
    platform: Platform, two: Callable[..., str],
) -> None:
    code = two()
    _plan(platform, code, _plans(quota=9))
    _answer(platform, code)
    with pytest.raises(UserError) as err:
        _in(platform, HOST, lambda s, t: draws.draw(s, platform, t, code, seed=SEED))
    assert GUEST in str(err.value) and "missing" in str(err.value)


def test_the_other_tenant_sees_only_the_joint_task(
    platform: Platform, two: Callable[..., str],
) -> None:
    """The leak test: Jiangbei's session reads none of Yuzhong's tasks, participants or
    results through the ORM; its invitations list the joint task only (not Yuzhong's other
    task, not a joint task of Yuzhong's units alone)."""
    code = _drawn(platform, two)
    # a third district, invited by Yuzhong to another joint task
    with platform.db.session() as s:
        tenant_service.create(s, platform, slug="shapingba", name="沙坪坝区经济和信息化委员会",
                              pack=None, parent="chongqing", level="district")
        s.commit()
    load_directories(platform, "shapingba")
    third = two("T-THIRD")
    _plan(platform, third, _plans(guest="shapingba"))
    two("T-OTHER")
    units_only = two("T-UNITS", item_codes=["SX-001", "SX-002"])
    _in(platform, HOST, lambda s, t: joint.plan(s, t, units_only, [
        joint.ParticipantPlan(UNIT, ("SX-001",)),
        joint.ParticipantPlan("电子信息处", ("SX-002",))]))

    def seen(s: Any, t: Any) -> tuple[list[str], int, list[str]]:
        tasks = sorted(s.scalars(select(Task.code)))
        parts = s.scalar(select(func.count()).select_from(TaskParticipant))
        listed = [task.code for _, task, _ in joint_tenants.invitations(s, t)]
        return tasks, parts, listed

    tasks, parts, listed = _in(platform, GUEST, seen)
    assert tasks == ["T-JB-EARLY"] and parts == 0 and listed == [code]
    with pytest.raises(UserError, match="invited to no joint task"):
        _in(platform, GUEST, joint_guest.view, "T-OTHER")
    with pytest.raises(UserError, match="invited to no joint task"):
        _in(platform, GUEST, joint_guest.view, units_only)
    with pytest.raises(UserError, match="invited to no joint task"):
        _in(platform, GUEST, joint_guest.view, third)
    assert [t.code for _, t, _ in _in(platform, "shapingba", joint_tenants.invitations)] \
        == [third]
    shown = _in(platform, GUEST, lambda s, t: joint_guest.view(s, t, code))
    assert shown.host.slug == HOST and len(shown.targets) > 0
    assert [p.code for p in shown.participants] == [GUEST, UNIT]


def test_one_visit_each_tenant_records_and_publishes_its_own_items(
    platform: Platform, two: Callable[..., str],
) -> None:
    code = _drawn(platform, two)

    def visit(s: Any, t: Any) -> list[str]:
        task = joint.get_task(s, code)
        targets = drawn_targets(s, task)
        for d in targets:
            record_service.record_on_site(
                s, platform, t, task.id, d.credit_code, method="on_site", inspected_on=DAY,
                inspectors=[InspectorPresent(p, "enforcement_certificate")
                            for p in d.inspectors[:3]],
                findings="两区联合检查，一次查完", acknowledgement="signature")
        return [d.credit_code for d in targets]

    codes = _in(platform, HOST, visit)
    # the host cannot record the guest's item, nor the guest the host's
    with pytest.raises(UserError, match="from its own login"):
        _in(platform, HOST, lambda s, t: joint_results.record_item_result(
            s, platform, t, code, codes[0], f"{GUEST}/SX-001", "no_problem", decided_on=DAY))
    with pytest.raises(UserError, match="no participant's item"):
        _in(platform, GUEST, lambda s, t: joint_guest.record_result(
            s, platform, t, code, codes[0], "SX-002", "no_problem", decided_on=DAY))
    for c in codes:
        _in(platform, HOST, lambda s, t, c=c: joint_results.record_item_result(
            s, platform, t, code, c, "SX-001", "no_problem", decided_on=DAY))
        _in(platform, GUEST, lambda s, t, c=c: joint_guest.record_result(
            s, platform, t, code, c, "SX-001", "problem_rectified", handling="责令整改",
            decided_on=DAY))
    _in(platform, HOST, lambda s, t: plan_service.end_work(s, t, code, date(2026, 4, 24)))
    _in(platform, HOST, lambda s, t: record_service.write_report(s, platform, t, code, {
        "period": "2026年4月", "target_count": len(codes), "content": "两区联合抽查",
        "findings": "f", "handling": "h", "suggestions": "s"}))
    with pytest.raises(UserError, match="from its own login"):
        _in(platform, HOST, lambda s, t: joint_results.publish_participant(
            s, platform, t, code, GUEST))
    own = _in(platform, GUEST, lambda s, t: joint_guest.publish(s, platform, t, code))
    assert own.results == len(codes) and own.deadline_cite.startswith("chongqing")
    _in(platform, HOST, lambda s, t: joint_results.publish_participant(s, platform, t, code, UNIT))

    def after(s: Any, t: Any) -> tuple[str, dict[str, int], int]:
        task = joint.get_task(s, code)
        per_item = dict(s.execute(select(PublishedResult.item_code, func.count())
                                  .group_by(PublishedResult.item_code)).all())
        problems = s.scalar(select(func.count()).select_from(ItemResult)
                            .where(ItemResult.problem_found.is_(True)))
        return task.status, per_item, problems

    status, per_item, problems = _in(platform, HOST, after)
    assert status == "published" and problems == len(codes)
    assert per_item == {"SX-001": len(codes), f"{GUEST}/SX-001": len(codes)}
    assert [e["results"] for e in _events(platform, GUEST, "joint.publish")] == [len(codes)]
    assert len(_events(platform, GUEST, "joint.item_result")) == len(codes)


def test_load_inspectors_of_the_host_is_unchanged(platform: Platform,
                                                  two: Callable[..., str]) -> None:
    """The host's own directory read (outside a joint task) has no guest people."""
    two()
    ids = _in(platform, HOST, lambda s, t: [p.person_id for p in load_inspectors(s)])
    assert ids and not any("/" in i for i in ids)


def test_the_cli_invites_the_other_tenant_which_answers_with_its_own_tenant(
    app: Flask, platform: Platform, two: Callable[..., str],
) -> None:
    code = two()
    runner = app.test_cli_runner()

    def run(*args: str) -> Any:
        with app.app_context():
            return runner.invoke(args=list(args))

    far = run("joint", "plan", "--tenant", HOST, "--task", code, "--participant",
              f"{UNIT}:SX-001", "--participant", "@example:SX-001")
    assert far.exit_code != 0 and "not at the level" in far.output
    assert "Traceback" not in far.output
    ok = run("joint", "plan", "--tenant", HOST, "--task", code, "--participant",
             f"{UNIT}:SX-001", "--participant", f"@{GUEST}:SX-001:2")
    assert ok.exit_code == 0 and f"{GUEST} (江北区经济和信息化委员会): {GUEST}/SX-001; quota 2; " \
        "invited" in ok.output, ok.output
    listed = run("joint", "invitations", "--tenant", GUEST)
    assert f"{HOST} {code}" in listed.output and "invited" in listed.output, listed.output
    assert run("joint", "invitations", "--tenant", "chongqing").output.strip() == "no invitation"
    as_host = run("joint", "answer", "--tenant", HOST, "--task", code, "--participant", GUEST,
                  "--accept")
    assert as_host.exit_code != 0 and "its own login" in as_host.output
    answered = run("joint", "answer", "--tenant", GUEST, "--task", code, "--accept")
    assert answered.exit_code == 0 and f"{GUEST}: accepted" in answered.output, answered.output
    shown = run("joint", "show", "--tenant", HOST, "--task", code)
    assert f"{GUEST} (江北区经济和信息化委员会) accepted" in shown.output, shown.output
    drawn = run("draw", "--tenant", HOST, "--task", code, "--seed", SEED)
    assert drawn.exit_code == 0, drawn.output


def test_recusal_modes_are_those_every_participating_pack_allows(
    platform: Platform, two: Callable[..., str],
) -> None:
    """The host's rule narrowed to the other tenant's modes (its pack here made to allow
    withdraw only); a task without another tenant keeps the host's rule."""
    from types import SimpleNamespace

    from shuangsuiji.rules import Citation, RecusalRule
    from shuangsuiji.services import joint_sources

    code = _drawn(platform, two)
    both = RecusalRule(("swap", "withdraw"), Citation("host", "1", "第九条"))
    only = SimpleNamespace(rules=lambda on: SimpleNamespace(
        recusal_rule=RecusalRule(("withdraw",), Citation("guest", "1", "第九条"))))
    fake = SimpleNamespace(policy_for=lambda tenant: only)

    def modes(s: Any, t: Any, task_code: str) -> tuple[str, ...]:
        task = joint.get_task(s, task_code)
        return joint_sources.recusal_rule(s, fake, task.id, both, DAY).modes  # type: ignore[arg-type]

    assert _in(platform, HOST, modes, code) == ("withdraw",)
    plain = two("T-PLAIN")
    assert _in(platform, HOST, modes, plain) == ("swap", "withdraw")
