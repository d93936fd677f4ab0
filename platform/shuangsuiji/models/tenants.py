"""Tenants (辖区): a tree from the central level down to districts, each under a pack."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shuangsuiji.db.base import Base, utcnow

LEVELS = ("central", "province", "city", "district")


class Tenant(Base):
    """One jurisdiction running the platform. ``pack`` None means: the parent's rules."""

    __tablename__ = "tenants"
    __table_args__ = (UniqueConstraint("slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16), default="province")
    pack: Mapped[str | None] = mapped_column(String(64))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Tenant | None] = relationship(remote_side=[id])

    def ancestry(self) -> list[Tenant]:
        """This tenant's ancestors from the root down, then itself."""
        chain: list[Tenant] = []
        node: Tenant | None = self
        while node is not None:
            if node in chain:
                raise ValueError(f"tenant {self.slug}: parent cycle")
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def pack_chain(self) -> list[str]:
        """The packs of the ancestors and of this tenant, most general first."""
        return [t.pack for t in self.ancestry() if t.pack]
