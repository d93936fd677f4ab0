"""gunicorn settings for shuangsuiji: ``gunicorn -c gunicorn.conf.py 'shuangsuiji:create_app()'``.

Every value can be overridden from the environment, so one file serves a laptop, the
benchmark (``bench/http_load.py``) and a production host behind a reverse proxy.

Environment:
    SSJ_BIND          address to listen on (default ``127.0.0.1:8000``: only the local reverse
                      proxy should reach gunicorn; the proxy terminates TLS)
    SSJ_WORKERS       worker processes (default 4, see below)
    SSJ_THREADS       threads per worker (default 1: sync workers)
    SSJ_TIMEOUT       seconds before a silent worker is killed and restarted (default 60)
    SSJ_ACCESS_LOG    access log path, ``-`` for stdout (default), empty to turn it off
    SSJ_ERROR_LOG     error log path, ``-`` for stderr (default)
    SSJ_LOG_LEVEL     gunicorn's log level (default ``info``)
    SSJ_PRELOAD       ``1`` to import the app in the master before forking (default off)
"""

from __future__ import annotations

import os

# Workers. gunicorn's rule of thumb is (2 x cores) + 1 for sync workers: while one worker
# waits on the database or the client socket another can use the core. That rule assumes
# the workers spend about half of their time waiting; our requests are short, CPU-bound
# Python (rendering, JSON) against a local database, so on the 2-core reference machine 4
# workers already keep both cores busy and a 5th only adds context switches and memory.
# The default is therefore 4 (what the benchmark measures); set SSJ_WORKERS=$((2*$(nproc)+1))
# on a host whose database is on another machine, where requests wait on the network.
workers = int(os.environ.get("SSJ_WORKERS", "4"))
threads = int(os.environ.get("SSJ_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"

bind = os.environ.get("SSJ_BIND", "127.0.0.1:8000")

# A draw on a large pool takes a few seconds; 60 s leaves room while still recycling a hung
# worker. Keep-alive helps the reverse proxy reuse connections to gunicorn.
timeout = int(os.environ.get("SSJ_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5

# Access log in the combined format plus the request time in microseconds (%(D)s), which
# is what one needs to find slow endpoints without a profiler.
_access = os.environ.get("SSJ_ACCESS_LOG", "-")
accesslog = _access or None
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)sus'
errorlog = os.environ.get("SSJ_ERROR_LOG", "-")
loglevel = os.environ.get("SSJ_LOG_LEVEL", "info")

# Preload off by default. Preloading would import the app once in the master and share its
# memory copy-on-write, but create_app opens the database (it checks that every tenant's
# packs are installed) and a SQLAlchemy engine's pooled connections must not cross a fork:
# two workers would share one SQLite or PostgreSQL socket. Importing in each worker also
# lets `kill -HUP` reload new code and new packs. The memory saved (tens of MB per worker)
# is small next to that risk. Set SSJ_PRELOAD=1 only to find import errors before forking;
# post_fork below disposes the engine's inherited connections so that is still safe.
preload_app = os.environ.get("SSJ_PRELOAD", "") in ("1", "true", "yes")

# Recycle workers now and then so a slow leak (a pack caching per-tenant data) cannot grow
# without bound; the jitter stops all workers restarting at once.
max_requests = int(os.environ.get("SSJ_MAX_REQUESTS", "0")) or 0
max_requests_jitter = max(max_requests // 10, 0)

proc_name = "shuangsuiji"


def on_starting(server: object) -> None:
    """Say the deployment's start-up warnings once, in the master, not once per worker."""
    import logging

    from shuangsuiji import startup

    startup.say_in_master(getattr(getattr(server, "log", None), "error_log", None)
                          or logging.getLogger("gunicorn.error"))


def post_fork(server: object, worker: object) -> None:
    """Drop database connections inherited from the master when the app was preloaded."""
    if not preload_app:
        return
    app = getattr(getattr(worker, "app", None), "callable", None)
    platform = getattr(app, "extensions", {}).get("shuangsuiji") if app else None
    if platform is not None:
        # close=False: leave the parent's sockets alone, just forget them in this process.
        platform.db.engine.dispose(close=False)
