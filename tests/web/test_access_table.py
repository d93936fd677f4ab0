"""The access table, written by hand (#13.9): role × action → allowed.

tests/web/test_access_matrix.py takes its expectations from each route's own ``@allow``, so a
wrong declaration is expected as well as enforced. This table is typed by a person from the
product's roles (docs/security.md) and the regulations' division of duties:

* the public reads the portal (公开: plans, tasks, results, draws and their bundles);
* a **viewer** (e.g. a supervising office) reads the tenant's work, changes nothing;
* an **operator** (职能处室) keeps the directories and item list, plans tasks, holds the draw
  ceremony, records results, reports, publishes, orders and follows rectifications;
* an **inspector** (执法检查人员) sees the tasks they are drawn for, records on site and
  declares their own conflicts (回避);
* a **tenant admin** does all of that, and alone manages the tenant's accounts and
  calendars, and *voids a draw*: an operator who could void and draw again could repeat a
  draw until it gave the outcome they wanted, so voiding takes the second person;
* the **central admin** acts as tenant admin in every tenant, and alone manages every
  account, compares provinces and diffs packs.

A new route fails :func:`test_every_route_is_in_the_table` until a person adds it here; a
declaration that differs from the table fails :func:`test_declarations_match_the_table`;
the app is then driven as every role in its own tenant and must refuse exactly what the
table refuses (:func:`test_the_app_refuses_exactly_what_the_table_refuses`).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, url_for
from flask.testing import FlaskClient

from shuangsuiji import access
from tests.web.conftest import ACCOUNTS, TenantWorld
from tests.web.test_access_matrix import MISSING_ID, Route, roles_of, web_routes

PUBLIC, SIGNED_IN = "public", "signed_in"
V = frozenset({"viewer", "operator", "tenant_admin"})  # read the tenant's work
VI = V | {"inspector"}  # ... and inspectors, for what they are drawn for
OP = frozenset({"operator", "tenant_admin"})  # do the tenant's work
OI = OP | {"inspector"}
A = frozenset({"tenant_admin"})  # the tenant's accounts, calendars, voiding a draw
C = frozenset({"central_admin"})  # the central level
ANY = VI | C

#: (endpoint, method) → who may. Typed by hand: do not generate it from the declarations.
TABLE: dict[tuple[str, str], frozenset[str] | str] = {
    # signing in, one's own account, the language
    ("auth.index", "GET"): PUBLIC, ("auth.login", "GET"): PUBLIC,
    ("auth.login", "POST"): PUBLIC, ("auth.language", "POST"): PUBLIC,
    ("auth.logout", "POST"): SIGNED_IN, ("auth.account", "GET"): SIGNED_IN,
    ("auth.account", "POST"): SIGNED_IN, ("auth.choose_tenant", "GET"): SIGNED_IN,
    ("auth.switch_tenant", "POST"): SIGNED_IN,
    # the public portal
    **{(f"portal.{name}", "GET"): PUBLIC for name in (
        "index", "tenant_home", "tasks", "plan", "items", "item_history", "results",
        "results_csv", "results_json", "draw", "draw_bundle", "draw_bundle_text", "announcement",
        "announcement_json", "verify", "verifier", "draw_spec", "log")},
    # the central level
    **{(f"central.{name}", "POST"): C for name in (
        "users", "user_grant", "user_token", "user_token_revoke", "user_disable",
        "user_enable", "user_password")},
    ("central.users", "GET"): C, ("central.pack_diff", "GET"): C,
    ("central.log_witness", "GET"): C, ("central.log_witness", "POST"): C,  # witnessing logs
    ("staff.statistics_compare", "GET"): C, ("staff.statistics_compare_xlsx", "GET"): C,
    # the tenant's accounts and calendars
    ("staff.users", "GET"): A, ("staff.calendars", "GET"): A, ("staff.calendars", "POST"): A,
    # the organisation tree (issue #15): the tenant admin edits it
    ("staff.units", "GET"): A, ("staff.units", "POST"): A, ("staff.unit_save", "POST"): A,
    ("staff.unit_remove", "POST"): A, ("staff.units_subunits", "POST"): A,
    **{(f"staff.{name}", "POST"): A for name in (
        "users", "user_grant", "user_token", "user_token_revoke", "user_disable",
        "user_enable", "user_password")},
    # reading the tenant's work
    ("staff.dashboard", "GET"): VI, ("staff.tasks", "GET"): VI, ("staff.task", "GET"): VI,
    ("staff.draw_result", "GET"): VI, ("staff.draw_bundle", "GET"): VI,
    ("staff.draw_bundle_text", "GET"): VI,
    ("staff.notices", "GET"): VI,
    **{(f"staff.{name}", "GET"): V for name in (
        "plans", "plan", "deadlines", "directories", "directory", "items", "item",
        "followup", "periods", "report", "statistics", "statistics_xlsx", "audit_log",
        "joint_task",
        "job", "job_json", "job_output")},  # a background import's or export's progress
    # an export is a read of the directories, run in the background
    ("staff.directory_export", "POST"): V,
    # credit-risk classes (信用风险分类, issue #15): read like the directories, kept by operators
    ("staff.credit_classes_page", "GET"): V, ("staff.credit_classes_upload", "POST"): OP,
    # doing the tenant's work
    ("staff.plans", "POST"): OP, ("staff.tasks", "POST"): OP, ("staff.periods", "POST"): OP,
    ("staff.report", "POST"): OP, ("staff.directory_upload", "POST"): OP,
    ("staff.item_edit", "GET"): OP, ("staff.item_edit", "POST"): OP,
    ("staff.item_retire", "POST"): OP, ("staff.job_retry", "POST"): OP,
    ("staff.draw", "GET"): OP, ("staff.draw", "POST"): OP, ("staff.announce", "POST"): OP,
    # the announcement's conflicts picker searches the targets: who holds the ceremony
    ("staff.target_search_json", "GET"): OP,
    ("staff.commit_seed", "POST"): OP, ("staff.reveal_seed", "POST"): OP,
    ("staff.apply_recusal", "POST"): OP, ("staff.end_work", "POST"): OP,
    ("staff.publish", "POST"): OP, ("staff.transfer", "POST"): OP,
    # a joint task (联合抽查): participants, their answers, results per item, publication
    ("staff.joint_plan", "POST"): OP, ("staff.joint_answer", "POST"): OP,
    ("staff.joint_result", "POST"): OP, ("staff.joint_publish", "POST"): OP,
    # another tenant's joint task, as this tenant takes part in it (from its own login)
    ("staff.joint_invitations", "GET"): V, ("staff.joint_guest_task", "GET"): VI,
    ("staff.joint_guest_answer", "POST"): OP, ("staff.joint_guest_result", "POST"): OI,
    ("staff.joint_guest_record", "POST"): OI, ("staff.joint_guest_publish", "POST"): OP,
    # handing results to the credit publicity system is part of publishing (MIIT 第十五条)
    ("staff.credit_handover", "POST"): OP, ("staff.credit_confirm", "POST"): OP,
    # the item list is approved by the leadership, then published (MIIT 第五条, CQ 第四条)
    ("staff.item_list_approve", "POST"): A, ("staff.item_list_publish", "POST"): A,
    ("staff.rectification_order", "POST"): OP, ("staff.rectification_close", "POST"): OP,
    ("staff.rectification_follow_up", "POST"): OP,
    # on site: inspectors record and declare their own conflicts
    ("staff.records", "GET"): OI, ("staff.records", "POST"): OI, ("staff.recuse", "POST"): OI,
    # a committed draw is voided by a tenant admin only (the second person)
    ("staff.void", "POST"): A,
}

#: The API, operation by operation.
API_TABLE: dict[tuple[str, str], frozenset[str] | str] = {
    ("api-docs.openapi_json", "GET"): PUBLIC, ("api-docs.openapi_swagger_ui", "GET"): PUBLIC,
    **{(f"api_{name}", "GET"): PUBLIC for name in (
        "public.public_tenants", "public_draws.public_bundle", "public_draws.public_draws",
        "public_draws.public_bundle_text",
        "public_log.log_keys", "public_tenant.published_results",
        "public_tenant.published_tasks", "public_tenant_log.checkpoint_of_size",
        "public_tenant_log.consistency_proof", "public_tenant_log.inclusion_proof",
        "public_tenant_log.latest_checkpoint", "public_tenant_log.leaves",
        "public_tenant_log.draw_evidence")},  # the transparency log is public
    ("api_tenants.me", "GET"): ANY, ("api_tenants.list_tenants", "GET"): C,
    ("api_tenant.current_tenant", "GET"): VI,
    ("api_audit.chain_status", "GET"): A, ("api_audit.list_events", "GET"): A,
    **{(f"api_{name}", "GET"): V for name in (
        "deadlines.deadline_board", "directories.get_item_list_version",
        "directories.list_inspectors", "directories.list_item_list_versions",
        "directories.list_items", "directories.list_targets", "inspections.get_publication",
        "plans.get_plan", "plans.list_plans", "plans.list_tasks",
        # a joint task's results per item: the host's, and one this tenant takes part in
        "joint.task_item_results", "joint.joined_item_results")},
    **{(f"api_{name}", "GET"): VI for name in (
        "draws.bundle", "draws.bundle_text", "draws.get_draw", "draws.list_draws",
        "draws.list_selections",
        "inspections.list_records", "inspections.list_results", "plans.get_task")},
    ("api_draws.preview_pool", "GET"): OP, ("api_draws.draw", "POST"): OP,
    # the announcement before a draw, and the commit–reveal seed: the draw's operators
    ("api_draws.announce", "POST"): OP, ("api_draws.commit_seed", "POST"): OP,
    ("api_draws.reveal_seed", "POST"): OP, ("api_draws.get_announcement", "GET"): V,
    ("api_draws.recuse", "POST"): OP, ("api_draws.void_draw", "POST"): A,
    # an announced draw's recusal in two steps, as on the web: inspectors declare their own
    ("api_recusals.declare", "POST"): OI, ("api_recusals.apply", "POST"): OP,
    ("api_inspections.record_on_site", "POST"): OI,
    ("api_inspections.record_result", "POST"): OP, ("api_inspections.write_report", "PUT"): OP,
    ("api_inspections.publish", "POST"): A, ("api_plans.create_plan", "POST"): A,
    ("api_plans.create_task", "POST"): OP, ("api_plans.end_work", "POST"): OP,
}


def _declared(app: Flask, endpoint: str, method: str) -> object:
    view = app.view_functions[endpoint]
    found = access.declaration_of(view)
    if found == "per_method":
        found = getattr(getattr(view.view_class, method.lower()), access.ACCESS_ATTR)
    return found


def _all_routes(app: Flask) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            found.add((rule.endpoint, method))
    return found


def test_every_route_is_in_the_table(app: Flask) -> None:
    missing = sorted(_all_routes(app) - set(TABLE) - set(API_TABLE))
    assert missing == [], "add these to the access table, by hand: " + repr(missing)


def _expected(entry: frozenset[str] | str) -> object:
    # as @allow spells it: a central admin holds tenant_admin in every tenant, so only the
    # central level's own routes (and /me) name central_admin
    return entry


def test_declarations_match_the_table(app: Flask) -> None:
    """A declaration wider than the table (or narrower) is a bug in one of them."""
    wrong = []
    for (endpoint, method), entry in {**TABLE, **API_TABLE}.items():
        if (endpoint, method) not in _all_routes(app):
            continue
        declared = _declared(app, endpoint, method)
        expected = _expected(entry)
        if isinstance(declared, frozenset) and isinstance(expected, frozenset):
            # a GET+POST view declares the union; its POST is narrowed inside the view
            # (checked by driving the app below)
            others = [TABLE.get((endpoint, m)) for m in ("GET", "POST")]
            union = frozenset().union(*(_expected(e) for e in others
                                        if isinstance(e, frozenset)))
            if declared not in (expected, union):
                wrong.append(f"{method} {endpoint}: declared {sorted(declared)}, "
                             f"the table says {sorted(expected)}")
        elif declared != expected:
            wrong.append(f"{method} {endpoint}: declared {declared}, the table says {expected}")
    assert wrong == [], "\n".join(wrong)


def _url(app: Flask, route: Route, ids: TenantWorld) -> str:
    args = next(r.arguments for r in app.url_map.iter_rules(route.endpoint)
                if r.rule == route.rule)
    known: dict[str, object] = {
        "tenant_slug": ids.slug, "task_id": ids.task_id, "draw_id": ids.draw_id or MISSING_ID,
        "item_id": ids.item_id, "code": ids.item_code, "year": ids.year, "kind": "targets"}
    values = {a: known.get(a, MISSING_ID) for a in args}
    with app.test_request_context():
        return url_for(route.endpoint, **values)


def _allowed(entry: frozenset[str] | str, username: str | None, slug: str) -> bool:
    if entry == PUBLIC:
        return True
    if username is None:
        return False
    if entry == SIGNED_IN:
        return True
    assert isinstance(entry, frozenset)
    held = roles_of(username, slug)
    if ACCOUNTS[username][0] == "central_admin":
        held = held | {"central_admin"}
    return bool(entry & held)


def test_the_app_refuses_exactly_what_the_table_refuses(
    app: Flask, world: dict[str, TenantWorld], client_for: Callable[[str | None], FlaskClient],
) -> None:
    """Every web route, as every role of chongqing (and the central admin, and the public):
    refused (403, or a sign-in redirect) exactly when the table says no. Writes are sent
    empty, so an admitted one stops at its form's validation."""
    ids = world["chongqing"]
    users = [None, "cq_admin", "cq_operator", "cq_viewer", "cq_inspector", "central"]
    wrong = []
    for username in users:
        client = client_for(username)
        for route in web_routes(app):
            entry = TABLE[(route.endpoint, route.method)]
            if route.method not in ("GET", "POST") or route.endpoint == "auth.logout":
                continue
            url = _url(app, route, ids)
            data = {"tenant": "chongqing"} if route.endpoint == "auth.switch_tenant" else {}
            response = (client.get(url) if route.method == "GET"
                        else client.post(url, data=data))
            refused = response.status_code == 403 or (
                response.status_code == 302 and "/login" in response.headers.get("Location", "")
                and route.endpoint != "auth.login")
            allowed = _allowed(entry, username, "chongqing")
            inspector_object = (username == "cq_inspector" and allowed
                                and any(a in route.rule for a in ("task_id", "draw_id")))
            if inspector_object:
                continue  # their own tasks only: object checks are test_roles.py's
            if refused == allowed:
                wrong.append(f"{username} {route.method} {url}: {response.status_code}, "
                             f"the table says {'yes' if allowed else 'no'}")
    assert wrong == [], "\n".join(wrong)
