"""The API through the Flask test client: each endpoint, each role, errors, tenant walls."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.conftest import ApiWorld

CQ = "/api/v1/t/chongqing"

# (path, the accounts admitted). Everyone else with a token gets 403, no token 401.
READS: list[tuple[str, set[str]]] = [
    (f"{CQ}", {"cq_viewer", "cq_operator", "cq_admin", "cq_inspector", "central"}),
    (f"{CQ}/items", {"cq_viewer", "cq_operator", "cq_admin", "central"}),
    (f"{CQ}/item-list/versions", {"cq_viewer", "cq_operator", "cq_admin", "central"}),
    (f"{CQ}/targets", {"cq_viewer", "cq_operator", "cq_admin", "central"}),
    (f"{CQ}/inspectors", {"cq_viewer", "cq_operator", "cq_admin", "central"}),
    (f"{CQ}/plans", {"cq_viewer", "cq_operator", "cq_admin", "central"}),
    (f"{CQ}/plans/2026", {"cq_viewer", "cq_operator", "cq_admin", "central"}),
    (f"{CQ}/tasks", {"cq_viewer", "cq_operator", "cq_admin", "central"}),
    (f"{CQ}/draws", {"cq_viewer", "cq_operator", "cq_admin", "cq_inspector", "central"}),
    (f"{CQ}/deadlines", {"cq_viewer", "cq_operator", "cq_admin", "central"}),
    (f"{CQ}/audit/status", {"cq_admin", "central"}),
    (f"{CQ}/audit/events", {"cq_admin", "central"}),
    ("/api/v1/tenants", {"central"}),
]
EVERYONE = ("cq_viewer", "cq_operator", "cq_admin", "cq_inspector", "miit_viewer", "central")


@pytest.mark.parametrize(("path", "admitted"), READS, ids=[p for p, _ in READS])
def test_read_endpoints_admit_exactly_their_roles(api_world: ApiWorld, path: str,
                                                  admitted: set[str]) -> None:
    assert api_world.get(path).status_code == 401
    for who in EVERYONE:
        response = api_world.get(path, who)
        expected = 200 if who in admitted else 403
        assert response.status_code == expected, (who, response.json)
        assert response.is_json


def test_task_detail_and_task_of_another_tenant_is_404(api_world: ApiWorld) -> None:
    ok = api_world.get(f"{CQ}/tasks/{api_world.task_id}", "cq_viewer")
    assert ok.status_code == 200
    assert ok.json["code"] == "CQ-2026-001"
    assert ok.json["items"] == ["SX-001"]
    # The miit task exists, but not in chongqing: even the central admin gets 404 here.
    for who in ("cq_admin", "central"):
        other = api_world.get(f"{CQ}/tasks/{api_world.other_task_id}", who)
        assert other.status_code == 404
        assert other.json["where"] == "task"
    assert api_world.get(f"/api/v1/t/miit/tasks/{api_world.other_task_id}",
                         "miit_viewer").status_code == 200


def test_unknown_tenant_and_route_are_json_404(api_world: ApiWorld) -> None:
    for path in ("/api/v1/t/nowhere/tasks", "/api/v1/no-such-thing"):
        response = api_world.get(path, "central")
        assert response.status_code == 404
        assert response.is_json and response.json["code"] == 404


def test_bad_token_is_401_with_hint(api_world: ApiWorld) -> None:
    response = api_world.client.get(f"{CQ}/tasks", headers={"Authorization": "Bearer ssj_no"})
    assert response.status_code == 401
    assert "Bearer" in response.headers["WWW-Authenticate"]
    assert response.json["hint"]


def test_targets_paginate_and_filter(api_world: ApiWorld) -> None:
    first = api_world.get(f"{CQ}/targets?page_size=7&page=2", "cq_viewer")
    assert first.status_code == 200
    assert len(first.json) == 7
    meta = json.loads(first.headers["X-Pagination"])
    # 300 targets imported into chongqing; miit's 50 must not be counted.
    assert meta["total"] == 300 and meta["page"] == 2 and meta["total_pages"] == 43
    code = first.json[0]["credit_code"]
    by_code = api_world.get(f"{CQ}/targets?credit_code={code[:12]}", "cq_viewer")
    assert code in [t["credit_code"] for t in by_code.json]
    name = first.json[0]["name"]
    by_name = api_world.get(f"{CQ}/targets?name={name}", "cq_viewer")
    assert [t["name"] for t in by_name.json] == [name]
    too_big = api_world.get(f"{CQ}/targets?page_size=1000", "cq_viewer")
    assert too_big.status_code == 422
    assert "page_size" in too_big.json["errors"]["query"]


def test_create_task_validation_rules_and_roles(api_world: ApiWorld) -> None:
    body = {"plan_year": 2026, "code": "CQ-2026-API", "title": "API 创建的任务",
            "department": "综合执法处", "items": ["SX-001"], "starts_on": "2026-06-01",
            "ends_on": "2026-06-30", "methods": ["on_site"], "ratio_permille": 50}
    assert api_world.post(f"{CQ}/tasks", "cq_viewer", json=body).status_code == 403
    missing = api_world.post(f"{CQ}/tasks", "cq_operator", json={"code": "X"})
    assert missing.status_code == 422
    assert set(missing.json["errors"]["json"]) >= {"title", "items", "starts_on"}
    backwards = api_world.post(f"{CQ}/tasks", "cq_operator",
                               json={**body, "ends_on": "2026-05-01"})
    assert backwards.status_code == 422
    assert "ends_on" in backwards.json["errors"]["json"]
    unknown_item = api_world.post(f"{CQ}/tasks", "cq_operator",
                                  json={**body, "items": ["NO-SUCH-ITEM"]})
    assert unknown_item.status_code in (400, 404)
    assert unknown_item.json["message"]
    created = api_world.post(f"{CQ}/tasks", "cq_operator", json=body)
    assert created.status_code == 201, created.json
    assert created.json["code"] == "CQ-2026-API" and created.json["status"] == "planned"
    again = api_world.post(f"{CQ}/tasks", "cq_operator", json=body)
    assert again.status_code == 409
    assert again.json["where"] == "code"


def test_plan_create_is_for_tenant_admins(api_world: ApiWorld) -> None:
    body = {"year": 2027, "title": "2027年度抽查工作计划", "made_on": "2027-05-01"}
    assert api_world.post(f"{CQ}/plans", "cq_operator", json=body).status_code == 403
    created = api_world.post(f"{CQ}/plans", "cq_admin", json=body)
    assert created.status_code == 201
    # Made outside the first quarter: created, with the warning citing the rule.
    assert created.json["plan"]["in_window"] is False
    assert created.json["warnings"]
    assert api_world.post(f"{CQ}/plans", "cq_admin", json=body).status_code == 409


def test_a_warning_is_in_the_client_s_language(api_world: ApiWorld) -> None:
    def made(year: int, language: str) -> Any:
        headers = {**api_world.headers("cq_admin"), "Accept-Language": language}
        body = {"year": year, "title": f"{year}年度抽查工作计划", "made_on": f"{year}-05-04"}
        return api_world.client.post(f"{CQ}/plans", headers=headers, json=body)

    zh, en = made(2028, "zh-CN,zh;q=0.9,en;q=0.5"), made(2029, "en")
    assert zh.status_code == en.status_code == 201
    assert en.json["warnings"][0].startswith("the annual plan for 2029 was made on 2029-05-04")
    (warning,) = zh.json["warnings"]
    assert "2028" in warning and "annual plan" not in warning and "年度" in warning
    assert zh.json["plan"]["window_warning"] == warning  # and the plan's own, read back
    listed = api_world.client.get(f"{CQ}/plans/2028", headers={
        **api_world.headers("cq_viewer"), "Accept-Language": "zh-CN"})
    assert listed.json["window_warning"] == warning
    assert api_world.get(f"{CQ}/plans/2028", "cq_viewer").json["window_warning"].startswith(
        "the annual plan for 2028")


def test_audit_status_reports_an_intact_chain(api_world: ApiWorld) -> None:
    status = api_world.get(f"{CQ}/audit/status", "cq_admin").json
    assert status["ok"] is True and status["count"] > 0 and len(status["head_hash"]) == 64
    events = api_world.get(f"{CQ}/audit/events?page_size=100", "cq_admin").json
    assert [e["seq"] for e in events] == sorted((e["seq"] for e in events), reverse=True)


def test_public_endpoints_need_no_token(api_world: ApiWorld) -> None:
    tenants = api_world.get("/api/v1/public/tenants")
    assert tenants.status_code == 200
    assert {t["slug"] for t in tenants.json} == {"miit", "chongqing"}
    # miit: no test of this module draws or publishes there, so its lists are empty in any
    # order the tests run (chongqing's hold whatever the draw test left, if it ran first).
    for kind in ("tasks", "results", "draws"):
        response = api_world.get(f"/api/v1/public/t/miit/{kind}")
        assert response.status_code == 200, kind
        assert response.json == [], kind
        response = api_world.get(f"/api/v1/public/t/chongqing/{kind}")
        assert response.status_code == 200 and isinstance(response.json, list), kind
    short = api_world.get("/api/v1/public/t/chongqing/results?q=a")
    assert short.status_code == 422 and "q" in short.json["errors"]["query"]


def test_openapi_document_and_local_docs(api_world: ApiWorld) -> None:
    spec = api_world.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    task_post = spec["paths"]["/api/v1/t/{tenant_slug}/tasks"]["post"]
    assert task_post["x-roles"] == ["operator", "tenant_admin"]
    assert task_post["security"] == [{"bearerAuth": []}]
    public = spec["paths"]["/api/v1/public/tenants"]["get"]
    assert public["security"] == []
    page = api_world.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # Served from the vendored copy: no CDN reachable from a government intranet.
    assert "/api/v1/static/swagger-ui/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert api_world.get("/api/v1/static/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_draw_ceremony_void_and_bundle(api_world: ApiWorld) -> None:
    task = f"{CQ}/tasks/{api_world.task_id}"
    pool = api_world.get(f"{task}/pool", "cq_operator").json
    assert len(pool["pool_digest"]) == 64 and pool["pool_size"] > 0
    assert api_world.get(f"{task}/pool", "cq_viewer").status_code == 403
    stale = api_world.post(f"{task}/draw", "cq_operator",
                           json={"seed": "1234", "expected_pool_digest": "0" * 64})
    assert stale.status_code == 409
    drawn = api_world.post(f"{task}/draw", "cq_operator",
                           json={"seed": "20260401-双色球", "witnesses": ["张三", "李四"],
                                 "expected_pool_digest": pool["pool_digest"]})
    assert drawn.status_code == 201, drawn.json
    draw = drawn.json
    assert draw["seed_source"] == "ceremony" and draw["pool_digest"] == pool["pool_digest"]
    assert api_world.post(f"{task}/draw", "cq_operator", json={}).status_code == 409
    bundle = api_world.get(f"/api/v1/public/t/chongqing/draws/{draw['id']}/bundle")
    assert bundle.status_code == 200 and bundle.json["digests"]["draw"] == draw["bundle_digest"]
    assert api_world.get(f"/api/v1/public/t/miit/draws/{draw['id']}/bundle").status_code == 404
    short = api_world.post(f"{CQ}/draws/{draw['id']}/void", "cq_admin", json={"reason": "x"})
    assert short.status_code == 422
    assert api_world.post(f"{CQ}/draws/{draw['id']}/void", "cq_operator",
                          json={"reason": "见证人未到场"}).status_code == 403
    voided = api_world.post(f"{CQ}/draws/{draw['id']}/void", "cq_admin",
                            json={"reason": "见证人未到场，重新抽取"})
    assert voided.status_code == 201 and voided.json["void"]["reason"].startswith("见证人")
    redrawn = api_world.post(f"{task}/draw", "cq_operator", json={})
    assert redrawn.status_code == 201 and redrawn.json["seed_source"] == "generated"
    assert redrawn.json["replaces_draw_id"] == draw["id"]


def test_a_provisional_deadline_s_warning_follows_accept_language(app: Any) -> None:
    # the deadline board's rows (services.deadlines) carry the warning as a message
    from datetime import date

    from shuangsuiji.api.record_schemas import DeadlineOut
    from shuangsuiji.workdays.deadline import _warning

    row = {"task_id": 1, "task_code": "T", "due": date(2027, 3, 1), "status": "pending",
           "warning": _warning((2027,), date(2027, 3, 1))}
    for language, expected in (("zh-CN", "2027-03-01"), ("en", "Provisional deadline")):
        with app.test_request_context(headers={"Accept-Language": language}):
            shown = DeadlineOut().dump(row)["warning"]
        assert expected in shown
        assert ("Provisional" in shown) == (language == "en")
