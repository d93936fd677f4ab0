"""Superseding provisions (另有规定): CQ 第十条第一款 "国家及我市另有规定的，从其规定"."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shuangsuiji.db.base import Base, TenantOwned, utcnow


class SupersedingProvision(TenantOwned, Base):
    """A national or municipal provision that sets another frequency for some items.

    While in force (``effective`` to ``ends``, inclusive) it replaces the once-a-year rule
    for ``item_codes``: ``once_per_year`` False means the provision allows more than one
    inspection a year (its ``frequency`` says how often), and draws of those items cite it.
    """

    __tablename__ = "superseding_provisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    document: Mapped[str] = mapped_column(String(120))  # 文号
    article: Mapped[str] = mapped_column(String(64))  # e.g. 第三条
    title: Mapped[str] = mapped_column(Text, default="")
    item_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    effective: Mapped[date] = mapped_column(Date)
    ends: Mapped[date | None] = mapped_column(Date)
    once_per_year: Mapped[bool] = mapped_column(Boolean, default=False)
    frequency: Mapped[str] = mapped_column(String(120), default="")  # 抽查频次, as it says
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
