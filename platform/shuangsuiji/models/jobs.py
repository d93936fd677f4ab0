"""Background jobs (后台任务): imports and exports started in the browser, run by a worker.

A :class:`Job` is the one place its state is kept, so any app node (and any worker) sees the
same progress: ``queued`` → ``running`` → ``succeeded`` or ``failed``. A running job's worker
writes ``heartbeat_at`` every few seconds; a job whose heartbeat went stale (or whose worker
process on this host is gone) is failed by whoever looks next. The job's input and output
files (an uploaded spreadsheet, an export) are :class:`JobFile` rows, so they travel through
the shared database rather than one node's disk. See :mod:`shuangsuiji.services.jobs`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shuangsuiji.db.base import Base, TenantOwned, utcnow
from shuangsuiji.db.types import LongBlob

#: What a job may do.
JOB_KINDS: tuple[str, ...] = ("import", "export", "draw", "credit_classes")
#: A job's states, in the order a job passes through them.
JOB_STATES: tuple[str, ...] = ("queued", "running", "succeeded", "failed")
#: States a job does not leave (except by an explicit retry of a failed one).
FINISHED: frozenset[str] = frozenset({"succeeded", "failed"})

#: Blobs up to 4 GiB on MariaDB/MySQL (a plain BLOB stops at 64 KiB).
Blob = LongBlob()


class Job(TenantOwned, Base):
    """One background job of one tenant: what, who, how far, how it ended."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_state", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: What to do, e.g. ``{"directory": "targets", "filename": "targets.csv"}``.
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    #: Progress: ``done`` of ``total`` units (rows); total None while unknown.
    phase: Mapped[str] = mapped_column(String(32), default="")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    #: The end state in words (English; shown translated), e.g. the import's summary or
    #: why it failed.
    message: Mapped[str] = mapped_column(Text, default="")
    #: The same lines as translatable messages (:func:`shuangsuiji.services.jobs.lines`).
    detail: Mapped[list[Any] | None] = mapped_column(JSON)
    #: What the job made: ``{"batch_id": 7, ...}`` for an import, ``{"file": "output"}``...
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(120))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: ``host:pid:nonce`` of the worker running the job (empty when not running).
    worker: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    heartbeat_at: Mapped[datetime | None] = mapped_column()


class JobFile(TenantOwned, Base):
    """A file a job reads (``input``) or writes (``output``), kept in the database (so any
    node and any worker reach it); removed with its job."""

    __tablename__ = "job_files"

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"),
                                        primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    filename: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    data: Mapped[bytes] = mapped_column(Blob)
