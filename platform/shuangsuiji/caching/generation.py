"""A tenant's generation: the head of its audit chain, read with the tenant row itself.

Every change to a tenant's data appends an audit event to the tenant's chain in the same
transaction (architecture brief, boundary 7; checked in the tests by
:mod:`shuangsuiji.db.audit_guard`). So the chain's head — the hash of its latest event —
changes whenever the tenant's data may have changed, and every worker reads it from the
database: a key that carries it can never name a page rendered before a committed change.

The head is a hash, not the sequence number, so that a database rebuilt with as many events
(a restored backup, the benchmark's fresh file) cannot reuse an old key.

:func:`tenant_and_head` reads the tenant and its head in one statement. The head is a
correlated subquery that the unique index on ``(tenant_id, seq)`` answers with one probe from
its end. The statement is compiled once per database dialect and sent on a pooled DBAPI
connection of its own, without an ORM session or a SQLAlchemy transaction
(:mod:`shuangsuiji.db.prepared`: a response served from the cache needs nothing else from
the database; a fifth of the time of such a response went into setting those up).

Being read before, and apart from, the view's own queries is safe: they run later, so they
see the data of this generation or of a newer one. A page can be newer than its key, never
older; a newer page under an older key is only ever served to requests that read the older
generation, i.e. that started before the change was committed.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import Engine, Select, bindparam, select
from sqlalchemy.orm import Session, make_transient_to_detached

from shuangsuiji.db.prepared import PreparedSelect
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.models.tenants import Tenant

#: Before a tenant's first event (a tenant is created with one, so only in tests that
#: insert rows by hand).
EMPTY_CHAIN = "genesis"

_TENANTS = Tenant.__table__


class TenantRow(NamedTuple):
    """The columns of ``tenants``, typed as the ORM would load them."""

    id: int
    slug: str
    name: str
    name_en: str | None
    level: str
    pack: str | None
    parent_id: int | None
    created_at: Any


assert TenantRow._fields == tuple(c.key for c in _TENANTS.columns), "tenants columns changed"


def _statement() -> Select[Any]:
    events = AuditEvent.__table__
    head = (select(events.c.hash)
            .where(events.c.tenant_id == _TENANTS.c.id)
            .order_by(events.c.seq.desc())
            .limit(1)
            .correlate(_TENANTS)
            .scalar_subquery())
    return select(*_TENANTS.columns, head.label("head")).where(
        _TENANTS.c.slug == bindparam("slug"))


TENANT_AND_HEAD = PreparedSelect(_statement())


def tenant_and_head(engine: Engine, slug: str) -> tuple[TenantRow, str] | None:
    """The tenant row with this slug and its generation, or None if there is no such tenant.

    The row becomes an ORM :class:`Tenant` only when something asks for one
    (:func:`attach`).
    """
    found = TENANT_AND_HEAD.one_or_none(engine, slug=slug)
    if found is None:
        return None
    return TenantRow(*found[:-1]), found[-1] or EMPTY_CHAIN


def attach(session: Session, row: TenantRow) -> Tenant:
    """The ORM :class:`Tenant` of ``row``, persistent in ``session``, without a query."""
    key = session.identity_key(Tenant, (row.id,))
    found = session.identity_map.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    tenant = Tenant(**row._asdict())
    make_transient_to_detached(tenant)
    session.add(tenant)
    return tenant
