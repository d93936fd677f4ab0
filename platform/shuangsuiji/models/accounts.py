"""Accounts, roles and API tokens.

A :class:`User` is global (one login for a person who may act in several tenants); what
they may do is given by :class:`RoleGrant` rows, one per (role, tenant). A central admin's
grant has no tenant: it covers every tenant. These rows are not ``TenantOwned`` because
login and the tenant switcher must read a user's grants across tenants; the accounts
service filters by tenant explicitly, the way the audit service does.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shuangsuiji.db.base import Base, utcnow

#: Every role, from the widest to the narrowest. The public needs no account.
ROLES: tuple[str, ...] = ("central_admin", "tenant_admin", "operator", "viewer", "inspector")

#: Roles that must name a tenant (all but the central admin's).
TENANT_ROLES: frozenset[str] = frozenset(ROLES) - {"central_admin"}


class User(Base):
    """A person who logs in. The password is kept only as an argon2 hash."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Rotated on password change: a signed session cookie carrying an old nonce stops working,
    # so changing a password logs the user out everywhere.
    session_nonce: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column()

    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="RoleGrant.id"
    )
    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="ApiToken.id"
    )


class RoleGrant(Base):
    """One role of one user in one tenant (``tenant_id`` None only for ``central_admin``).

    ``department`` narrows an operator or viewer to one department (职能司局/处室), matching
    ``Task.department``; empty means every department of the tenant. ``inspector_code`` links
    an inspector account to its entry in the inspector directory.
    """

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "role", "tenant_id", "department"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"), index=True)
    department: Mapped[str] = mapped_column(String(120), default="")
    inspector_code: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="grants")


class ApiToken(Base):
    """An API token. Only its SHA-256 is stored: tokens are 256-bit random values, so a fast
    hash is enough (no dictionary to attack) and lets the API find the row by its hash."""

    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The tenant the token was made for: it carries only the account's roles there. None: an
    # unscoped token (made by the central level), carrying every role of the account.
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    # The first characters, kept in clear so a listing can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    user: Mapped[User] = relationship(back_populates="tokens")
