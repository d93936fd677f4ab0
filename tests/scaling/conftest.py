"""Fixtures of the web tests (accounts per role, signed-in clients, a drawn world)."""

from tests.web.conftest import client_for, users, world  # noqa: F401 - fixtures
