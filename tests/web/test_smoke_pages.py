"""The pages render, in Chinese by default, for the roles that may see them."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient


def test_login_page_is_chinese_by_default(app) -> None:
    page = app.test_client().get("/login").get_data(as_text=True)
    assert "登录" in page


def test_dashboard_for_tenant_admin(client_for: Callable[[str | None], FlaskClient]) -> None:
    client = client_for("cq_admin")
    response = client.get("/t/chongqing/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "重庆市经济和信息化委员会" in page
    assert "审计" in page  # the audit chain status card
