"""Passwords (#13.8): besides the length, a strength estimate (zxcvbn) refuses guessable
ones (``aaaaaaaaaa``, ``1234567890``, keyboard rows), the user name inside the password,
and the current password again; in Chinese on the pages, in English in the CLI."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shuangsuiji.errors import UserError
from shuangsuiji.services import accounts
from tests.web.conftest import PASSWORD, login

GUESSABLE = ["aaaaaaaaaa", "1234567890", "qwertyuiop", "Password123!", "iloveyou2026"]


@pytest.mark.parametrize("password", GUESSABLE)
def test_guessable_passwords_are_refused(app: Flask, users: dict[str, int],
                                         password: str) -> None:
    with app.extensions["shuangsuiji"].db.session() as s:
        with pytest.raises(UserError, match="too easy to guess"):
            accounts.set_password(s, accounts.get_user(s, "cq_viewer"), password)
        with pytest.raises(UserError, match="too easy to guess"):
            accounts.create_user(s, username="newcomer", password=password, role="viewer",
                                 tenant="chongqing")


def test_the_user_name_and_the_current_password_are_refused(app: Flask,
                                                            users: dict[str, int]) -> None:
    with app.extensions["shuangsuiji"].db.session() as s:
        user = accounts.get_user(s, "cq_viewer")
        with pytest.raises(UserError, match="contains the user name"):
            accounts.set_password(s, user, "CQ_Viewer-violet-harbour")
        with pytest.raises(UserError, match="is the current password"):
            accounts.set_password(s, user, PASSWORD)
        with pytest.raises(UserError, match="contains the user name"):
            accounts.create_user(s, username="wangfang", password="wangfang-lantern-77",
                                 role="viewer", tenant="chongqing")
        accounts.set_password(s, user, "violet-harbour-lantern-77")  # a good one passes


def test_the_account_page_says_why_in_chinese(
    app: Flask, users: dict[str, int], client_for: Callable[[str | None], FlaskClient],
) -> None:
    client = client_for("cq_viewer")
    weak = client.post("/account", data={"current": PASSWORD, "new": "1234567890",
                                         "repeat": "1234567890"})
    assert "密码太容易被猜到" in weak.get_data(as_text=True)
    same = client.post("/account", data={"current": PASSWORD, "new": PASSWORD,
                                         "repeat": PASSWORD})
    assert "新密码与当前密码相同" in same.get_data(as_text=True)
    assert login(app.test_client(), "cq_viewer").status_code == 302  # unchanged


def test_the_cli_refuses_a_weak_password_with_a_message(app: Flask,
                                                        tenant_tree: dict[str, int]) -> None:
    result = app.test_cli_runner().invoke(
        args=["users", "create", "op", "--role", "operator", "--tenant", "chongqing",
              "--password-stdin"], input="aaaaaaaaaa\n")
    assert result.exit_code != 0
    assert "too easy to guess" in result.output and "Traceback" not in result.output


def test_a_deployment_hashes_at_the_libraries_recommended_cost() -> None:
    """The tests lower the cost (tests/conftest.py); the module's own hasher is argon2id at
    the library's defaults, read from a fresh import so the tests' patch does not hide it."""
    import importlib.util

    from argon2 import PasswordHasher, Type

    spec = importlib.util.find_spec("shuangsuiji.services.accounts")
    assert spec is not None and spec.loader is not None
    fresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fresh)
    default = PasswordHasher()
    assert fresh._hasher.type is Type.ID
    assert (fresh._hasher.time_cost, fresh._hasher.memory_cost, fresh._hasher.parallelism) \
        == (default.time_cost, default.memory_cost, default.parallelism)
    assert fresh._hasher.time_cost >= 2 and fresh._hasher.memory_cost >= 19 * 1024  # OWASP


def test_a_password_hashed_below_the_current_cost_is_rehashed_at_sign_in(
        app: Flask, users: dict[str, int]) -> None:
    from argon2 import PasswordHasher

    weaker = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, salt_len=8)
    with app.extensions["shuangsuiji"].db.session() as s:
        user = accounts.get_user(s, "cq_viewer")
        user.password_hash = weaker.hash(PASSWORD)
        s.commit()
    assert accounts._hasher.check_needs_rehash(weaker.hash(PASSWORD))
    assert login(app.test_client(), "cq_viewer").status_code == 302
    with app.extensions["shuangsuiji"].db.session() as s:
        rehashed = accounts.get_user(s, "cq_viewer").password_hash
    assert not accounts._hasher.check_needs_rehash(rehashed)
    assert accounts._hasher.verify(rehashed, PASSWORD)
