"""The IDOR sweep of the API (the hostile round's check, in the suite): every operation
under /api/v1/t/<tenant>/, with the token of every chongqing role, aimed at miit (another
tenant): refused (403) before anything is read or written; and every operation with an id
in its path, aimed at chongqing with miit's task id: not found (404) or refused by role."""

from __future__ import annotations

from sqlalchemy import func, select

from shuangsuiji.models.audit import AuditEvent
from tests.api.conftest import ApiWorld

ROLES = ("cq_viewer", "cq_operator", "cq_admin", "cq_inspector")
BODY = {"reason": "a reason long enough", "seed": "1", "year": 2026}


def _operations(api_world: ApiWorld) -> list[tuple[str, str]]:
    spec = api_world.client.get("/api/v1/openapi.json").json
    return [(method.upper(), path) for path, item in spec["paths"].items()
            for method in item if method in ("get", "post", "put", "patch", "delete")
            and path.startswith("/api/v1/t/{tenant_slug}")]


def _events(api_world: ApiWorld) -> int:
    with api_world.app.extensions["shuangsuiji"].db.session() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent)) or 0


def _fill(path: str, slug: str, task_id: int) -> str:
    path = path.replace("{tenant_slug}", slug).replace("{task_id}", str(task_id))
    for name in ("draw_id", "year", "number"):
        path = path.replace("{" + name + "}", "1" if name != "year" else "2026")
    return path


def test_no_role_of_one_tenant_reaches_another(api_world: ApiWorld) -> None:
    operations = _operations(api_world)
    assert len(operations) > 20
    before = _events(api_world)
    wrong = []
    for who in ROLES:
        headers = api_world.headers(who)
        for method, path in operations:
            url = _fill(path, "miit", api_world.other_task_id)
            response = api_world.client.open(url, method=method, headers=headers, json=BODY)
            if response.status_code != 403:
                wrong.append(f"{who} {method} {url}: {response.status_code}")
    assert wrong == []
    assert _events(api_world) == before


def test_another_tenants_ids_are_not_found(api_world: ApiWorld) -> None:
    before = _events(api_world)
    wrong = []
    for method, path in _operations(api_world):
        if "{task_id}" not in path:
            continue
        url = _fill(path, "chongqing", api_world.other_task_id)
        for who in ("cq_admin", "central"):
            response = api_world.client.open(url, method=method, headers=api_world.headers(who),
                                             json=BODY)
            if response.status_code not in (403, 404, 422):
                wrong.append(f"{who} {method} {url}: {response.status_code}")
    assert wrong == []
    assert _events(api_world) == before
