"""Inspections after the draw: on-site records, results, reports, publication, follow-up.

Targets are named by their credit code (统一社会信用代码) as the draw selected them
(:class:`~shuangsuiji.models.draws.DrawSelection`), so a record stays readable after the
directory entry changes. Every row here is written by a service in one transaction with its
audit event; published rows (:class:`Publication`, :class:`PublishedResult`,
:class:`DirectedNotification`) are snapshots and are never updated.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from shuangsuiji.db.base import Base, TenantOwned, utcnow

#: How the target acknowledged the on-site record (MIIT Art. 13 ¶2, CQ Art. 13 ¶2).
ACKNOWLEDGEMENTS: tuple[str, ...] = ("signature", "seal", "refused")

#: Rectification states (整改跟踪, MIIT Art. 16, CQ Art. 15).
RECTIFICATION_STATES: tuple[str, ...] = ("open", "followed_up", "closed")


class InspectionRecord(TenantOwned, Base):
    """The on-site record (现场检查记录) of one target under one task.

    ``inspectors`` holds ``[{"id": ..., "credential": ...}]``: who was present and the
    credential each showed (执法证 / 工作证). ``acknowledgement`` is how the target confirmed
    it; on a refusal, ``refusal_reason`` says why and the inspectors' signatures stand in.
    """

    __tablename__ = "inspection_records"
    __table_args__ = (UniqueConstraint("task_id", "credit_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("draws.id"))
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    method: Mapped[str] = mapped_column(String(32))
    inspected_on: Mapped[date] = mapped_column(Date)
    inspectors: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    findings: Mapped[str] = mapped_column(Text, default="")
    acknowledgement: Mapped[str] = mapped_column(String(16))
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    inspectors_signed: Mapped[bool] = mapped_column(Boolean, default=False)
    witness: Mapped[str | None] = mapped_column(String(120))
    rules_pack: Mapped[str] = mapped_column(String(64))
    rules_version: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExcludedPeriodRecord(TenantOwned, Base):
    """A period of testing, inspection or appraisal (检验、检测、鉴定) during a task's work.

    Chongqing's deadline (CQ Art. 14) does not count these working days; a pack whose rule
    names no excludable periods refuses them at deadline time, so they are kept but unused.
    """

    __tablename__ = "excluded_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    credit_code: Mapped[str | None] = mapped_column(String(18))
    kind: Mapped[str] = mapped_column(String(16))  # testing | inspection | appraisal
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class InspectionResult(TenantOwned, Base):
    """The result (检查结果) for one target: a code from the pack's result list."""

    __tablename__ = "inspection_results"
    __table_args__ = (UniqueConstraint("task_id", "credit_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    result: Mapped[str] = mapped_column(String(64))
    problem_found: Mapped[bool] = mapped_column(Boolean, default=False)
    handling: Mapped[str] = mapped_column(Text, default="")  # 处理意见
    decided_on: Mapped[date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class TaskReport(TenantOwned, Base):
    """The report (抽查情况报告) written after a task's work (MIIT Art. 14)."""

    __tablename__ = "task_reports"
    __table_args__ = (UniqueConstraint("task_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    rules_pack: Mapped[str] = mapped_column(String(64))
    rules_version: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(120))
    written_at: Mapped[datetime] = mapped_column(default=utcnow)


class Publication(TenantOwned, Base):
    """A task's publication (公开): when, against which deadline, and whether on time.

    The deadline is stored as it was counted on the day, with its citation and whether it
    was provisional (no calendar covered a year it crossed), so the public can see it.
    """

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("task_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    published_at: Mapped[datetime] = mapped_column()
    published_on: Mapped[date] = mapped_column(Date)  # in Asia/Shanghai
    work_ended_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    working_days: Mapped[int] = mapped_column(Integer)
    excluded_days: Mapped[int] = mapped_column(Integer, default=0)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    on_time: Mapped[bool] = mapped_column(Boolean)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    per_target_results: Mapped[bool] = mapped_column(Boolean)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    deadline_cite: Mapped[str] = mapped_column(String(200))
    rules_pack: Mapped[str] = mapped_column(String(64))
    rules_version: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(120))


class PublishedResult(TenantOwned, Base):
    """One target's result as published for one public item (snapshot; never updated)."""

    __tablename__ = "published_results"
    __table_args__ = (UniqueConstraint("publication_id", "credit_code", "item_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    item_code: Mapped[str] = mapped_column(String(64))
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    target_name: Mapped[str] = mapped_column(String(300), default="")
    result: Mapped[str] = mapped_column(String(64))
    # the result's Chinese name as published (national list or the pack's), for exports
    result_name: Mapped[str] = mapped_column(String(200), default="")
    problem_found: Mapped[bool] = mapped_column(Boolean)
    handling: Mapped[str] = mapped_column(Text, default="")
    inspected_on: Mapped[date] = mapped_column(Date)


class DirectedNotification(TenantOwned, Base):
    """Results of a non-public item disclosed to named departments (定向通报) instead."""

    __tablename__ = "directed_notifications"
    __table_args__ = (UniqueConstraint("publication_id", "item_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    item_code: Mapped[str] = mapped_column(String(64))
    departments: Mapped[list[str]] = mapped_column(JSON)
    credit_codes: Mapped[list[str]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")
    notified_at: Mapped[datetime] = mapped_column(default=utcnow)


class Rectification(TenantOwned, Base):
    """A rectification order (整改) and its tracking: deadline, follow-up, closure."""

    __tablename__ = "rectifications"
    __table_args__ = (UniqueConstraint("task_id", "credit_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    requirement: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default="open")
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    follow_up_findings: Mapped[str | None] = mapped_column(Text)
    rectified: Mapped[bool | None] = mapped_column(Boolean)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closure_note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120))
    ordered_at: Mapped[datetime] = mapped_column(default=utcnow)


class Transfer(TenantOwned, Base):
    """A case handed to another authority (移送), e.g. a lead for the market regulator."""

    __tablename__ = "transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    authority: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    transferred_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(120), default="")
    actor: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class CreditPublicityHandover(TenantOwned, Base):
    """A task's results handed over to the credit publicity system (信用信息公示系统).

    MIIT 第十五条 and CQ 第十四条 publish on the portal *and* on the credit publicity system;
    the platform sends nothing there itself. It writes the file that system takes, records
    when and by whom it was handed over, and the channel stays pending until a user confirms
    it was published there.
    """

    __tablename__ = "credit_publicity_handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"))
    file_format: Mapped[str] = mapped_column(String(8))  # csv | xlsx
    rows: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the file handed over
    handed_over_at: Mapped[datetime] = mapped_column()
    handed_over_by: Mapped[str] = mapped_column(String(120))
    confirmed_at: Mapped[datetime | None] = mapped_column()
    confirmed_by: Mapped[str | None] = mapped_column(String(120))
    confirmed_on: Mapped[date | None] = mapped_column(Date)  # published there on this day
