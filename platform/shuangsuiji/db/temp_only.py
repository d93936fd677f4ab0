"""A transaction that has so far touched only its connection's temporary tables.

SQLite (WAL) takes a snapshot of the database at a transaction's first read of it; if another
connection commits after that, the transaction's first write fails at once
(``SQLITE_BUSY_SNAPSHOT``, "database is locked"). So a background job does not write its
progress beside its own open transaction on SQLite
(:meth:`shuangsuiji.services.jobs.JobContext.may_side_write`).

A transaction that has only written the connection's temporary tables (the targets import's
staging table while the file is read) holds no such snapshot: its first read or write of the
database comes later and sees everything committed before it. :func:`connection` marks such a
transaction, :func:`end` clears the mark before the database itself is used, and
:func:`may_hold_snapshot` is what the job asks. tests/jobs/test_jobs.py shows the progress of
an import written while its rows are read and staged, on SQLite as on the other databases.
"""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy.orm import Session

#: ``session.info`` key: the transaction that has touched only temporary tables so far.
_KEY = "temp_only_transaction"


def connection(session: Session) -> Connection:
    """The session's connection, for work on temporary tables before the database itself.
    If no transaction was open, the one begun here is marked until :func:`end` (a
    transaction already open may have read the database: it is not marked)."""
    fresh = not session.in_transaction()
    conn = session.connection()
    if fresh:
        session.info[_KEY] = session.get_transaction()
    return conn


def end(session: Session) -> None:
    """From here the transaction reads or writes the database itself."""
    session.info.pop(_KEY, None)


def may_hold_snapshot(session: Session) -> bool:
    """Whether the session's open transaction may have read the database (a commit by
    another connection could then make its next write fail on SQLite)."""
    if not session.in_transaction():
        return False
    return session.info.get(_KEY) is not session.get_transaction()
