"""The audit guard: a transaction that changes a tenant's data must append to that tenant's
audit chain before it commits.

This is the invariant the response cache rests on (:mod:`shuangsuiji.caching`): a page is
keyed by the head of its tenant's audit chain, so a change committed without an audit event
in the same transaction would leave a stale page in every worker's cache. The guard makes
the invariant checked rather than hoped for. It is off by default and turned on with
``SSJ_AUDIT_GUARD=1`` (configuration or environment); the test suite turns it on for every
test, so every write path the tests exercise — web, API, CLI, services — is checked.

How: engine events see every statement SQLAlchemy sends (ORM flushes, Core statements,
``text()`` and ``exec_driver_sql``). For each connection the guard notes, until the
transaction ends, the tables written (``INSERT``/``UPDATE``/``DELETE``/``REPLACE``) with the
tenant ids of the rows where the statement's parameters carry them, and the tenants whose
chain got an event (inserts into ``audit_events``). Savepoints are followed: a rolled-back
savepoint forgets what it wrote and what it audited. At ``COMMIT`` every write needs an
event of its tenant:

* a row whose ``tenant_id`` is known from the parameters: an event of that tenant;
* an ``UPDATE``/``DELETE`` of a tenant-owned table (the tenant is in its ``WHERE``): an event
  of the session's current tenant (:func:`shuangsuiji.db.set_tenant`), or any event when the
  session has none (an explicit cross-tenant act);
* a write to a table that is not tenant-owned (tenants, users, grants, tokens): any event,
  since these are audited in the chains they concern (a central admin's in every root).

Otherwise the commit raises :class:`UnauditedWrite` and nothing is committed.

What may change without an event (:data:`UNAUDITED`), and why the cache does not care:

* ``api_tokens`` — only ``UPDATE ... SET last_used_at``: usage bookkeeping, written in its own
  short transaction at most every five minutes; no cached response shows it, and a token's
  validity (``revoked_at``, audited) is checked on every request, before the cache.
* ``users`` — only ``UPDATE ... SET last_login_at`` and ``password_hash`` alone: a sign-in's
  timestamp and the transparent rehash of the same password when the hashing parameters were
  raised; no cached response shows either, and authentication runs on every request.
  Changing a password (which also rotates ``session_nonce``) is audited.
* ``alembic_version`` — the schema's version, written by migrations.
* ``log_checkpoints`` — signed statements *about* the log, issued when someone asks for the
  latest one; a checkpoint is determined by the tree it signs (Ed25519 is deterministic), so a
  page keyed by the chain head shows the right one. Logging the issue would grow the tree it
  signs.
* ``log_witnessed`` — the witness's record of other logs it checked; shown only on the
  central admin's (uncached) page.
* ``jobs``, ``job_files`` — background jobs' bookkeeping (state, progress, heartbeat, the
  uploaded file waiting to be imported): no cached response shows them (the job page is not
  cached) and what a job changes in the tenant's data (an import) appends its own events in
  the job's transaction, which the guard checks like any other.

Login throttling keeps its counters in Redis or in the process, not in the database.

Not seen: statements sent on the raw DBAPI connection, bypassing SQLAlchemy (the draw service
writes its selections that way, inside the draw's transaction, which appends the draw's
audit events).
"""

from __future__ import annotations

import os
import re
import weakref
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session, sessionmaker

from shuangsuiji.db.base import Base, TenantOwned
from shuangsuiji.db.tenancy import current_tenant

AUDIT_TABLE = "audit_events"

#: Tables that may change without an audit event: table → the columns an ``UPDATE`` may set
#: (None: any write). See the module docstring for why each is safe.
UNAUDITED: dict[str, frozenset[str] | None] = {
    "api_tokens": frozenset({"last_used_at"}),
    "users": frozenset({"last_login_at", "password_hash"}),
    "alembic_version": None,
    "log_checkpoints": None,
    "log_witnessed": None,
    "jobs": None,
    "job_files": None,
}

#: ``session.info`` key: a test fixture writing rows by hand says so, with its reason.
ALLOW_KEY = "ssj_unaudited"
_STATE_KEY = "ssj_audit_guard"
_SESSION_KEY = "ssj_audit_guard_session"

_DML = re.compile(
    r"""\s*(?:/\*.*?\*/\s*)?
        (INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\s+
        [`"\[]?(\w+)""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)
_SET_COLUMNS = re.compile(r"\bSET\s+(.*?)(?:\s+WHERE\b|$)", re.IGNORECASE | re.DOTALL)
_ASSIGNED = re.compile(r"[`\"\[]?(\w+)[`\"\]]?\s*=")


class UnauditedWrite(RuntimeError):
    """A transaction changed a tenant's data without appending to its audit chain."""


@dataclass(frozen=True)
class Write:
    table: str
    verb: str  # INSERT, UPDATE, DELETE
    tenant_id: int | None  # None: not known from the statement's parameters
    columns: frozenset[str] = frozenset()  # an UPDATE's SET columns


@dataclass
class _Transaction:
    writes: list[Write] = field(default_factory=list)
    audited: list[int | None] = field(default_factory=list)
    savepoints: list[tuple[str | None, int, int]] = field(default_factory=list)


def enabled(config: Mapping[str, Any]) -> bool:
    value = config.get("SSJ_AUDIT_GUARD", os.environ.get("SSJ_AUDIT_GUARD", ""))
    return str(value).lower() in ("1", "true", "yes")


def install(engine: Engine, sessions: sessionmaker[Session]) -> None:
    """Watch ``engine`` (and note which session each transaction belongs to)."""
    event.listen(engine, "before_cursor_execute", _before_execute)
    event.listen(engine, "begin", _reset)
    event.listen(engine, "rollback", _reset)
    event.listen(engine, "savepoint", _savepoint)
    event.listen(engine, "rollback_savepoint", _rollback_savepoint)
    event.listen(engine, "release_savepoint", _release_savepoint)
    event.listen(engine, "commit", _check_commit)
    event.listen(sessions, "after_begin", _remember_session)


@contextmanager
def unaudited(session: Session, reason: str) -> Iterator[None]:
    """Let ``session`` commit writes without audit events inside the block: for tests that
    build rows by hand (never for platform code, which audits)."""
    before = session.info.get(ALLOW_KEY)
    session.info[ALLOW_KEY] = reason
    try:
        yield
    finally:
        session.info[ALLOW_KEY] = before


# --- classifying statements -------------------------------------------------------------


def classify(statement: str) -> tuple[str, str, frozenset[str]] | None:
    """(verb, table, SET columns) of a data-changing statement, or None."""
    match = _DML.match(statement)
    if match is None:
        return None
    head = match.group(1).upper()
    verb = "UPDATE" if head == "UPDATE" else "DELETE" if head.startswith("DELETE") else "INSERT"
    columns: frozenset[str] = frozenset()
    if verb == "UPDATE":
        found = _SET_COLUMNS.search(statement, match.end())
        if found:
            columns = frozenset(c.lower() for c in _ASSIGNED.findall(found.group(1)))
    return verb, match.group(2).lower(), columns


def _tenant_ids(context: Any, statement: str) -> list[int | None]:
    """The ``tenant_id`` of each row an INSERT writes, from its compiled parameters; [None]
    when they do not say (an UPDATE's tenant is in its WHERE, a driver-level statement has
    positional parameters only)."""
    params = getattr(context, "compiled_parameters", None)
    if not params or getattr(context, "compiled", None) is None:
        return [None]
    ids: list[int | None] = []
    for row in params:
        value = row.get("tenant_id") if isinstance(row, Mapping) else None
        ids.append(value if isinstance(value, int) else None)
    return ids or [None]


def _exempt(write: Write) -> bool:
    if write.table not in UNAUDITED:
        return False
    columns = UNAUDITED[write.table]
    if columns is None:
        return True
    return write.verb == "UPDATE" and bool(write.columns) and write.columns <= columns


# --- events ------------------------------------------------------------------------------


def _state(conn: Connection) -> _Transaction:
    found = conn.info.get(_STATE_KEY)
    if found is None:
        found = conn.info[_STATE_KEY] = _Transaction()
    return found  # type: ignore[no-any-return]


def _before_execute(conn: Connection, _cursor: Any, statement: str, _parameters: Any,
                    context: Any, _executemany: bool) -> None:
    found = classify(statement)
    if found is None:
        return
    verb, table, columns = found
    state = _state(conn)
    if table == AUDIT_TABLE:
        if verb == "INSERT":
            state.audited.extend(_tenant_ids(context, statement))
        else:  # the chain is append-only: changing an event is never bookkeeping
            state.writes.append(Write(table, verb, None, columns))
        return
    ids = _tenant_ids(context, statement) if verb == "INSERT" else [None]
    for tid in dict.fromkeys(ids):
        state.writes.append(Write(table, verb, tid, columns))


def _reset(conn: Connection) -> None:
    conn.info.pop(_STATE_KEY, None)
    conn.info.pop(_SESSION_KEY, None)


def _savepoint(conn: Connection, name: str | None) -> None:
    # SQLAlchemy passes None for the names it makes up itself (sa_savepoint_N)
    state = _state(conn)
    state.savepoints.append((name, len(state.writes), len(state.audited)))


def _pop_savepoint(state: _Transaction, name: str) -> tuple[str | None, int, int] | None:
    """The savepoint ``name`` and those opened inside it, off the stack; an unnamed one (a
    name SQLAlchemy made up) is the innermost, since savepoints end innermost first."""
    names = [s[0] for s in state.savepoints]
    at = names.index(name) if name in names else len(names) - 1
    if at < 0:
        return None
    found = state.savepoints[at]
    del state.savepoints[at:]
    return found


def _rollback_savepoint(conn: Connection, name: str, _context: Any) -> None:
    state = _state(conn)
    found = _pop_savepoint(state, name)
    if found is not None:
        _, writes, audited = found
        del state.writes[writes:]
        del state.audited[audited:]


def _release_savepoint(conn: Connection, name: str, _context: Any) -> None:
    _pop_savepoint(_state(conn), name)


def _remember_session(session: Session, _transaction: Any, connection: Connection) -> None:
    connection.info[_SESSION_KEY] = weakref.ref(session)


def _check_commit(conn: Connection) -> None:
    state: _Transaction | None = conn.info.get(_STATE_KEY)
    ref = conn.info.get(_SESSION_KEY)
    session: Session | None = ref() if ref is not None else None
    _reset(conn)
    if state is None or not state.writes:
        return
    if session is not None and session.info.get(ALLOW_KEY):
        return
    missing = unaudited_writes(state.writes, state.audited,
                               current_tenant(session) if session is not None else None)
    if missing:
        # SQLAlchemy keeps a failed commit's transaction for the caller to roll back, but no
        # longer sends the driver a ROLLBACK for it: end it here, so nothing stays half-open.
        conn.engine.dialect.do_rollback(conn.connection)
        raise UnauditedWrite(
            "a transaction changed data without an audit event of its tenant: "
            + "; ".join(sorted({_describe(w) for w in missing}))
            + " — append one with services.audit.record() in the same transaction "
            "(shuangsuiji.db.audit_guard)"
        )


def unaudited_writes(writes: Iterable[Write], audited: Iterable[int | None],
                     session_tenant: int | None) -> list[Write]:
    """The writes of a transaction that no audit event of theirs covers."""
    chains = set(audited)
    owned = tenant_tables()
    missing = []
    for write in writes:
        if _exempt(write):
            continue
        if write.tenant_id is not None:
            covered = write.tenant_id in chains
        elif write.table in owned and session_tenant is not None:
            covered = session_tenant in chains
        else:
            covered = bool(chains)
        if not covered:
            missing.append(write)
    return missing


def tenant_tables() -> frozenset[str]:
    return frozenset(m.local_table.name for m in Base.registry.mappers  # type: ignore[attr-defined]
                     if issubclass(m.class_, TenantOwned))


def _describe(write: Write) -> str:
    where = f" of tenant {write.tenant_id}" if write.tenant_id is not None else ""
    cols = f" SET {', '.join(sorted(write.columns))}" if write.columns else ""
    return f"{write.verb} {write.table}{cols}{where}"
