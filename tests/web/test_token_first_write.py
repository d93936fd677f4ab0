"""The first write made with a token not used for a while succeeds.

Resolving the token writes its ``last_used_at`` on a connection of its own; on SQLite, the
request's read transaction, begun before that write, could then not write at all ("database
is locked", a 500). The access layer ends that read transaction for writing methods.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from shuangsuiji.services import accounts
from tests.web.conftest import DEPARTMENTS, TenantWorld


def test_a_fresh_tokens_first_request_may_write(app: Flask,
                                               world: dict[str, TenantWorld]) -> None:
    platform = app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        token = accounts.issue_token(s, accounts.get_user(s, "cq_operator"), "first").token
        s.commit()
    response = app.test_client().post(
        "/api/v1/t/chongqing/tasks", headers={"Authorization": f"Bearer {token}"},
        json={"plan_year": 2026, "code": "FIRST-1", "title": "新令牌的第一次写入",
              "department": DEPARTMENTS[0], "items": ["SX-001"], "starts_on": "2026-06-01",
              "ends_on": "2026-06-30", "methods": ["on_site"], "ratio_permille": 100,
              "group_count": 1, "inspector_scope": "across_departments"})
    body: Any = response.get_json()
    assert response.status_code == 201, body
    assert body["code"] == "FIRST-1"
    with platform.db.session() as s:  # and the token's use was recorded
        row = next(t for t in accounts.get_user(s, "cq_operator").tokens if t.name == "first")
        assert row.last_used_at is not None
