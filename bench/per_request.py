"""One request at a time, in process: what each endpoint of the HTTP benchmark costs in Python.

    .venv/bin/python bench/per_request.py [--targets 5000] [--batches 6] [--requests 400]

It builds the database of ``bench/http_load.py`` (with its own function, into its own file
``bench/data/per-request.sqlite``), makes the platform's app and the bare "hello" app in this
process, and calls each one's WSGI callable in a loop: the public portal's task list, the API
targets list (viewer token), the staff task list (same token) and hello. Each endpoint is
called once first (the portal page and the API list are then served from the response
cache, as under load), then timed in ``--batches`` batches of ``--requests`` calls; the
fastest batch is kept (on a shared machine the others measure the neighbours too).

Printed per endpoint: milliseconds per request, the SQL statements one request sent on
SQLite (every statement the driver ran, counted by its trace callback: those sent on a raw
driver connection and ``BEGIN`` too; not the pool's ``SELECT 1`` on checkout) and the ORM
sessions it made.

No server is started and no socket is opened.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import http_load
from sqlalchemy import event
from werkzeug.test import EnvironBuilder

ROOT = Path(__file__).resolve().parent.parent
#: The pool's liveness check on checkout (``pool_pre_ping``), not counted.
PING = "SELECT 1"
Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _Counter:
    """Statements run by the SQLite driver, and ORM sessions made."""

    def __init__(self) -> None:
        self.statements = 0
        self.sessions = 0

    def trace(self, sql: str) -> None:
        if sql != PING:
            self.statements += 1


def _call(app: Wsgi, environ: dict[str, Any]) -> str:
    status: list[str] = []
    env = dict(environ)
    env["wsgi.input"] = io.BytesIO()
    body = app(env, lambda s, _h, _e=None: status.append(s))
    try:
        for _chunk in body:
            pass
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return status[0]


def measure(app: Wsgi, environ: dict[str, Any], batches: int, requests: int) -> float:
    """Milliseconds per request: the fastest of ``batches`` batches."""
    best = float("inf")
    for _ in range(batches):
        started = time.perf_counter()
        for _ in range(requests):
            _call(app, environ)
        best = min(best, (time.perf_counter() - started) / requests)
    return best * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", type=int, default=5000)
    parser.add_argument("--batches", type=int, default=6)
    parser.add_argument("--requests", type=int, default=400, help="calls per batch")
    args = parser.parse_args()

    data = ROOT / "bench" / "data"
    data.mkdir(parents=True, exist_ok=True)
    db_path = data / "per-request.sqlite"
    token = http_load.build_database(db_path, args.targets)

    sys.path.insert(0, str(ROOT / "bench" / "hello"))
    from hello_app import app as hello

    from shuangsuiji import create_app

    app = create_app({"SSJ_DATABASE_URL": f"sqlite:///{db_path}", "SECRET_KEY": "bench"})
    platform = app.extensions["shuangsuiji"]
    counter = _Counter()
    engine = platform.db.engine
    engine.dispose()  # every connection from here on is traced
    event.listen(engine, "connect",
                 lambda dbapi_conn, _rec: dbapi_conn.set_trace_callback(counter.trace))
    made = platform.db.sessionmaker

    def counting_sessionmaker(*a: Any, **kw: Any) -> Any:
        counter.sessions += 1
        return made(*a, **kw)

    platform.db.sessionmaker = counting_sessionmaker

    auth = {"Authorization": f"Bearer {token}"}
    endpoints: list[tuple[str, Wsgi, str, dict[str, str]]] = [
        ("portal task list", app, "/p/chongqing/tasks", {}),
        ("API targets list", app, "/api/v1/t/chongqing/targets?page_size=50", auth),
        ("staff task list", app, "/t/chongqing/tasks", auth),
        ("bare Flask hello", hello, "/", {}),
    ]
    print(f"\nin process, fastest of {args.batches} batches of {args.requests} calls\n")
    print(f"{'endpoint':<20} {'ms/request':>10} {'statements':>10} {'ORM sessions':>12}")
    for name, wsgi, url, headers in endpoints:
        path, _, query = url.partition("?")
        environ = EnvironBuilder(path=path, query_string=query, headers=headers,
                                 base_url="http://127.0.0.1:8000").get_environ()
        first = _call(wsgi, environ)
        if not first.startswith("200"):
            raise SystemExit(f"{url} answered {first}, not 200")
        counter.statements = counter.sessions = 0
        _call(wsgi, environ)
        statements, sessions = counter.statements, counter.sessions
        ms = measure(wsgi, environ, args.batches, args.requests)
        shown = (f"{statements:>10} {sessions:>12}" if wsgi is app else f"{'':>10} {'':>12}")
        print(f"{name:<20} {ms:>10.3f} {shown}")
    platform.db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
