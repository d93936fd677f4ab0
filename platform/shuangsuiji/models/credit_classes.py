"""Credit-risk classes (信用风险分类) of targets, each in force over a span of days.

A tenant imports them from a class file (``ssj credit-classes import``, the staff page);
the draw reads the class in force on the task's start date
(:mod:`shuangsuiji.services.credit_classes`). ``ends_on`` is exclusive, as a risk flag's
``removed_on``: a class ending on 1 April is not in force on 1 April; None: open-ended.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from shuangsuiji.db.base import Base, TenantOwned


class TargetCreditClass(TenantOwned, Base):
    """One target's class from ``starts_on`` until ``ends_on`` (exclusive; None: open)."""

    __tablename__ = "target_credit_classes"
    __table_args__ = (
        Index("ix_target_credit_classes_tenant_id_starts_on", "tenant_id", "starts_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id"), index=True)
    class_code: Mapped[str] = mapped_column(String(16))  # a code the tenant's pack declares
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    #: SHA-256 of the file that stated it (the import's audit event names the same file)
    source_sha256: Mapped[str] = mapped_column(String(64), default="")

    def in_force(self, on: date) -> bool:
        return self.starts_on <= on and (self.ends_on is None or on < self.ends_on)
