"""Draws (抽取): committed once, never updated; voids and recusals are appended.

One live draw per task is enforced by the database, not by a check in Python: a draw's
``attempt`` is the number of voided draws of the task plus one, and (task_id, attempt) is
unique, so two concurrent draws of the same task compute the same attempt and exactly one
commits. A void is its own row; a redraw is a new draw with the next attempt, linked to the
draw it replaces.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shuangsuiji.db.base import Base, TenantOwned, utcnow
from shuangsuiji.db.types import LongBlob


class Draw(TenantOwned, Base):
    __tablename__ = "draws"
    __table_args__ = (
        UniqueConstraint("task_id", "attempt"),
        # the target of the selections' one composite foreign key (see DrawSelection)
        UniqueConstraint("id", "task_id", "tenant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    replaces_draw_id: Mapped[int | None] = mapped_column(ForeignKey("draws.id"))
    seed: Mapped[str] = mapped_column(Text)
    seed_source: Mapped[str] = mapped_column(String(16))  # ceremony | generated
    witnesses: Mapped[list[str]] = mapped_column(JSON, default=list)
    inspection_date: Mapped[date] = mapped_column(Date)
    pool_digest: Mapped[str] = mapped_column(String(64))
    bundle_digest: Mapped[str] = mapped_column(String(64))
    pool_size: Mapped[int] = mapped_column(Integer)
    excluded_count: Mapped[int] = mapped_column(Integer)
    selected_count: Mapped[int] = mapped_column(Integer)
    rules_pack: Mapped[str] = mapped_column(String(64))
    rules_version: Mapped[str] = mapped_column(String(32))
    item_list_version: Mapped[int | None] = mapped_column(Integer)
    # The bundle (selections, groups, rules; tens of kB of JSON, more on a large pool) is
    # loaded when it is read, not with every list of draws: lists parse it for nothing.
    bundle: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    actor: Mapped[str] = mapped_column(String(120))
    drawn_at: Mapped[datetime] = mapped_column(default=utcnow)

    void: Mapped[DrawVoid | None] = relationship(back_populates="draw", uselist=False)
    recusals: Mapped[list[Recusal]] = relationship(back_populates="draw", order_by="Recusal.step")

    @property
    def is_void(self) -> bool:
        return self.void is not None


class DrawVoid(TenantOwned, Base):
    """Voiding a draw: a new, visible event with a reason."""

    __tablename__ = "draw_voids"
    __table_args__ = (UniqueConstraint("draw_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("draws.id"))
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    draw: Mapped[Draw] = relationship(back_populates="void")


class DrawSelection(TenantOwned, Base):
    """A target selected by a draw (denormalised from the bundle for history queries)."""

    __tablename__ = "draw_selections"
    __table_args__ = (
        UniqueConstraint("draw_id", "credit_code"),
        # One composite key instead of three (draw, task, tenant): a 50,000-row draw checks
        # one index per row, not three, and a selection cannot name a task or tenant other
        # than its draw's (the draw row itself references its task and tenant).
        ForeignKeyConstraint(["draw_id", "task_id", "tenant_id"],
                             ["draws.id", "draws.task_id", "draws.tenant_id"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # looked up through the unique (draw_id, credit_code) index: no index of its own
    draw_id: Mapped[int] = mapped_column(Integer)
    task_id: Mapped[int] = mapped_column(Integer, index=True)
    # the tenant mixin's own key to tenants is replaced by the composite key above
    tenant_id: Mapped[int] = mapped_column(Integer, index=True, nullable=False)
    target_id: Mapped[int | None] = mapped_column(ForeignKey("targets.id"))
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    stratum: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    batch_no: Mapped[int | None] = mapped_column(Integer)


class Recusal(TenantOwned, Base):
    """A recusal step appended to a draw (step numbers start at 1 per draw)."""

    __tablename__ = "recusals"
    __table_args__ = (UniqueConstraint("draw_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("draws.id"), index=True)
    step: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[str] = mapped_column(String(64))
    credit_code: Mapped[str] = mapped_column(String(18))
    mode: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    outcome: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    draw: Mapped[Draw] = relationship(back_populates="recusals")


class DrawPool(TenantOwned, Base):
    """A draw's frozen pool, stored once as its canonical lines (docs/draw-spec.md §3.3).

    ``data`` is the exact byte sequence whose SHA-256 is the draw's ``pool_digest``,
    compressed (``format`` ``shuangsuiji-pool/1+zlib``); the draw's ``bundle`` holds
    everything else, and the export puts the pool back as the bundle's ``pool`` object.
    A million members are ~16 MB here instead of ~80 MB of JSON inside ``draws.bundle``.
    """

    __tablename__ = "draw_pools"
    __table_args__ = (UniqueConstraint("draw_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("draws.id"))
    format: Mapped[str] = mapped_column(String(32))
    # MySQL/MariaDB's plain BLOB stops at 64 KiB
    data: Mapped[bytes] = mapped_column(
        LongBlob()
    )


class DrawAnnouncement(TenantOwned, Base):
    """The announcement (抽取公告) of a draw, made before any randomness exists.

    ``announcement`` is the announcement object of docs/draw-spec.md §10 and ``digest`` its
    SHA-256; ``pool`` the pool's lines (§3.3 bytes, zlib) frozen once at the announcement:
    the draw uses exactly them. ``draw_id`` is set when the announced draw is committed;
    an announcement is used by one draw at most. An announcement may be superseded only
    while nothing random about it exists (no reveal, beacon round still ahead).
    """

    __tablename__ = "draw_announcements"
    __table_args__ = (UniqueConstraint("task_id", "number"), UniqueConstraint("draw_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    procedure: Mapped[str] = mapped_column(String(32))
    announcement: Mapped[dict[str, Any]] = mapped_column(JSON)
    pool_format: Mapped[str] = mapped_column(String(32))
    pool: Mapped[bytes] = mapped_column(
        LongBlob(), deferred=True
    )
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("draws.id"))
    #: replaced by a later announcement before anything random existed (stays listed)
    superseded: Mapped[bool] = mapped_column(default=False)
    actor: Mapped[str] = mapped_column(String(120))
    announced_at: Mapped[datetime] = mapped_column(default=utcnow)

    commitments: Mapped[list[SeedCommitment]] = relationship(
        back_populates="announcement", order_by="SeedCommitment.party"
    )


class SeedCommitment(TenantOwned, Base):
    """A party's commitment to its secret (commit–reveal), and the secret once revealed."""

    __tablename__ = "seed_commitments"
    __table_args__ = (UniqueConstraint("announcement_id", "party"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("draw_announcements.id"))
    party: Mapped[str] = mapped_column(String(120))
    commitment: Mapped[str] = mapped_column(String(64))
    secret: Mapped[str | None] = mapped_column(Text)
    committed_at: Mapped[datetime] = mapped_column(default=utcnow)
    revealed_at: Mapped[datetime | None] = mapped_column()

    announcement: Mapped[DrawAnnouncement] = relationship(back_populates="commitments")


class RecusalDeclaration(TenantOwned, Base):
    """A recusal declared after a v2 draw, before its randomness exists (docs/draw-spec.md
    §12): it names a beacon round after ``declared_at``; it is applied once the round's
    value is known (``applied`` then holds the step number)."""

    __tablename__ = "recusal_declarations"
    __table_args__ = (UniqueConstraint("draw_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("draws.id"), index=True)
    step: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[str] = mapped_column(String(64))
    credit_code: Mapped[str] = mapped_column(String(18))
    mode: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[str] = mapped_column(String(20))  # YYYY-MM-DDTHH:MM:SSZ, as announced
    beacon_round: Mapped[int] = mapped_column(Integer)
    applied: Mapped[bool] = mapped_column(default=False)
    actor: Mapped[str] = mapped_column(String(120))
