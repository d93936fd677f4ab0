"""The API of a joint task's results per item (issue #15): the host reads every
participant's items and their results at each target visited; the other tenant taking
part reads the task by its host and code, with its own items' results only; a third tenant
gets 404 for both, and so does a task that is not joint (or not joint with the caller)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from shuangsuiji.models.plans import Task
from shuangsuiji.platform import Platform
from shuangsuiji.services import accounts
from tests.web.conftest import PASSWORD, users  # noqa: F401 (fixture)
from tests.web.two_tenants import GUEST, HOST, UNIT, in_tenant, recorded_joint_task


def _tokens(platform: Platform) -> dict[str, str]:
    with platform.db.session() as s:
        yz = accounts.create_user(s, username="yz_viewer", password=PASSWORD,
                                  role="viewer", tenant=HOST)
        out = {"yz_viewer": accounts.issue_token(s, yz, name="api").token}
        for name in ("jb_viewer", "cq_viewer"):
            out[name] = accounts.issue_token(s, accounts.get_user(s, name), name="api").token
        s.commit()
    return out


def _get(app: Flask, url: str, token: str) -> Any:
    return app.test_client().get(url, headers={"Authorization": f"Bearer {token}"})


def test_each_participants_items_and_results_at_every_target_visited(
    app: Flask, platform: Platform, users: dict[str, int],  # noqa: F811
) -> None:
    world = recorded_joint_task(platform, publish_guest=False, leave_last=True)
    tokens = _tokens(platform)
    host_url = f"/api/v1/t/{HOST}/tasks/{world.task_id}/joint/results"
    guest_url = f"/api/v1/t/{GUEST}/joint/{HOST}/{world.code}/results"

    def expected_guest(code: str) -> str | None:
        if code == world.targets[-1]:
            return None  # not entered yet
        return "problem_rectified" if code in world.guest_problems else "no_problem"

    host = _get(app, host_url, tokens["yz_viewer"])
    assert host.status_code == 200, host.get_json()
    body = host.get_json()
    assert (body["host"], body["task_code"]) == (HOST, world.code)
    parts = {p["code"]: p for p in body["participants"]}
    assert set(parts) == {UNIT, GUEST}
    assert (parts[GUEST]["kind"], parts[GUEST]["item_codes"]) == ("tenant", [f"{GUEST}/SX-001"])
    assert parts[GUEST]["results"] == len(world.targets) - 1
    assert parts[GUEST]["problems"] == len(world.guest_problems - {world.targets[-1]})
    assert [t["credit_code"] for t in body["targets"]] == world.targets  # every visit
    for target in body["targets"]:
        by = {p["code"]: p["items"] for p in target["participants"]}
        assert set(by) == {UNIT, GUEST} and target["name"]
        assert [(i["item_code"], i["result"]) for i in by[UNIT]] == [("SX-001", "no_problem")]
        [item] = by[GUEST]
        assert (item["item_code"], item["result"]) == (f"{GUEST}/SX-001",
                                                      expected_guest(target["credit_code"]))
        assert item["problem_found"] is (None if item["result"] is None
                                         else item["result"] == "problem_rectified")

    # the other tenant, from its own token: the task by host and code, its own items only
    guest = _get(app, guest_url, tokens["jb_viewer"])
    assert guest.status_code == 200, guest.get_json()
    seen = guest.get_json()
    assert {p["code"] for p in seen["participants"]} == {UNIT, GUEST}
    assert [t["credit_code"] for t in seen["targets"]] == world.targets
    for target in seen["targets"]:
        [own] = target["participants"]
        assert own["code"] == GUEST
        assert own["items"][0]["result"] == expected_guest(target["credit_code"])

    # a third tenant: not found, whichever way it asks; nothing of the host is told
    for url in (f"/api/v1/t/chongqing/joint/{HOST}/{world.code}/results",
                f"/api/v1/t/chongqing/tasks/{world.task_id}/joint/results"):
        response = _get(app, url, tokens["cq_viewer"])
        assert response.status_code == 404, (url, response.get_json())
        assert "两区" not in response.get_data(as_text=True)
    # the host's task id is not the other tenant's; a task not joint with it is not found
    other_id = in_tenant(platform, HOST, lambda s, t: s.scalar(
        select(Task.id).where(Task.code == "T-OTHER")))
    for url, who in ((f"/api/v1/t/{GUEST}/tasks/{world.task_id}/joint/results", "jb_viewer"),
                     (f"/api/v1/t/{GUEST}/joint/{HOST}/T-OTHER/results", "jb_viewer"),
                     (f"/api/v1/t/{HOST}/tasks/{other_id}/joint/results", "yz_viewer")):
        assert _get(app, url, tokens[who]).status_code == 404, url
    # a token of another tenant aimed at the host's URL: refused before anything is read
    assert _get(app, host_url, tokens["jb_viewer"]).status_code == 403
