"""The organisation tree of a tenant (组织机构): units, versioned like the item list.

A :class:`OrgUnit` is a 司局, 处室, 综合执法处 or 下级主管部门 (kernel/orgtree.py's kinds),
found by its code; ``parent_code`` names its parent (None: a root). Tasks, inspectors and
accounts refer to units by code in their ``department`` / ``division`` columns (a code the
tree does not hold is old free text, shown as it is). Every change of the tree (an import,
an edit in the browser) makes a new :class:`OrgTreeVersion` holding a snapshot of the whole
tree; a draw carries the tree it used in its bundle.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shuangsuiji.db.base import Base, TenantOwned, utcnow


class OrgUnit(TenantOwned, Base):
    """One unit of the tenant's tree, as it stands now."""

    __tablename__ = "org_units"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # kernel.orgtree.UNIT_KINDS
    parent_code: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrgTreeVersion(TenantOwned, Base):
    """A version of the whole tree: ``snapshot`` the units (dicts, by code) after the change,
    ``digest`` the SHA-256 of its canonical JSON; ``subunits`` whether an operator of a unit
    acts for its sub-units (changing it makes a new version too)."""

    __tablename__ = "org_tree_versions"
    __table_args__ = (UniqueConstraint("tenant_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    digest: Mapped[str] = mapped_column(String(64))
    # the tenant says so: an operator of a unit acts for the units below it too
    subunits: Mapped[bool] = mapped_column(Boolean, default=False)
