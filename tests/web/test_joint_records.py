"""The records page of a joint task (联合抽查, issue #15): one on-site record per target with
a result per item instead of an overall one, entered for the participant bringing the item;
the target's result follows once every item has one. A bad result, or an operator of one
participant entering another's item, comes back with the message and writes nothing; the
overall result cannot be set directly for a joint task."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from shuangsuiji.errors import Conflict
from shuangsuiji.models.inspections import InspectionRecord, InspectionResult
from shuangsuiji.models.joint import ItemResult
from shuangsuiji.platform import Platform
from shuangsuiji.services import accounts, draws, joint
from shuangsuiji.services import records as record_service
from shuangsuiji.services.draws.reading import load_inspectors
from shuangsuiji.services.lifecycle import drawn_targets
from tests.web.conftest import PASSWORD, login
from tests.web.test_joint_page import A, B, _count, _in, _task

ON = date(2026, 4, 20)


def _drawn_joint_task(platform: Platform) -> int:
    task_id = _task(platform)
    _in(platform, lambda s, t: joint.plan(s, t, "T-JW", [joint.ParticipantPlan(A, ("SX-001",)),
                                                         joint.ParticipantPlan(B, ("SX-002",))]))
    _in(platform, lambda s, t: draws.draw(s, platform, t, "T-JW", seed="dice 1-2-3"))
    return task_id


def _visit(platform: Platform) -> tuple[str, list[str], str]:
    """The first drawn target, inspectors of its group holding one kind of credential, and
    that kind."""
    def get(s: Any, t: Any) -> tuple[str, list[str], str]:
        d = drawn_targets(s, joint.get_task(s, "T-JW"))[0]
        held: dict[str, set[str]] = {}
        for p in load_inspectors(s):
            for c in p.credentials:
                if p.person_id in d.inspectors and (c.expires is None or c.expires >= ON):
                    held.setdefault(c.kind, set()).add(p.person_id)
        kind, people = max(held.items(), key=lambda kv: len(kv[1]))
        return d.credit_code, sorted(people), kind

    return _in(platform, get)  # type: ignore[return-value]


def _post(client: FlaskClient, task_id: int, code: str, people: list[str], kind: str,
          items: dict[str, tuple[str, str]]) -> Any:
    data: dict[str, Any] = {
        "credit_code": code, "method": "on_site", "inspected_on": ON.isoformat(),
        "inspectors": people, "credential": kind, "findings": "联合检查，一次查完",
        "acknowledgement": "signature", "inspectors_signed": "y"}
    for item, (result, handling) in items.items():
        data[f"item_result-{item}"] = result
        data[f"item_handling-{item}"] = handling
    return client.post(f"/t/miit/tasks/{task_id}/records", data=data)


def test_a_joint_record_takes_a_result_per_item_and_the_overall_follows(
    platform: Platform, client_for: Callable[[str | None], FlaskClient],
) -> None:
    task_id = _drawn_joint_task(platform)
    admin = client_for("miit_admin")
    page = admin.get(f"/t/miit/tasks/{task_id}/records").get_data(as_text=True)
    assert 'id="item-results"' in page and 'name="result"' not in page
    assert 'name="item_result-SX-001"' in page and 'name="item_result-SX-002"' in page
    code, people, kind = _visit(platform)
    # a result the pack does not know: the message, nothing written (not even the record)
    bad = _post(admin, task_id, code, people, kind, {"SX-001": ("bogus", ""), "SX-002": ("", "")})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "bogus" in text and "Traceback" not in text
    assert _count(platform, InspectionRecord) == 0 and _count(platform, ItemResult) == 0
    # the record with SX-001's result; SX-002 left for later: no overall result yet
    ok = _post(admin, task_id, code, people, kind,
               {"SX-001": ("no_problem", ""), "SX-002": ("", "")})
    assert ok.status_code == 302, ok.get_data(as_text=True)[-3000:]
    assert _count(platform, InspectionRecord) == 1 and _count(platform, ItemResult) == 1
    assert _count(platform, InspectionResult) == 0
    # the same record again with SX-002's result: the target's result follows the items'
    ok = _post(admin, task_id, code, people, kind,
               {"SX-001": ("no_problem", ""), "SX-002": ("problem_rectified", "责令整改")})
    assert ok.status_code == 302
    rows = _in(platform, lambda s, t: sorted(
        (r.item_code, r.participant_code, r.result, r.handling)
        for r in s.scalars(select(ItemResult))))
    assert rows == [("SX-001", A, "no_problem", ""), ("SX-002", B, "problem_rectified", "责令整改")]
    overall = _in(platform, lambda s, t: [(r.result, r.problem_found, r.handling)
                                          for r in s.scalars(select(InspectionResult))])
    assert overall == [("problem_rectified", True, "责令整改")]
    page = admin.get(f"/t/miit/tasks/{task_id}/records?target={code}").get_data(as_text=True)
    row = page.split(f'id="target-{code}"')[1].split("</tr>")[0]
    assert 'data-item="SX-001"' in row and 'data-item="SX-002"' in row
    assert 'class="overall-result"' in row
    # the overall result cannot be set by hand for a joint task (CLI, API and page alike)
    with pytest.raises(Conflict, match="joint task"):
        _in(platform, lambda s, t: record_service.record_result(
            s, platform, t, "T-JW", code, "no_problem", decided_on=ON))


def test_an_operator_of_one_participant_enters_only_its_own_items(
    platform: Platform, app: Any, client_for: Callable[[str | None], FlaskClient],
) -> None:
    task_id = _drawn_joint_task(platform)
    with platform.db.session() as s:
        accounts.create_user(s, username="op_b", password=PASSWORD, role="operator",
                             tenant="miit", department=B)
        s.commit()
    client = app.test_client()
    assert login(client, "op_b").status_code == 302
    page = client.get(f"/t/miit/tasks/{task_id}/records").get_data(as_text=True)
    # A's item is shown but not editable by B's operator
    assert 'name="item_result-SX-001" id="item_result-SX-001" ' in page
    assert page.split('id="item_result-SX-001"')[1].split(">")[0].strip().endswith("disabled")
    code, people, kind = _visit(platform)
    refused = _post(client, task_id, code, people, kind,
                    {"SX-001": ("no_problem", ""), "SX-002": ("no_problem", "")})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "SX-001" in text and A in text
    assert _count(platform, InspectionRecord) == 0 and _count(platform, ItemResult) == 0
    ok = _post(client, task_id, code, people, kind, {"SX-002": ("no_problem", "")})
    assert ok.status_code == 302, ok.get_data(as_text=True)[-3000:]
    got = _in(platform, lambda s, t: s.scalar(select(func.count()).select_from(ItemResult)
                                              .where(ItemResult.participant_code == B)))
    assert got == 1 and _count(platform, ItemResult) == 1
