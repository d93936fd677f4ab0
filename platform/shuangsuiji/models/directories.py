"""Directories (名录库): targets, inspectors, experts; the item list (随机抽查事项清单), versioned.

Directory rows are kept current by imports (``ssj import``) and by the web UI. Every import is an
:class:`ImportBatch`; every field an import changes on an existing row is kept as a
:class:`DirectoryChange`, so "what did this entry look like before the March import" stays
answerable. The item list is versioned: each change makes a new :class:`ItemListVersion` holding a
snapshot of the whole list, and a draw records the version number it used.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shuangsuiji.db.base import Base, TenantOwned, utcnow

#: Kinds of directory an import or export handles (``ssj import KIND``).
DIRECTORY_KINDS: tuple[str, ...] = ("targets", "inspectors", "experts", "items")

#: The states of an item-list version (MIIT 第五条, CQ 第四条: approved, then published).
ITEM_LIST_STATUSES: tuple[str, ...] = ("draft", "approved", "published")

#: How an item's results are published (公开方式).
PUBLICATION_MODES: tuple[str, ...] = (
    "public",  # 公开 / 公示
    "directed",  # 定向通报
    "not_public",  # 不公开
)


class ImportBatch(TenantOwned, Base):
    """One import of one file: who, when, which file (by SHA-256) and what it did."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)


class Target(TenantOwned, Base):
    """A market entity (检查对象 / 市场主体), keyed by its credit code (统一社会信用代码)."""

    __tablename__ = "targets"
    __table_args__ = (
        UniqueConstraint("tenant_id", "credit_code"),
        # Covers the draw's read of the pool (services.draws.load_candidates): code and name
        # of every target of a tenant, in credit-code order, without visiting the table.
        Index("ix_targets_pool", "tenant_id", "credit_code", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(12), default="")
    industry: Mapped[str] = mapped_column(String(120), default="")
    credit_rating: Mapped[str] = mapped_column(String(16), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    legal_representative: Mapped[str | None] = mapped_column(String(64))
    # server-side default: the bulk import leaves it out of its INSERT (see services/imports.py)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column()

    flags: Mapped[list[TargetFlag]] = relationship(
        back_populates="target", order_by="TargetFlag.id", cascade="all, delete-orphan"
    )


class TargetFlag(TenantOwned, Base):
    """A risk flag (风险标记) on a target, in force from ``listed_on`` until ``removed_on``.

    ``listed_on`` None means "since before the platform knew"; ``removed_on`` is exclusive, so
    a flag removed on 1 April is not in force on 1 April.
    """

    __tablename__ = "target_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id"), index=True)
    flag: Mapped[str] = mapped_column(String(32))  # one of shuangsuiji.rules.RISK_FLAGS
    listed_on: Mapped[date | None] = mapped_column(Date)
    removed_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(120), default="")

    target: Mapped[Target] = relationship(back_populates="flags")

    def in_force(self, on: date) -> bool:
        """Whether the flag counts on day ``on``."""
        return (self.listed_on is None or self.listed_on <= on) and (
            self.removed_on is None or on < self.removed_on
        )


class Inspector(TenantOwned, Base):
    """Enforcement staff (执法检查人员). Holds an enforcement certificate (执法证), a work ID
    (工作证), or both; re-imports find the row by certificate number, else by work ID."""

    __tablename__ = "inspectors"
    __table_args__ = (
        UniqueConstraint("tenant_id", "certificate_no"),
        UniqueConstraint("tenant_id", "work_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    department: Mapped[str] = mapped_column(String(120), default="")  # 职能司局 / 处室 code
    division: Mapped[str] = mapped_column(String(120), default="")
    region: Mapped[str] = mapped_column(String(120), default="")
    expertise: Mapped[str] = mapped_column(String(300), default="")
    subordinate: Mapped[bool] = mapped_column(Boolean, default=False)  # 下级主管部门
    certificate_no: Mapped[str | None] = mapped_column(String(64))
    certificate_expiry: Mapped[date | None] = mapped_column(Date)
    work_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column()


class Expert(TenantOwned, Base):
    """An outside specialist (专家), keyed by expert code, else by ID number."""

    __tablename__ = "experts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "expert_code"),
        UniqueConstraint("tenant_id", "id_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    expert_code: Mapped[str | None] = mapped_column(String(64))
    id_number: Mapped[str | None] = mapped_column(String(32))
    expertise: Mapped[str] = mapped_column(String(300), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column()


class Item(TenantOwned, Base):
    """One entry of the item list (抽查事项). Its current state; past states live in the
    snapshots of :class:`ItemListVersion`. Retired items stay (tasks reference them)."""

    __tablename__ = "items"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    content: Mapped[str] = mapped_column(Text, default="")  # 抽查内容
    legal_basis: Mapped[str] = mapped_column(Text, default="")  # 抽查依据
    subject: Mapped[str] = mapped_column(Text, default="")  # 抽查对象
    methods: Mapped[list[str]] = mapped_column(JSON, default=list)  # rules.METHODS
    frequency: Mapped[str] = mapped_column(String(120), default="")  # 抽查频次
    category: Mapped[str] = mapped_column(String(32), default="general")  # pack category code
    cap_permille: Mapped[int | None] = mapped_column(Integer)  # 比例上限, ‰
    # 批次顺序比例: from this ratio the item's batch order may be drawn (CQ 第五条
    # "抽查比例高的"); None: the pack's default
    batch_order_min_permille: Mapped[int | None] = mapped_column(Integer)
    publication_mode: Mapped[str] = mapped_column(String(16), default="public")
    departments: Mapped[list[str]] = mapped_column(JSON, default=list)  # 实施部门
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ItemListVersion(TenantOwned, Base):
    """A version of the whole item list ("dynamic management": every change kept).

    ``snapshot`` is the list of active items (each a dict of the item's fields, by code) as it
    stood after the change; ``digest`` is the SHA-256 of its canonical JSON.
    """

    __tablename__ = "item_list_versions"
    __table_args__ = (UniqueConstraint("tenant_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(Text, default="")
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    snapshot: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    digest: Mapped[str] = mapped_column(String(64))
    # MIIT 第五条 报部领导批准后公布, CQ 第四条 报委领导批准后公布: draft → approved → published
    status: Mapped[str] = mapped_column(String(16), default="draft")
    approved_by: Mapped[str | None] = mapped_column(String(120))  # the approving leader
    approved_on: Mapped[date | None] = mapped_column(Date)  # date of the approval
    approval_document: Mapped[str | None] = mapped_column(String(120))  # its document number
    approved_at: Mapped[datetime | None] = mapped_column()  # when it was recorded
    approval_actor: Mapped[str | None] = mapped_column(String(120))  # who recorded it
    published_at: Mapped[datetime | None] = mapped_column()
    published_by: Mapped[str | None] = mapped_column(String(120))


class DirectoryChange(TenantOwned, Base):
    """One field of one directory entry changed by an import (or by hand in the web UI)."""

    __tablename__ = "directory_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # targets, inspectors, ...
    key: Mapped[str] = mapped_column(String(64), index=True)  # credit code, certificate no...
    field: Mapped[str] = mapped_column(String(64))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
