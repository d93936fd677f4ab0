"""Tenant-managed working-day calendars for years the chinesecalendar package does not know.

The State Council publishes next year's holiday arrangement around November; the installed
``chinesecalendar`` package only learns it when the deployment is upgraded. A tenant's
administrator therefore imports the notice (``ssj calendar import``) and deadlines falling
in that year stop being provisional. One row per tenant and year: a re-import replaces the
year in place, and the audit chain keeps the digest of what it replaced.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shuangsuiji.db.base import Base, TenantOwned, utcnow
from shuangsuiji.workdays import NamedDay, YearCalendar


class TenantCalendar(TenantOwned, Base):
    """One year of holidays and make-up workdays (调休上班), as the tenant imported it.

    Days are stored as ``[["YYYY-MM-DD", "festival"], ...]`` so the row converts losslessly
    to the pure :class:`~shuangsuiji.workdays.YearCalendar` the deadline counter takes.
    """

    __tablename__ = "tenant_calendars"
    __table_args__ = (UniqueConstraint("tenant_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)  # the notice, e.g. 国办发明电〔2026〕N号
    holidays: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    workdays: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    filename: Mapped[str] = mapped_column(String(255), default="")
    digest: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(120))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    def to_year_calendar(self) -> YearCalendar:
        """The pure calendar the workdays package counts with."""
        return YearCalendar(
            year=self.year,
            holidays=tuple(NamedDay(date.fromisoformat(d), n) for d, n in self.holidays),
            workdays=tuple(NamedDay(date.fromisoformat(d), n) for d, n in self.workdays),
            source=self.source,
        )

    @staticmethod
    def days_of(days: tuple[NamedDay, ...]) -> list[list[str]]:
        """Stored form of a calendar's named days."""
        return [[n.day.isoformat(), n.name] for n in days]
