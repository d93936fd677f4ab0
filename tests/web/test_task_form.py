"""The new-task form offers the tenant's items and the methods its pack allows as checkboxes;
a choice that is not offered is refused with a field error and nothing is saved."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from tests.web.conftest import TenantWorld

FORM = {"plan_year": "2026", "code": "CQ-FORM-1", "title": "表单测试任务",
        "department": "综合执法处", "ratio_permille": "100", "group_count": "1",
        "starts_on": "2026-04-01", "ends_on": "2026-05-29"}


def test_items_and_methods_are_offered_as_checkboxes(
    world: dict[str, TenantWorld], client_for: Callable[[str | None], FlaskClient],
) -> None:
    page = client_for("cq_operator").get("/t/chongqing/tasks").get_data(as_text=True)
    assert 'type="checkbox" value="SX-001"' in page
    assert "SX-001 电信业务经营许可情况检查" in page
    assert 'value="on_site"' in page and "现场检查" in page
    # Chongqing's pack (第十二条) allows written, on-site and network monitoring: not testing
    assert 'value="testing"' not in page


def test_several_items_and_methods_make_one_task(
    world: dict[str, TenantWorld], client_for: Callable[[str | None], FlaskClient],
) -> None:
    client = client_for("cq_operator")
    made = client.post("/t/chongqing/tasks", data={
        **FORM, "item_codes": ["SX-001", "SX-002"], "methods": ["written", "on_site"]})
    assert made.status_code == 302
    task = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "书面检查、现场检查" in task
    assert "SX-002" in task


def test_a_choice_not_offered_is_refused_and_nothing_is_saved(
    world: dict[str, TenantWorld], client_for: Callable[[str | None], FlaskClient],
) -> None:
    client = client_for("cq_operator")
    refused = client.post("/t/chongqing/tasks", data={
        **FORM, "item_codes": ["SX-001"], "methods": ["testing"]})
    assert refused.status_code == 422
    assert "不可选择：testing" in refused.get_data(as_text=True)
    assert "CQ-FORM-1" not in client.get("/t/chongqing/tasks").get_data(as_text=True)
