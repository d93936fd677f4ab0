"""Joint tasks (联合抽查): participants, results per item, publication per participant.

A :class:`TaskParticipant` is a unit of the task's tenant (``kind`` ``unit``: a 处室 of the
organisation tree) or another tenant of the deployment (``kind`` ``tenant``) taking part in
a joint task, with the items it brings and its inspector quota per group. A unit of the
tenant takes part once planned (``accepted``); another tenant is ``invited`` until it
accepts or refuses. The one on-site record of a target (:class:`InspectionRecord`) holds a
result per item (:class:`ItemResult`); each participant publishes the results of its own
items (:class:`ParticipantPublication`), by the deadline of its own pack.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from shuangsuiji.db.base import Base, TenantOwned, utcnow

PARTICIPANT_KINDS = ("unit", "tenant")
PARTICIPANT_STATES = ("invited", "accepted", "refused")


class TaskParticipant(TenantOwned, Base):
    """One participant (参与单位) of a joint task."""

    __tablename__ = "task_participants"
    __table_args__ = (UniqueConstraint("task_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))  # a unit code, or the other tenant's slug
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # PARTICIPANT_KINDS
    participant_tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"))
    item_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    quota: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(16))  # PARTICIPANT_STATES
    answer_note: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str | None] = mapped_column(String(120))
    answered_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ItemResult(TenantOwned, Base):
    """The result of one item at one target of a joint task (one record, a result per item)."""

    __tablename__ = "item_results"
    __table_args__ = (UniqueConstraint("task_id", "credit_code", "item_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    credit_code: Mapped[str] = mapped_column(String(18))
    item_code: Mapped[str] = mapped_column(String(64))
    participant_code: Mapped[str] = mapped_column(String(64))
    result: Mapped[str] = mapped_column(String(64))
    problem_found: Mapped[bool] = mapped_column(Boolean, default=False)
    handling: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class ParticipantPublication(TenantOwned, Base):
    """A participant's publication of its own items' results."""

    __tablename__ = "participant_publications"
    __table_args__ = (UniqueConstraint("task_id", "participant_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    participant_code: Mapped[str] = mapped_column(String(64))
    publication_id: Mapped[int | None] = mapped_column(ForeignKey("publications.id"))
    published_at: Mapped[datetime] = mapped_column()
    published_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    on_time: Mapped[bool] = mapped_column(Boolean)
    # the due date crosses a year the participant's own calendar does not cover
    provisional: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    deadline_cite: Mapped[str] = mapped_column(String(200))
    results: Mapped[int] = mapped_column(Integer, default=0)
    actor: Mapped[str] = mapped_column(String(120))
