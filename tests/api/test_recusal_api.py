"""Two-step recusals of an announced draw over the API: declare, then apply with the beacon
round named at the declaration. The same service and access rules as the web ceremony:
refused for the wrong role, another tenant, and a step out of order; the steps taken
through the API and through the web make one bundle the verifier recomputes."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from shuangsuiji import kernel
from shuangsuiji.db import set_tenant
from shuangsuiji.models.accounts import RoleGrant, User
from shuangsuiji.models.draws import Draw, Recusal
from shuangsuiji.services import announcements, recusal_steps
from tests.api.conftest import PASSWORD, ApiWorld
from tests.draws.test_announcements import SIG_1000

CQ = "/api/v1/t/chongqing"
SECRETS = {"重庆市经信委": "c0ffee00c0ffee00c0ffee00c0ffee00",
           "公证员": "5eed5eed5eed5eed5eed5eed5eed5eed"}
ANNOUNCED = datetime(2023, 8, 23, 15, 0, tzinfo=UTC)
DECLARED = datetime(2023, 8, 23, 15, 59, 22, tzinfo=UTC)  # quicknet round 1000 is next
TOO_EARLY = datetime(2023, 8, 23, 15, 59, 23, tzinfo=UTC)  # round 1000: :24
AFTER_1000 = datetime(2023, 8, 23, 16, 30, tzinfo=UTC)


class Clock(datetime):
    """``datetime`` with a settable ``now``: the beacon rounds the tests have signatures
    for were produced in 2023."""

    at = ANNOUNCED

    @classmethod
    def now(cls, tz: Any = None) -> Clock:  # type: ignore[override]
        return cls.at  # type: ignore[return-value]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> type[Clock]:
    monkeypatch.setattr(announcements, "datetime", Clock)
    monkeypatch.setattr(recusal_steps, "datetime", Clock)
    Clock.at = ANNOUNCED
    return Clock


def _announced_draw(w: ApiWorld, task_id: int) -> dict[str, Any]:
    task = f"{CQ}/tasks/{task_id}"
    made = w.post(f"{task}/announcement", "cq_operator",
                  json={"procedure": "commit_reveal", "parties": list(SECRETS)})
    assert made.status_code == 201, made.json
    for party, secret in SECRETS.items():
        assert w.post(f"{task}/announcement/commitments", "cq_operator", json={
            "party": party, "commitment": hashlib.sha256(secret.encode()).hexdigest()},
        ).status_code == 201
    for party, secret in SECRETS.items():
        assert w.post(f"{task}/announcement/reveals", "cq_operator",
                      json={"party": party, "secret": secret}).status_code == 201
    drawn = w.post(f"{task}/draw", "cq_operator", json={})
    assert drawn.status_code == 201, drawn.json
    bundle = w.get(f"/api/v1/public/t/chongqing/draws/{drawn.json['id']}/bundle").json
    return {"id": drawn.json["id"], "bundle": bundle}


def _inspector_speaks_for(w: ApiWorld, code: str) -> None:
    """Link the cq_inspector account to a drawn inspector (as a tenant admin grants it)."""
    from shuangsuiji.db.audit_guard import unaudited

    platform = w.app.extensions["shuangsuiji"]
    with platform.db.session() as s, unaudited(s, "test: the inspector account's code"):
        set_tenant(s, w.tenants["chongqing"])
        user = s.scalar(select(User).where(User.username == "cq_inspector"))
        grant = s.scalar(select(RoleGrant).where(RoleGrant.user_id == user.id,
                                                 RoleGrant.role == "inspector"))
        grant.inspector_code = code
        s.commit()


def test_declare_and_apply_over_the_api_refusals_and_the_web_path_agree(
        api_world: ApiWorld, clock: type[Clock]) -> None:
    w = api_world
    drawn = _announced_draw(w, w.task_id)
    draw_id, groups = drawn["id"], drawn["bundle"]["result"]["groups"]
    first, second = groups[0], groups[1]
    url = f"{CQ}/draws/{draw_id}/recusals"
    body = {"person_id": first["members"][0], "credit_code": first["targets"][0],
            "mode": "withdraw", "reason": "配偶在该企业任职"}

    # out of order: nothing declared yet
    clock.at = DECLARED
    nothing = w.post(f"{url}/apply", "cq_operator", json={"beacon_signature": SIG_1000})
    assert nothing.status_code == 404, nothing.json
    # the wrong role, another tenant's token, no token, another tenant's draw id
    assert w.post(f"{url}/declarations", "cq_viewer", json=body).status_code == 403
    assert w.post(f"{url}/declarations", "miit_viewer", json=body).status_code == 403
    assert w.post(f"{url}/declarations", None, json=body).status_code == 401
    assert w.post(f"/api/v1/t/miit/draws/{draw_id}/recusals/declarations", "cq_operator",
                  json=body).status_code == 403
    # an inspector only for their own conflicts
    _inspector_speaks_for(w, second["members"][0])
    not_mine = w.post(f"{url}/declarations", "cq_inspector", json=body)
    assert not_mine.status_code == 403 and "own conflicts" in not_mine.json["message"]
    # the v1 endpoint points to the two steps
    at_once = w.post(url, "cq_operator", json=body)
    assert at_once.status_code in (400, 422) and "declared first" in at_once.json["message"]

    declared = w.post(f"{url}/declarations", "cq_operator", json=body)
    assert declared.status_code == 201, declared.json
    assert declared.json["beacon_round"] == 1000 and declared.json["step"] == 1
    assert declared.json["declared_at"] == "2023-08-23T15:59:22Z"
    assert not declared.json["applied"]
    # out of order: a second declaration while the first waits; applying before the round
    again = w.post(f"{url}/declarations", "cq_operator", json=body)
    assert again.status_code == 409, again.json
    clock.at = TOO_EARLY
    early = w.post(f"{url}/apply", "cq_operator", json={"beacon_signature": SIG_1000})
    assert early.status_code == 409 and "wait" in early.json["message"]
    clock.at = AFTER_1000
    assert w.post(f"{url}/apply", "cq_inspector",
                  json={"beacon_signature": SIG_1000}).status_code == 403
    bad = w.post(f"{url}/apply", "cq_operator", json={"beacon_signature": "ab" * 48})
    assert bad.status_code in (400, 422), bad.json
    applied = w.post(f"{url}/apply", "cq_operator", json={"beacon_signature": SIG_1000})
    assert applied.status_code == 201, applied.json
    assert applied.json["step"] == 1 and applied.json["outcome"]["beacon"]["round"] == 1000
    assert applied.json["outcome"]["reason"] == "配偶在该企业任职"

    # step 2 by the web ceremony: the inspector declares their own conflict, an operator
    # applies it — the same service, so one bundle holds both steps and verifies
    web = w.app.test_client()
    assert web.post("/login", data={"username": "cq_inspector",
                                    "password": PASSWORD}).status_code == 302
    clock.at = DECLARED
    mine = {"person_id": second["members"][0], "credit_code": second["targets"][0],
            "mode": "withdraw", "reason": "曾在该企业任职"}
    assert web.post(f"/t/chongqing/draws/{draw_id}/recusals", data=mine).status_code == 302
    operator = w.app.test_client()
    assert operator.post("/login", data={"username": "cq_operator",
                                         "password": PASSWORD}).status_code == 302
    clock.at = AFTER_1000
    done = operator.post(f"/t/chongqing/draws/{draw_id}/recusals/apply",
                         data={"beacon_signature": SIG_1000})
    assert done.status_code == 302, done.get_data(as_text=True)[:500]

    platform = w.app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        set_tenant(s, w.tenants["chongqing"])
        rows = s.scalars(select(Recusal).where(Recusal.draw_id == draw_id)
                         .order_by(Recusal.step)).all()
        assert [r.step for r in rows] == [1, 2]
        assert rows[0].outcome == applied.json["outcome"]  # what the API answered is stored
        assert s.get(Draw, draw_id) is not None
    bundle = w.get(f"/api/v1/public/t/chongqing/draws/{draw_id}/bundle").json
    report = kernel.verify_bundle(bundle)
    assert report.ok, str(report)  # each step recomputed from seed, declaration and round
    assert [r["step"] for r in bundle["recusals"]] == [1, 2]
    assert bundle["recusals"][0]["reason"] == "配偶在该企业任职"
    assert bundle["recusals"][1]["reason"] == "曾在该企业任职"
