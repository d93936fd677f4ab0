"""`ssj users`: the first admin, roles, tokens printed once; errors as messages."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from shuangsuiji.models.accounts import ApiToken, User
from shuangsuiji.services import accounts
from tests.web.conftest import PASSWORD


def test_create_first_admin_and_token(app: Flask, tenant_tree: dict[str, int]) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "admin", "--role", "central_admin",
                                 "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "created user admin" in result.output

    result = runner.invoke(args=["users", "token", "admin", "--name", "ci"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[0]
    assert token.startswith("ssj_")
    platform = app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        user = s.scalar(select(User).where(User.username == "admin"))
        assert user is not None and user.password_hash.startswith("$argon2id$")
        row = s.scalar(select(ApiToken))
        assert row is not None and token not in row.token_hash
        caller = accounts.caller_from_token(platform.db.engine, token)
        assert caller is not None and caller.id == user.id
    assert app.test_client().get(
        "/t/chongqing/", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_bad_input_is_a_message_not_a_traceback(app: Flask, tenant_tree: Any) -> None:
    runner = app.test_cli_runner()
    short = runner.invoke(args=["users", "create", "op", "--role", "operator", "--tenant",
                                "chongqing", "--password-stdin"], input="short\n")
    assert short.exit_code != 0
    assert "at least 10" in short.output and "Traceback" not in short.output
    no_tenant = runner.invoke(args=["users", "create", "op", "--role", "operator",
                                    "--password-stdin"], input=PASSWORD + "\n")
    assert no_tenant.exit_code != 0 and "needs a tenant" in no_tenant.output
    unknown = runner.invoke(args=["users", "create", "op", "--role", "operator", "--tenant",
                                  "atlantis", "--password-stdin"], input=PASSWORD + "\n")
    assert unknown.exit_code != 0 and "atlantis" in unknown.output


def test_grant_and_list(app: Flask, tenant_tree: Any) -> None:
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "create", "li", "--role", "viewer", "--tenant", "chongqing",
                        "--password-stdin"], input=PASSWORD + "\n")
    result = runner.invoke(args=["users", "grant", "li", "--role", "operator", "--tenant",
                                 "yuzhong", "--department", "综合执法处"])
    assert result.exit_code == 0, result.output
    listing = runner.invoke(args=["users", "list"]).output
    assert "viewer@chongqing" in listing and "operator@yuzhong/综合执法处" in listing


def test_disable_and_enable(app: Flask, tenant_tree: Any) -> None:
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "create", "wang", "--role", "viewer", "--tenant", "chongqing",
                        "--password-stdin"], input=PASSWORD + "\n")
    assert runner.invoke(args=["users", "disable", "wang"]).exit_code == 0
    assert "wang" in runner.invoke(args=["users", "list"]).output.split("(disabled)")[0]
    again = runner.invoke(args=["users", "disable", "wang"])
    assert again.exit_code != 0 and "already disabled" in again.output
    assert app.test_client().post("/login", data={"username": "wang", "password": PASSWORD}
                                  ).status_code != 302
    assert runner.invoke(args=["users", "enable", "wang"]).exit_code == 0
    assert app.test_client().post("/login", data={"username": "wang", "password": PASSWORD}
                                  ).status_code == 302
