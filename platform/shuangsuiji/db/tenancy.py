"""Tenant scoping in one place.

The current tenant lives in ``session.info["tenant_id"]``, set once per request or CLI
command with :func:`set_tenant`. Every ORM statement that touches a :class:`TenantOwned`
class is filtered by it through ``with_loader_criteria`` (SELECT, and ORM-enabled UPDATE and
DELETE); a statement on tenant-owned rows with no tenant set raises :class:`TenantNotSet`
instead of leaking rows. Crossing tenants is explicit: :func:`cross_tenant` lifts the filter
for one block, and callers log it in the audit chain.

Not covered (by design of SQLAlchemy's ORM events): Core ``connection.execute`` and raw
``text()`` SQL. Code that uses them (bulk import, benchmarks) filters by tenant itself and
is tested for leaks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import cast

from sqlalchemy import Table, event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.sql import ClauseElement, visitors

from shuangsuiji.db.base import Base, TenantOwned

TENANT_KEY = "tenant_id"
CROSS_KEY = "cross_tenant"


class TenantNotSet(RuntimeError):
    """A tenant-owned table was queried with no current tenant."""


def set_tenant(session: Session, tenant_id: int | None) -> None:
    """Make ``tenant_id`` the current tenant of ``session``."""
    session.info[TENANT_KEY] = tenant_id


def current_tenant(session: Session) -> int | None:
    return session.info.get(TENANT_KEY)


def require_tenant(session: Session) -> int:
    tid = current_tenant(session)
    if tid is None:
        raise TenantNotSet("no current tenant is set for this session")
    return tid


@contextmanager
def cross_tenant(session: Session) -> Iterator[None]:
    """Lift tenant filtering inside the block (central-admin reads; log the act)."""
    before = session.info.get(CROSS_KEY, False)
    session.info[CROSS_KEY] = True
    try:
        yield
    finally:
        session.info[CROSS_KEY] = before


def _touches_tenant_rows(state: ORMExecuteState) -> bool:
    """True when a tenant-owned table appears anywhere in the statement, subqueries included
    (``all_mappers`` alone misses an entity wrapped in a subquery)."""
    if any(issubclass(m.class_, TenantOwned) for m in state.all_mappers):
        return True
    owned = _tenant_tables(len(Base.registry.mappers))
    statement = cast(ClauseElement, state.statement)
    return any(isinstance(el, Table) and el in owned for el in visitors.iterate(statement))


@lru_cache(maxsize=4)
def _tenant_tables(_mapper_count: int) -> frozenset[Table]:
    """Tenant-owned tables; keyed on the mapper count so models imported later are seen."""
    return frozenset(
        m.local_table  # type: ignore[misc]
        for m in Base.registry.mappers
        if issubclass(m.class_, TenantOwned) and isinstance(m.local_table, Table)
    )


@event.listens_for(Session, "do_orm_execute")
def _scope_to_tenant(state: ORMExecuteState) -> None:
    session = state.session
    if session.info.get(CROSS_KEY):
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_column_load or state.is_relationship_load:
        # lazy loads start from rows already filtered; criteria propagate from the parent
        return
    if not _touches_tenant_rows(state):
        return
    tid = current_tenant(session)
    if tid is None:
        raise TenantNotSet(
            "query on tenant-owned rows with no current tenant: call set_tenant() first, "
            "or cross_tenant() for an explicit central-admin read"
        )
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantOwned,
            lambda cls: cls.tenant_id == tid,
            include_aliases=True,
            track_closure_variables=False,
        )
    )


@event.listens_for(Session, "before_flush")
def _stamp_tenant(session: Session, flush_context: object, instances: object) -> None:
    tid = current_tenant(session)
    for obj in session.new:
        if isinstance(obj, TenantOwned):
            if getattr(obj, "tenant_id", None) is None:
                if tid is None:
                    raise TenantNotSet(f"new {type(obj).__name__} with no current tenant")
                obj.tenant_id = tid
            elif tid is not None and obj.tenant_id != tid and not session.info.get(CROSS_KEY):
                raise TenantNotSet(
                    f"new {type(obj).__name__} for tenant {obj.tenant_id} while the current "
                    f"tenant is {tid}"
                )
