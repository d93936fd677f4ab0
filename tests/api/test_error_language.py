"""API errors are English unless the client asks for Chinese with Accept-Language; the
response names its language (Content-Language) and varies on the header."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import ApiWorld

CQ = "/api/v1/t/chongqing"
ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
TASK = {"plan_year": 2026, "code": "CQ-2026-LANG", "title": "语言测试任务",
        "department": "综合执法处", "items": ["NO-SUCH-ITEM"], "starts_on": "2026-06-01",
        "ends_on": "2026-06-30", "methods": ["on_site"], "ratio_permille": 50}


def _create(api_world: ApiWorld, headers: dict[str, str] | None = None) -> Any:
    return api_world.client.post(f"{CQ}/tasks", json=TASK,
                                 headers={**api_world.headers("cq_operator"), **(headers or {})})


def test_a_service_error_is_english_by_default(api_world: ApiWorld) -> None:
    response = _create(api_world)
    assert response.status_code == 404
    assert response.json["message"] == "no item NO-SUCH-ITEM in the item list"
    assert response.json["where"] == "items"
    assert response.json["hint"] == "`ssj items list --tenant T` shows the item list"
    assert response.headers["Content-Language"] == "en"
    assert "Accept-Language" in response.headers["Vary"]


def test_a_service_error_is_chinese_when_asked(api_world: ApiWorld) -> None:
    response = _create(api_world, ZH)
    assert response.status_code == 404
    assert response.json["message"] == "随机抽查事项清单中没有抽查事项 NO-SUCH-ITEM"
    assert response.json["where"] == "items"  # a field name stays as the API spells it
    assert response.json["hint"] == "`ssj items list --tenant T` 可列出随机抽查事项清单"
    assert response.headers["Content-Language"] == "zh-CN"


def test_the_api_own_errors_follow_the_same_rule(api_world: ApiWorld) -> None:
    no_token: Any = api_world.client.get(f"{CQ}/tasks", headers=ZH)
    assert no_token.status_code == 401
    assert no_token.json["message"] == "此操作需要 API 令牌"
    invalid: Any = api_world.client.post(f"{CQ}/tasks", json={"code": "X"},
                                    headers={**api_world.headers("cq_operator"), **ZH})
    assert invalid.status_code == 422
    assert invalid.json["message"] == "请求无效：各字段的问题见 errors"
    assert "title" in invalid.json["errors"]["json"]
    english: Any = api_world.client.get(f"{CQ}/tasks", headers={"Accept-Language": "fr, en;q=0.5"})
    assert english.json["message"] == "this needs an API token"
