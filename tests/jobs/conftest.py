"""Fixtures of the web tests (accounts per role, signed-in clients), for the job pages."""

from tests.web.conftest import client_for, users  # noqa: F401 - fixtures
