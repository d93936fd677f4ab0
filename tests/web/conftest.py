"""Fixtures for the web layer: the demo tenant tree, one account per role in two tenants
(made through the accounts service, as `ssj users create` does), and signed-in clients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from shuangsuiji.platform import Platform
from shuangsuiji.services import accounts

PASSWORD = "correct horse battery"

#: username → (role, tenant slug or None, department, inspector code)
ACCOUNTS: dict[str, tuple[str, str | None, str, str | None]] = {
    "central": ("central_admin", None, "", None),
    "miit_admin": ("tenant_admin", "miit", "", None),
    "miit_operator": ("operator", "miit", "", None),
    "miit_viewer": ("viewer", "miit", "", None),
    "miit_inspector": ("inspector", "miit", "", "MIIT-I-001"),
    "cq_admin": ("tenant_admin", "chongqing", "", None),
    "cq_operator": ("operator", "chongqing", "", None),
    "cq_viewer": ("viewer", "chongqing", "", None),
    "cq_inspector": ("inspector", "chongqing", "", "CQ-I-001"),
}


@pytest.fixture
def users(platform: Platform, tenant_tree: dict[str, int]) -> dict[str, int]:
    """Every account of :data:`ACCOUNTS`; returns username → id."""
    with platform.db.session() as s:
        ids = {}
        for name, (role, tenant, dept, code) in ACCOUNTS.items():
            user = accounts.create_user(s, username=name, password=PASSWORD, role=role,
                                        tenant=tenant, department=dept, inspector_code=code)
            ids[name] = user.id
        s.commit()
    return ids


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    return client.post("/login", data={"username": username, "password": password})


@pytest.fixture
def client_for(app: Flask, users: dict[str, int]) -> Callable[[str | None], FlaskClient]:
    """A test client signed in as ``username`` (None: the public)."""

    def make(username: str | None) -> FlaskClient:
        client = app.test_client()
        if username is not None:
            response = login(client, username)
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return make
