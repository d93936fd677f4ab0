"""API refusals are 4xx with a message, never 500 (#13.7): page numbers beyond any page,
unknown ids in a body, every service refusal."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import ApiWorld

CQ = "/api/v1/t/chongqing"
HUGE = "33004243381594673152"


@pytest.fixture(scope="module")
def draw(api_world: ApiWorld) -> dict[str, Any]:
    task = f"{CQ}/tasks/{api_world.task_id}"
    pool = api_world.get(f"{task}/pool", "cq_operator")
    if pool.status_code != 200:
        pytest.skip("the draw service cannot freeze a pool here")
    drawn = api_world.post(f"{task}/draw", "cq_operator",
                           json={"seed": "refusals-1", "expected_pool_digest":
                                 pool.json["pool_digest"]})
    if drawn.status_code == 409:  # another module of the run drew it: use the live draw
        listed = api_world.get(f"{CQ}/draws", "cq_operator")
        return dict(listed.json[0])
    assert drawn.status_code == 201, drawn.json
    return dict(drawn.json)


def _refused(response: Any, *codes: int) -> dict[str, Any]:
    assert response.status_code in codes, (response.status_code, response.get_data()[:500])
    body = response.json
    assert body["message"] and body["code"] == response.status_code
    return dict(body)


@pytest.mark.parametrize("page", [HUGE, "99999999", "0", "-1"])
def test_page_numbers_beyond_any_page_are_refused_or_empty(api_world: ApiWorld,
                                                           draw: dict[str, Any],
                                                           page: str) -> None:
    for path in (f"{CQ}/draws/{draw['id']}/selections", f"{CQ}/targets", f"{CQ}/tasks"):
        response = api_world.get(f"{path}?page={page}", "cq_operator")
        if response.status_code == 200:
            assert response.json == []  # a page past the last: empty, not an error
        else:
            _refused(response, 400, 422)


def test_a_huge_page_size_is_refused(api_world: ApiWorld) -> None:
    _refused(api_world.get(f"{CQ}/targets?page_size={HUGE}", "cq_operator"), 400, 422)


def test_a_recusal_naming_unknown_ids_is_refused(api_world: ApiWorld,
                                                 draw: dict[str, Any]) -> None:
    url = f"{CQ}/draws/{draw['id']}/recusals"
    for body in (
        {"person_id": 999999999, "credit_code": "91500103000000001X", "mode": "swap",
         "reason": "与检查对象存在利害关系"},
        {"person_id": "no-such-inspector", "credit_code": "no-such-code", "mode": "swap",
         "reason": "与检查对象存在利害关系"},
        {"person_id": 1, "credit_code": "91500103000000001X", "mode": "no-such-mode",
         "reason": "与检查对象存在利害关系"},
    ):
        _refused(api_world.post(url, "cq_operator", json=body), 400, 404, 409, 422)


def test_unknown_ids_in_paths_are_404(api_world: ApiWorld) -> None:
    for path in (f"{CQ}/draws/{HUGE}", f"{CQ}/tasks/{HUGE}", f"{CQ}/draws/{HUGE}/bundle"):
        _refused(api_world.get(path, "cq_operator"), 404)


def test_a_kernel_refusal_is_a_400_with_its_message(api_world: ApiWorld,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """What the kernel refuses (here: an empty pool) reaches the caller as a 400."""
    from shuangsuiji.api.resources import draws as draw_resource
    from shuangsuiji.kernel.errors import EmptyPool
    from shuangsuiji.messages import msg

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise EmptyPool(msg("the pool is empty: no target matches the task's rules"))

    monkeypatch.setattr(draw_resource.draw_service, "draw", refuse)
    response = api_world.post(f"{CQ}/tasks/{api_world.task_id}/draw", "cq_operator", json={})
    body = _refused(response, 400)
    assert "pool is empty" in body["message"]
