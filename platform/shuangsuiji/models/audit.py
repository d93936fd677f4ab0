"""The audit chain: every state change, hash-chained per tenant."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from shuangsuiji.db.base import Base, utcnow


class AuditEvent(Base):
    """One appended event. ``seq`` is unique per tenant, so two writers cannot both append
    the same link; ``hash`` covers every field and the previous event's hash. The event is
    also leaf ``seq − 1`` of the tenant's transparency log."""

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("tenant_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Not TenantOwned: the chain is read across tenants by `ssj audit verify` and central
    # admins; services filter by tenant explicitly.
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(120))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    payload_digest: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    #: The transparency log's nodes this event's leaf completes: its leaf hash, then the
    #: root of each complete subtree it closes, 32 bytes each, lowest level first
    #: (docs/transparency-log.md §2). Written with the event: no extra statement.
    log_nodes: Mapped[bytes | None] = mapped_column(LargeBinary)


class LogCheckpoint(Base):
    """A signed checkpoint the deployment issued (the exact note text served)."""

    __tablename__ = "log_checkpoints"
    __table_args__ = (UniqueConstraint("tenant_id", "tree_size", "key_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary)
    key_id: Mapped[str] = mapped_column(String(8))  # hex of the signed-note key ID
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LogWitnessed(Base):
    """What this deployment's witness last saw of one log (one row per origin): the largest
    consistent checkpoint, and the note with the witness's cosignature added."""

    __tablename__ = "log_witnessed"
    __table_args__ = (UniqueConstraint("origin"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    origin: Mapped[str] = mapped_column(String(255))
    url: Mapped[str] = mapped_column(String(500))
    tree_size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary)
    note: Mapped[str] = mapped_column(Text)
    cosigned: Mapped[str] = mapped_column(Text)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
