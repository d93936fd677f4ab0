"""Two app nodes behind one (imagined) balancer: two gunicorn instances, each with its own
instance folder, on one PostgreSQL database and one Redis, plus an `ssj worker`.

A browser session moves between them at every request and everything a user relies on
holds: the session cookie and the CSRF token made by one node are honoured by the other;
a public page's ETag from one node is answered 304 by the other, and both see a change
made anywhere (the response cache keys on the tenant's audit chain); failed logins are
counted across both; a background import queued on one node is run by the worker and
followed to its end on the other.

Runs in the PostgreSQL pass (``SSJ_TEST_DATABASE_URL=postgresql://...``) with Redis on
``SSJ_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/0``).
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_URL
from tests.directories.samples import TARGET_HEADINGS_ZH, csv_bytes, target_rows
from tests.web.conftest import PASSWORD

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(not TEST_URL.startswith("postgresql"),
                       reason="the two-node test runs on PostgreSQL (SSJ_TEST_DATABASE_URL)"),
]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("SSJ_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
#: What the balancer would send: one public name for both nodes (the cache keys on it).
HOST = {"Host": "127.0.0.1"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    import requests

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{base} did not start:\n{log.read_text()[-3000:]}"
        try:
            if requests.get(base + "/login", timeout=30).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.5)
    raise AssertionError(f"{base} not ready in 180 s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def nodes(database_url: str, users: dict[str, int], tmp_path: Path
          ) -> Iterator[tuple[str, str]]:
    """(node A's base URL, node B's), both serving ``database_url`` (the tenant tree and
    the accounts of tests/web/conftest.py made already), and one job worker."""
    redis = pytest.importorskip("redis")
    pytest.importorskip("requests")
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    from shuangsuiji.kernel import note
    from shuangsuiji.services.logkeys import SIG_COSIGNATURE_V1, generate

    unique = secrets.token_hex(4)
    # one log key and one witness key for every node, as one SECRET_KEY (docs/scaling.md)
    keys = {"SSJ_LOG_SIGNING_KEY": generate("shuangsuiji.localhost", note.SIG_ED25519),
            "SSJ_WITNESS_SIGNING_KEY": generate("shuangsuiji.localhost/witness",
                                                SIG_COSIGNATURE_V1)}
    env = dict(os.environ, SSJ_DATABASE_URL=database_url, SECRET_KEY=secrets.token_hex(32),
               **{name: key.private_line() for name, key in keys.items()},
               SSJ_REDIS_URL=REDIS_URL, SSJ_REDIS_PREFIX=f"ssj-test-{unique}:",
               SSJ_JOB_RUNNER="rq", SSJ_JOB_QUEUE=f"ssj-test-{unique}",
               SSJ_JOB_UPLOAD_BYTES="0", SSJ_WORKERS="1", SSJ_ACCESS_LOG="",
               SSJ_AUDIT_GUARD="1")
    procs: list[subprocess.Popen[bytes]] = []
    bases: list[str] = []
    try:
        for name in ("a", "b"):
            port = _free_port()
            log = tmp_path / f"node-{name}.log"
            node_env = dict(env, SSJ_BIND=f"127.0.0.1:{port}",
                            SSJ_INSTANCE_PATH=str(tmp_path / f"instance-{name}"))
            procs.append(subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "shuangsuiji:create_app()"],
                cwd=ROOT, env=node_env, stdout=log.open("wb"), stderr=subprocess.STDOUT))
            bases.append(f"http://127.0.0.1:{port}")
        worker_log = tmp_path / "worker.log"
        procs.append(subprocess.Popen([str(BIN / "ssj"), "worker"], cwd=ROOT, env=env,
                                      stdout=worker_log.open("wb"), stderr=subprocess.STDOUT))
        for base, proc, name in zip(bases, procs, "ab", strict=False):
            _wait_ready(base, proc, tmp_path / f"node-{name}.log")
        yield bases[0], bases[1]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        # neither node may have made a key of its own
        assert not any((tmp_path / f"instance-{n}" / f).exists() for n in "ab"
                       for f in ("secret_key", "log-signing.key", "witness-signing.key"))


def _token(response: Any) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.text)
    assert found, response.text[:500]
    return found.group(1)


def test_two_nodes_share_sessions_csrf_cache_throttle_and_jobs(nodes: tuple[str, str]) -> None:
    import requests

    a, b = nodes
    page = "/p/chongqing/"

    # --- the transparency log's keys: both nodes list the one key they sign with
    listed = [requests.get(n + "/api/v1/public/log/keys", headers=HOST, timeout=30).text
              for n in (a, b)]
    assert listed[0] == listed[1] and len(listed[0].split()) == 1, listed

    # --- the response cache and its ETags: one node's validator is good on the other
    first = requests.get(b + page, headers=HOST, timeout=30)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert requests.get(a + page, headers={**HOST, "If-None-Match": etag},
                        timeout=30).status_code == 304
    assert requests.get(a + page, headers=HOST, timeout=30).headers["ETag"] == etag

    # --- the session and CSRF: the form comes from A, the sign-in goes to B, the pages to A
    browser = requests.Session()
    form = browser.get(a + "/login", headers=HOST, timeout=30)
    signed_in = browser.post(b + "/login", headers=HOST, allow_redirects=False, timeout=30,
                             data={"username": "cq_operator", "password": PASSWORD,
                                   "csrf_token": _token(form)})
    assert signed_in.status_code == 302, signed_in.text[:500]
    directories = browser.get(a + "/t/chongqing/directories", headers=HOST, timeout=30)
    assert directories.status_code == 200 and "cq_operator" in directories.text
    # a POST without the token is refused on either node
    assert browser.post(b + "/t/chongqing/directories/targets/export", headers=HOST,
                        data={"format": "csv"}, allow_redirects=False,
                        timeout=30).status_code == 400

    # --- a background job: queued on A, run by the worker, followed on B
    upload = browser.post(
        a + "/t/chongqing/directories/targets/upload", headers=HOST, allow_redirects=False,
        timeout=60, data={"csrf_token": _token(directories)},
        files={"file": ("targets.csv", csv_bytes(TARGET_HEADINGS_ZH, target_rows(3)),
                        "text/csv")})
    assert upload.status_code == 303, upload.text[:500]
    job_url = upload.headers["Location"]
    job_url = job_url if job_url.startswith("/") else "/" + job_url.split("/", 3)[3]
    deadline = time.monotonic() + 120
    while True:
        status = browser.get(b + job_url + ".json", headers=HOST, timeout=30).json()
        if status["finished"] or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert status["state"] == "succeeded", status
    assert status["result"]["inserted"] == 3
    assert "3" in browser.get(a + job_url, headers=HOST, timeout=30).text

    # --- the change (an audited import) shows on both nodes: the old ETag no longer matches
    after = requests.get(b + page, headers={**HOST, "If-None-Match": etag}, timeout=30)
    assert after.status_code == 200 and after.headers["ETag"] != etag
    assert requests.get(a + page, headers={**HOST, "If-None-Match": after.headers["ETag"]},
                        timeout=30).status_code == 304

    # --- the login throttle counts failures on both nodes together (5 allowed)
    attacker = requests.Session()
    token = _token(attacker.get(a + "/login", headers=HOST, timeout=30))
    for n in range(5):
        node = (a, b)[n % 2]
        wrong = attacker.post(node + "/login", headers=HOST, timeout=30, allow_redirects=False,
                              data={"username": "cq_viewer", "password": "wrong password!",
                                    "csrf_token": token})
        assert wrong.status_code == 200, (n, wrong.status_code)
    blocked = attacker.post(b + "/login", headers=HOST, timeout=30, allow_redirects=False,
                            data={"username": "cq_viewer", "password": PASSWORD,
                                  "csrf_token": token})
    assert blocked.status_code == 429
    assert attacker.post(a + "/login", headers=HOST, timeout=30, allow_redirects=False,
                         data={"username": "cq_viewer", "password": PASSWORD,
                               "csrf_token": token}).status_code == 429
