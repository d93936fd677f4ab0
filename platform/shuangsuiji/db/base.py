"""Declarative base with a constraint naming convention, and the tenant-owned mixin."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import ForeignKey, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from shuangsuiji.db.types import Instant

# Alembic needs stable constraint names to drop or alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current instant in UTC.

    Instants are stored in UTC; dates are decided in Asia/Shanghai.
    """
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Instants round-trip to the microsecond on every database (db/types.py).
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: Instant()}


class TenantOwned:
    """Mixin for every row that belongs to one tenant.

    Queries on these classes are filtered to the session's current tenant automatically
    (see :mod:`shuangsuiji.db.tenancy`); new rows get the current tenant's id.
    """

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("tenants.id"), index=True, nullable=False)
