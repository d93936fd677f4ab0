"""Engines and sessions for SQLite (default), PostgreSQL and MariaDB/MySQL.

SQLite: every connection gets WAL (readers never wait for a writer) and a busy timeout
(a writer waits for another writer instead of failing), and SQLAlchemy emits BEGIN itself so
a writer can take the lock up front (``sqlite_begin="IMMEDIATE"``) rather than upgrade a read
transaction, which fails at once ("database is locked") when another connection wrote in
between. Bookkeeping that must never hold up or fail a request (a sign-in's timestamp, a
token's last use) goes through :func:`bookkeeping_write`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, Executable, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from shuangsuiji.db.tenancy import set_tenant

#: ``session.info`` key of who is acting (read by :func:`shuangsuiji.services.audit.record`).
ACTOR_KEY = "actor"


def set_actor(session: Session, actor: str) -> None:
    """Who is acting in this session (a user name, ``cli:<os user>`` or ``system``)."""
    session.info[ACTOR_KEY] = actor


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, emit BEGIN, so a draw can take BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


#: The busy timeout of every SQLite connection: how long a writer waits for another.
SQLITE_BUSY_TIMEOUT_MS = 15000
#: How long bookkeeping waits for the write lock before it is skipped.
BOOKKEEPING_WAIT_MS = 200


def bookkeeping_write(engine: Engine, statement: Executable) -> bool:
    """Run one small write in a transaction of its own, committed at once, waiting at most
    :data:`BOOKKEEPING_WAIT_MS` for the lock (on SQLite: BEGIN IMMEDIATE, so it never
    upgrades a stale read). False, and nothing written, when the database is busy (a draw
    holds the lock): the caller's request goes on."""
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as conn:
            # on the driver's connection: a statement through SQLAlchemy would begin a
            # transaction (a deferred one) before ours
            raw = conn.connection.driver_connection if sqlite else None
            if raw is not None:
                raw.execute(f"PRAGMA busy_timeout={BOOKKEEPING_WAIT_MS}")
            try:
                with conn.execution_options(sqlite_begin="IMMEDIATE").begin():
                    conn.execute(statement)
            finally:
                if raw is not None:
                    raw.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    except OperationalError:
        return False
    return True


_BUSY_MARKS = ("database is locked", "database table is locked", "database is busy",
               "lock wait timeout exceeded", "deadlock found", "deadlock detected",
               "could not obtain lock", "lock timeout")


def is_busy(exc: BaseException) -> bool:
    """Whether a database error means "another writer holds the lock; try again"."""
    return isinstance(exc, OperationalError) and any(
        mark in str(exc.orig).lower() for mark in _BUSY_MARKS)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL and explicit BEGIN."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith(("mysql://", "mariadb://")):
        url = "mysql+pymysql://" + url.split("://", 1)[1]
    if url.startswith("mysql+pymysql://") and "charset=" not in url:
        url += ("&" if "?" in url else "?") + "charset=utf8mb4"
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    if engine.dialect.name == "sqlite":
        _sqlite_pragmas(engine)
    return engine


class Database:
    """One engine and its session factory."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self, tenant_id: int | None = None) -> Iterator[Session]:
        """A session scoped to ``tenant_id``; rolled back if the block raises."""
        with self.sessionmaker() as session:
            set_tenant(session, tenant_id)
            try:
                yield session
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
