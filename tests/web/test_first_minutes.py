"""The first minutes (issue #16 item 8): the demo's sign-in page lists the demo accounts
(only when SSJ_DEMO is set), and start-up warnings are said once, not once per worker."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask import Flask

from shuangsuiji import config as configuration
from shuangsuiji import startup
from shuangsuiji.demo.load import DEMO_PASSWORD
from shuangsuiji.platform import Platform
from shuangsuiji.services import accounts
from shuangsuiji.web import throttle

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo_users(platform: Platform, tenant_tree: dict[str, int]) -> None:
    """Two of the demo's accounts (the demo's user names), not the whole demo."""
    with platform.db.session() as s:
        accounts.create_user(s, username="admin", password=DEMO_PASSWORD, role="central_admin")
        accounts.create_user(s, username="chongqing-operator", password=DEMO_PASSWORD,
                             role="operator", tenant="chongqing")
        s.commit()


def _sign_in_page(app: Flask) -> str:
    response = app.test_client().get("/login", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_demo_sign_in_page_lists_the_demo_accounts(app: Flask, demo_users: None) -> None:
    app.config["SSJ_DEMO"] = True
    page = _sign_in_page(app)
    assert "演示账号" in page
    assert "chongqing-operator" in page and "职能部门操作员" in page  # the role in Chinese
    assert "部级管理员" in page and "重庆市经济和信息化委员会" in page
    assert DEMO_PASSWORD in page
    assert "miit-viewer" not in page  # an account that does not exist is not listed


def test_without_the_demo_flag_the_sign_in_page_lists_nothing(app: Flask,
                                                             demo_users: None) -> None:
    assert app.config["SSJ_DEMO"] is False  # the default: production
    page = _sign_in_page(app)
    assert "chongqing-operator" not in page
    assert DEMO_PASSWORD not in page and "演示账号" not in page


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("true", True), ("0", False),
                                                 ("no", False)])
def test_the_demo_flag_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path, value: str,
                                                  expected: bool) -> None:
    monkeypatch.setenv("SSJ_DEMO", value)
    found = configuration.load(str(tmp_path), {"SECRET_KEY": "x" * 32})
    assert found["SSJ_DEMO"] is expected


def test_the_demo_script_sets_the_flag() -> None:
    assert "export SSJ_DEMO=1" in (ROOT / "scripts" / "demo").read_text(encoding="utf-8")


def test_a_warning_said_by_the_master_is_not_said_again(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.delenv(startup.SAID, raising=False)
    monkeypatch.delenv("SSJ_REDIS_URL", raising=False)
    master = logging.getLogger("test.gunicorn.master")
    with caplog.at_level(logging.WARNING):
        assert startup.say_in_master(master)  # said once, in the master
        assert os.environ[startup.SAID] == "1"
        throttle.from_config({"SSJ_REDIS_URL": None})  # then a worker builds its app
    assert caplog.text.count("SSJ_REDIS_URL is not set") == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_gunicorn_says_a_start_up_warning_once_for_all_workers(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("SSJ_REDIS_URL", startup.SAID, "SSJ_CLI")}
    env.update(SSJ_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite'}", SSJ_WORKERS="3",
               SSJ_INSTANCE_PATH=str(tmp_path / "instance"), SECRET_KEY="k" * 32,
               SSJ_ACCESS_LOG="")
    subprocess.run([sys.executable, "-m", "shuangsuiji.cli", "db", "upgrade"], env=env,
                   check=True, capture_output=True, cwd=ROOT, timeout=120)
    port = _free_port()
    log_file = tmp_path / "gunicorn.log"
    with log_file.open("w") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
             "--bind", f"127.0.0.1:{port}", "shuangsuiji:create_app()"],
            env=env, cwd=ROOT, stdout=sink, stderr=sink, text=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # every worker booted and one answers
            if log_file.read_text().count("Booting worker") == 3 and _answers(port):
                break
            time.sleep(0.5)
        time.sleep(5)  # the other workers finish building their apps
    finally:
        server.terminate()
        server.wait(timeout=30)
    log_text = log_file.read_text()
    assert log_text.count("Booting worker") == 3, log_text
    assert log_text.count("SSJ_REDIS_URL is not set") == 1, log_text


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"GET /login HTTP/1.0\r\n\r\n")
            return bool(conn.recv(10))
    except OSError:
        return False
