"""Every route × every role × two tenants: nothing is read or written across tenants.

The routes are taken from the app's URL map, not listed by hand, so a new page is covered
the day it is added. API routes (/api/v1) are the API's own tests' business.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient

from shuangsuiji import access
from shuangsuiji.services import audit
from tests.web.conftest import ACCOUNTS, TenantWorld

MISSING_ID = 999_999
USERS: list[str | None] = [None, *ACCOUNTS]


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    rule: str
    declaration: object

    def url(self, app: Flask, slug: str | None, ids: TenantWorld | None) -> str:
        values: dict[str, object] = {}
        args = self._arguments(app)
        if "tenant_slug" in args:
            values["tenant_slug"] = slug
        if ids is not None:
            values.update({
                "task_id": ids.task_id, "draw_id": ids.draw_id or MISSING_ID,
                "item_id": ids.item_id, "code": ids.item_code, "year": ids.year,
                # POST-only routes on objects the world does not make: a missing id
                "rectification_id": MISSING_ID, "user_id": MISSING_ID,
                "job_id": MISSING_ID,  # the world starts no background job
                "announcement_id": MISSING_ID,  # the world's draws are not announced
                "number": MISSING_ID,  # an item-list version the world does not have
                # another tenant's joint task the world does not plan
                "host": "no-such-tenant", "task_code": "NO-SUCH-TASK",
                "file_format": "csv",
            })
        values["kind"] = "targets"
        with app.test_request_context():
            from flask import url_for

            return url_for(self.endpoint, **{k: v for k, v in values.items() if k in args})

    def _arguments(self, app: Flask) -> set[str]:
        return next(r.arguments for r in app.url_map.iter_rules(self.endpoint)
                    if r.rule == self.rule)


def web_routes(app: Flask) -> Iterator[Route]:
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule.startswith("/api"):
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield Route(rule.endpoint, method, rule.rule, access.declaration_of(view))


def tenant_routes(app: Flask) -> list[Route]:
    return [r for r in web_routes(app) if "<tenant_slug>" in r.rule]


def roles_of(username: str | None, slug: str) -> set[str]:
    if username is None:
        return set()
    role, tenant, _dept, _code = ACCOUNTS[username]
    if role == "central_admin":
        return {"central_admin", "tenant_admin"}
    return {role} if tenant == slug else set()


def audit_counts(app: Flask, world: dict[str, TenantWorld]) -> dict[str, int]:
    platform = app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        return {slug: audit.count(s, w.tenant_id) for slug, w in world.items()}


def test_every_web_route_is_covered(app: Flask) -> None:
    routes = list(web_routes(app))
    assert len(routes) > 30
    assert all(r.declaration is not None for r in routes)


def test_get_every_route_in_both_tenants(
    app: Flask, world: dict[str, TenantWorld], client_for: Callable[[str | None], FlaskClient],
) -> None:
    """GET: 200 exactly when the declaration admits the user in that tenant; otherwise the
    public get a sign-in redirect and signed-in users 403 — never another tenant's page.
    (One world for every user: building it per user would take minutes.)"""
    for username in USERS:
        _get_every_route(app, world, client_for(username), username)


def _get_every_route(app: Flask, world: dict[str, TenantWorld], client: FlaskClient,
                     username: str | None) -> None:
    for route in tenant_routes(app):
        if route.method != "GET":
            continue
        for slug, ids in world.items():
            url = route.url(app, slug, ids)
            status = client.get(url).status_code
            decl = route.declaration
            admitted = decl == access.PUBLIC or (
                isinstance(decl, frozenset) and bool(decl & roles_of(username, slug)))
            where = f"{username} GET {url}"
            if not admitted:
                expected = 302 if username is None else 403
                assert status == expected, where
                continue
            needs_draw = "draw_id" in route.rule or route.endpoint == "staff.records"
            missing_draw = needs_draw and ids.draw_id is None
            inspector_only = roles_of(username, slug) == {"inspector"}
            if missing_draw:
                assert status in (404, 409), where  # no draw: not found, or "draw first"
            elif "job_id" in route.rule or "announcement_id" in route.rule:
                assert status == 404, where  # no such job or announcement in this tenant
            elif "<task_code>" in route.rule:
                # no other tenant invited this one (tests/web/test_joint_tenants_pages.py
                # shows the page of a real invitation)
                assert status == 404, where
            elif inspector_only and any(a in route.rule for a in ("task_id", "draw_id")):
                assert status in (200, 404), where  # only the tasks they are assigned to
            else:
                assert status == 200, where


def test_post_to_another_tenant_is_refused_and_writes_nothing(
    app: Flask, world: dict[str, TenantWorld], client_for: Callable[[str | None], FlaskClient],
) -> None:
    """Every POST under /t/<tenant>/ by someone without a role there: 302 to sign in (the
    public) or 403, and no audit event appended in either tenant."""
    for username in USERS:
        _post_everywhere_refused(app, world, client_for(username), username)


def _post_everywhere_refused(app: Flask, world: dict[str, TenantWorld], client: FlaskClient,
                             username: str | None) -> None:
    before = audit_counts(app, world)
    tried = 0
    for route in tenant_routes(app):
        if route.method != "POST":
            continue
        for slug, ids in world.items():
            if roles_of(username, slug):
                continue
            url = route.url(app, slug, ids)
            response = client.post(url, data={"reason": "x" * 10, "seed": "1",
                                              "pool_digest": "0" * 64})
            expected = 302 if username is None else 403
            assert response.status_code == expected, f"{username} POST {url}"
            tried += 1
    assert audit_counts(app, world) == before
    if username != "central":
        assert tried > 0


def test_ids_from_another_tenant_are_not_found(
    app: Flask, world: dict[str, TenantWorld], client_for: Callable[[str | None], FlaskClient],
) -> None:
    """/t/chongqing/... with miit's ids: 404, as if the object did not exist."""
    for username in ("cq_admin", "cq_operator", "cq_viewer", "central"):
        _foreign_ids(world, client_for(username), username)


def _foreign_ids(world: dict[str, TenantWorld], client: FlaskClient, username: str) -> None:
    cq, miit = world["chongqing"], world["miit"]
    foreign = [f"/t/chongqing/tasks/{miit.task_id}", f"/t/chongqing/tasks/{miit.task_id}/draw",
               f"/t/chongqing/items/{miit.item_id}", f"/t/chongqing/items/{miit.item_id}/edit"]
    if miit.draw_id is not None:
        foreign += [f"/t/chongqing/draws/{miit.draw_id}",
                    f"/t/chongqing/draws/{miit.draw_id}/bundle.json",
                    f"/p/chongqing/draws/{miit.draw_id}",
                    f"/p/chongqing/draws/{miit.draw_id}/bundle.json"]
    assert cq.task_id != miit.task_id and cq.item_id != miit.item_id
    for url in foreign:
        status = client.get(url).status_code
        if username == "cq_viewer" and url.endswith(("/draw", "/edit")):
            assert status == 403, url  # refused by role before the lookup
        else:
            assert status == 404, f"{username} GET {url}"


def test_posts_with_foreign_ids_write_nothing(
    app: Flask, world: dict[str, TenantWorld], client_for: Callable[[str | None], FlaskClient],
) -> None:
    client = client_for("cq_admin")
    miit = world["miit"]
    before = audit_counts(app, world)
    draw_id = miit.draw_id or MISSING_ID
    for url in (f"/t/chongqing/draws/{draw_id}/void", f"/t/chongqing/draws/{draw_id}/recusals",
                f"/t/chongqing/tasks/{miit.task_id}/publish",
                f"/t/chongqing/tasks/{miit.task_id}/end-work",
                f"/t/chongqing/tasks/{miit.task_id}/draw",
                f"/t/chongqing/tasks/{miit.task_id}/records"):
        response = client.post(url, data={"reason": "a good reason", "ended_on": "2026-05-29",
                                          "seed_source": "ceremony", "seed": "1",
                                          "pool_digest": "0" * 64})
        assert response.status_code == 404, url
    assert audit_counts(app, world) == before


def test_public_portal_shows_only_its_own_tenant(
    app: Flask, world: dict[str, TenantWorld],
) -> None:
    client = app.test_client()
    cq_page = client.get("/p/chongqing/tasks").get_data(as_text=True)
    assert "CHONGQING-2026-001" in cq_page
    assert "MIIT-2026-001" not in cq_page
