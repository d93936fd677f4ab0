"""Annual plans (年度抽查工作计划) and tasks (抽查任务)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shuangsuiji.db.base import Base, TenantOwned, utcnow

TASK_STATUSES = ("planned", "drawn", "in_progress", "work_ended", "published", "closed")
#: Statuses of a task whose draw counts as a completed inspection for the exclusions.
COMPLETED_STATUSES = ("work_ended", "published", "closed")
#: Statuses of a task after which its records, results and end date no longer change.
LOCKED_STATUSES = ("published", "closed")
#: Statuses of a task whose drawn groups are at work (an inspector's assignments).
AT_WORK_STATUSES = ("drawn", "in_progress")


class AnnualPlan(TenantOwned, Base):
    __tablename__ = "annual_plans"
    __table_args__ = (UniqueConstraint("tenant_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(Text, default="")
    inspector_requirements: Mapped[str] = mapped_column(Text, default="")
    made_on: Mapped[date] = mapped_column(Date)
    in_window: Mapped[bool] = mapped_column(Boolean, default=True)
    window_warning: Mapped[str | None] = mapped_column(Text)
    rules_pack: Mapped[str] = mapped_column(String(64))
    rules_version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tasks: Mapped[list[Task]] = relationship(back_populates="plan")


class Task(TenantOwned, Base):
    """One round of random inspection under one or more items."""

    __tablename__ = "tasks"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("annual_plans.id"))
    code: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    department: Mapped[str] = mapped_column(String(120))  # lead department (职能司局/处室)
    division: Mapped[str] = mapped_column(String(120), default="")
    departments: Mapped[list[str]] = mapped_column(JSON, default=list)  # joint: all departments
    # 联合抽查 is declared, never inferred from the items: the participating divisions
    # (处室) besides the task's own division (MIIT 第十条第二款)
    joint: Mapped[bool] = mapped_column(Boolean, default=False)
    joint_divisions: Mapped[list[str]] = mapped_column(JSON, default=list)
    special: Mapped[bool] = mapped_column(Boolean, default=False)
    special_trigger: Mapped[str | None] = mapped_column(String(64))
    methods: Mapped[list[str]] = mapped_column(JSON, default=list)
    ratio_permille: Mapped[int] = mapped_column(Integer, default=50)
    min_count: Mapped[int] = mapped_column(Integer, default=0)
    max_count: Mapped[int | None] = mapped_column(Integer)
    group_count: Mapped[int] = mapped_column(Integer, default=1)
    experts_count: Mapped[int] = mapped_column(Integer, default=0)
    batch_count: Mapped[int] = mapped_column(Integer, default=1)
    inspector_scope: Mapped[str] = mapped_column(String(32), default="across_departments")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    work_ended_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    rules_pack: Mapped[str] = mapped_column(String(64))
    rules_version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[AnnualPlan | None] = relationship(back_populates="tasks")
    items: Mapped[list[TaskItem]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="TaskItem.id"
    )


class TaskItem(TenantOwned, Base):
    """An item inspected under a task (several for a joint task)."""

    __tablename__ = "task_items"
    __table_args__ = (UniqueConstraint("task_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)

    task: Mapped[Task] = relationship(back_populates="items")
