"""Accounts: create users, grant roles, check passwords, issue and resolve API tokens.

Who manages an account: the central level (the central admin in the browser, the operator
of the ``ssj`` command) every account; a tenant admin only what an account holds in their
tenant. The functions that change an account take ``admin_of``, the tenant whose admin is
acting (None: the central level, or the holder on their own account page): a tenant admin
may reset the password of, disable or enable only an account whose every role is in their
tenant, and the tokens they issue are scoped to their tenant (they carry only the
account's roles there, whatever else it holds), so that the admin of tenant A can never
act as an account in tenant B (:func:`check_manages`).

Callers commit. Every change is an audit event: in the tenant of the grant, or, for a
central admin (who belongs to no one tenant), in the chain of every root tenant.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from shuangsuiji.db.base import utcnow
from shuangsuiji.db.session import bookkeeping_write
from shuangsuiji.errors import Conflict, Forbidden, NotFound, UserError
from shuangsuiji.messages import msg
from shuangsuiji.models.accounts import ROLES, TENANT_ROLES, ApiToken, RoleGrant, User
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.services import audit, unit_checks
from shuangsuiji.services import tenants as tenant_service
from shuangsuiji.services.callers import Grantee
from shuangsuiji.services.roles import (
    departments_in,
    grants_in,
    inspector_codes_in,
    is_central_admin,
    roles_in,
    tenants_for,
)
from shuangsuiji.services.token_callers import (
    LAST_USED_PRECISION,
    TOKEN_CALLER,
    TOKEN_PREFIX,
    caller_from_token,
    token_digest,
)

#: also the roles (services/roles.py) and token callers
#: (services/token_callers.py) of an account
__all__ = [
    "LAST_USED_PRECISION", "TOKEN_CALLER", "TOKEN_PREFIX", "IssuedToken", "all_users",
    "authenticate", "caller_from_token", "check_manages", "create_user", "departments_in",
    "get_user", "grant", "grants_in", "hash_password", "holds_roles_elsewhere",
    "inspector_codes_in", "is_central_admin", "issue_token", "record_sign_in", "revoke_token",
    "roles_in", "set_active", "set_password", "tenants_for", "tokens_visible_to",
]

log = logging.getLogger(__name__)

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters

#: A valid hash of a random password, checked when the user does not exist so that a
#: failed login takes as long whether or not the name is known.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


#: zxcvbn's score (0–4) a password needs: 3 is "safely unguessable" (about 10^8 guesses
#: or more) — enough, with argon2 and the login throttle, against online and offline guessing.
MIN_PASSWORD_SCORE = 3


def _check_password_strength(password: str, *, username: str = "",
                             display_name: str = "", current_hash: str | None = None) -> None:
    """Refuse a short password, one containing the user name, the current password again,
    or one that zxcvbn estimates easy to guess (``aaaaaaaaaa``, ``1234567890``, keyboard
    walks, common passwords, names and dates)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(
            msg("the password has %(length)d characters; at least %(minimum)d are required",
                length=len(password), minimum=MIN_PASSWORD_LENGTH),
            where="password",
            hint=msg("choose a longer password (a few unrelated words work well)"),
        )
    name = username.strip().lower()
    if len(name) >= 3 and name in password.lower():
        raise UserError(msg("the password contains the user name"), where="password",
                        hint=msg("choose a password that does not contain the user name"))
    if current_hash is not None:
        with contextlib.suppress(VerificationError, InvalidHashError):
            if _hasher.verify(current_hash, password):
                raise UserError(msg("the new password is the current password"),
                                where="password", hint=msg("choose a password not used before"))
    # imported here, not with the module: its frequency lists hold ~13 MiB, which every
    # process that builds the app (a draw of a million targets, `ssj draw`) would carry
    # without ever checking a password
    from zxcvbn import zxcvbn

    estimate = zxcvbn(password[:100], user_inputs=[u for u in (username, display_name) if u])
    if estimate["score"] < MIN_PASSWORD_SCORE:
        raise UserError(
            msg("the password is too easy to guess (strength %(score)d of 4; at least "
                "%(minimum)d is required)", score=estimate["score"],
                minimum=MIN_PASSWORD_SCORE),
            where="password",
            hint=msg("use three or four unrelated words, or a longer phrase; avoid repeated "
                     "characters, keyboard rows, names, dates and common passwords"))


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(msg("no user %(username)r", username=username),
                       hint=msg("`ssj users list` shows the accounts"))
    return user


def all_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def _audit_tenants(session: Session, tenant_id: int | None) -> list[int]:
    if tenant_id is not None:
        return [tenant_id]
    return list(session.scalars(select(Tenant.id).where(Tenant.parent_id.is_(None))))


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    tenant: str | None = None,
    display_name: str = "",
    department: str = "",
    inspector_code: str | None = None,
) -> User:
    """Create an account with its first role (``tenant`` is a slug; none for central admin)."""
    username = username.strip()
    if not username or len(username) > 64:
        raise UserError(msg("a user name needs 1 to 64 characters"), where="username")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise Conflict(msg("user %(username)r already exists", username=username),
                       hint=msg("grant another role with `ssj users grant`"))
    _check_password_strength(password, username=username, display_name=display_name)
    user = User(username=username, display_name=display_name or username,
                password_hash=hash_password(password), session_nonce=secrets.token_hex(16))
    session.add(user)
    session.flush()
    grant(session, user, role=role, tenant=tenant, department=department,
          inspector_code=inspector_code)
    return user


def grant(
    session: Session,
    user: User,
    *,
    role: str,
    tenant: str | None = None,
    department: str = "",
    inspector_code: str | None = None,
) -> RoleGrant:
    """Give ``user`` ``role`` in ``tenant`` (a slug)."""
    if role not in ROLES:
        raise UserError(msg("unknown role %(role)r", role=role), where="role",
                        hint=msg("use one of: %(choices)s", choices=ROLES))
    if role in TENANT_ROLES and tenant is None:
        raise UserError(msg("the role %(role)s needs a tenant", role=role), where="tenant",
                        hint=msg("pass --tenant SLUG"))
    if role == "central_admin" and tenant is not None:
        raise UserError(msg("a central admin covers every tenant; do not pass a tenant"),
                        where="tenant")
    tenant_row = tenant_service.get(session, tenant) if tenant else None
    tenant_id = tenant_row.id if tenant_row else None
    unit_checks.check_grant_unit(session, tenant_id, department)  # a unit of the tree
    for existing in user.grants:
        if (existing.role, existing.tenant_id, existing.department) == (
            role, tenant_id, department
        ):
            raise Conflict(msg("user %(username)s already has role %(role)s there",
                               username=user.username, role=role))
    row = RoleGrant(user=user, role=role, tenant_id=tenant_id, department=department,
                    inspector_code=inspector_code)
    session.add(row)
    session.flush()
    for tid in _audit_tenants(session, tenant_id):
        audit.record(session, tenant_id=tid, action="user.grant", object_type="user",
                     object_id=user.username,
                     payload={"role": role, "tenant": tenant, "department": department,
                              "inspector_code": inspector_code})
    return row


def holds_roles_elsewhere(user: Grantee, tenant_id: int) -> bool:
    """Whether the account holds any role outside this tenant (central admin included)."""
    return any(g.tenant_id != tenant_id for g in user.grants)


def _managed_elsewhere(what: str, username: str, prefix: str) -> str:
    if what == "password":
        return msg("%(username)s also holds roles outside this tenant: only the central "
                   "administrator or the account holder may change its password",
                   username=username)
    if what == "disable":
        return msg("%(username)s also holds roles outside this tenant: only the central "
                   "administrator may disable or enable the account", username=username)
    return msg("the token %(prefix)s of %(username)s was not made for this tenant: only the "
               "central administrator or the account holder may revoke it",
               prefix=prefix, username=username)


def check_manages(user: User, admin_of: Tenant | None, what: str, prefix: str = "") -> None:
    """Refuse (:class:`Forbidden`) ``what`` (``password``, ``disable``, ``revoke``) to the
    admin of ``admin_of`` when the account holds roles in another tenant (or is a central
    admin). None: the central level, which manages every account."""
    if admin_of is None or not holds_roles_elsewhere(user, admin_of.id):
        return
    raise Forbidden(_managed_elsewhere(what, user.username, prefix), where=user.username,
                    hint=msg("ask the central administrator (or the account holder)"))


def set_password(session: Session, user: User, password: str, *,
                 admin_of: Tenant | None = None) -> None:
    """Change the password and end every session of the user."""
    check_manages(user, admin_of, "password")
    _check_password_strength(password, username=user.username, display_name=user.display_name,
                             current_hash=user.password_hash)
    user.password_hash = hash_password(password)
    user.session_nonce = secrets.token_hex(16)
    for tid in _audit_tenants(session, _home_tenant(user)):
        audit.record(session, tenant_id=tid, action="user.password", object_type="user",
                     object_id=user.username)


def set_active(session: Session, user: User, active: bool, *, by: User | None = None,
               admin_of: Tenant | None = None) -> None:
    """Disable an account, or enable it again.

    A disabled account cannot sign in, its open sessions end at their next request and its
    API tokens stop working (they stay listed; enabling the account makes them work again).
    Nobody disables their own account (that would lock an administrator out).
    """
    check_manages(user, admin_of, "disable")
    if by is not None and by.id == user.id and not active:
        raise Conflict(msg("you cannot disable your own account"),
                       hint=msg("ask another administrator"))
    if user.active == active:
        raise Conflict(msg("the account %(username)s is already enabled", username=user.username)
                       if active else
                       msg("the account %(username)s is already disabled",
                           username=user.username))
    user.active = active
    if not active:
        user.session_nonce = secrets.token_hex(16)
    # logged in every tenant where the account holds a role (a central admin: the roots)
    tenants = sorted({g.tenant_id for g in user.grants if g.tenant_id is not None})
    for tid in tenants or _audit_tenants(session, None):
        audit.record(session, tenant_id=tid, action="user.enable" if active else "user.disable",
                     object_type="user", object_id=user.username)


def _home_tenant(user: User) -> int | None:
    for g in user.grants:
        if g.tenant_id is not None:
            return g.tenant_id
    return None


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The user, if the name and password match an active account; otherwise None.

    Only reads: the sign-in's bookkeeping is :func:`record_sign_in`'s, outside the request's
    transaction (a write here would make every sign-in wait for, or on SQLite fail against,
    a draw or any other writer).
    """
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if not user.active:
        return None
    return user


def record_sign_in(engine: Engine, user: User, password: str) -> bool:
    """Note ``last_login_at`` and, when the argon2 parameters were raised since the password
    was set, rehash it: one short write of its own (:func:`~shuangsuiji.db.session.
    bookkeeping_write`), skipped (False) when the database is busy; the sign-in goes on,
    and the rehash is done at a later one."""
    values: dict[str, Any] = {"last_login_at": utcnow()}
    if _hasher.check_needs_rehash(user.password_hash):
        values["password_hash"] = hash_password(password)
    done = bookkeeping_write(engine, update(User).where(User.id == user.id).values(**values))
    if not done:
        log.info("user %s: sign-in not recorded (the database is busy)", user.username)
    return done


# --- API tokens -----------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    """A token just issued: ``token`` is shown once and never stored."""

    token: str
    row: ApiToken


def issue_token(session: Session, user: User, name: str = "", *,
                tenant: str | None = None, admin_of: Tenant | None = None) -> IssuedToken:
    """A new API token of ``user``, scoped to ``tenant`` (a slug) when given: it then carries
    only the account's roles in that tenant. A tenant admin's tokens (``admin_of``) are always
    scoped to their tenant. A central admin's account gets unscoped tokens only (its role
    has no tenant)."""
    scope = admin_of if admin_of is not None else (
        tenant_service.get(session, tenant) if tenant else None)
    if admin_of is not None and tenant is not None and tenant != admin_of.slug:
        raise Forbidden(msg("a tenant admin issues tokens for their own tenant only"),
                        where="tenant")
    if scope is not None:
        if is_central_admin(user):
            raise UserError(msg("a central admin's token cannot be limited to one tenant"),
                            where="tenant",
                            hint=msg("leave out --tenant, or use an account of that tenant"))
        if not grants_in(user, scope.id):
            raise UserError(msg("%(username)s holds no role in %(tenant)s",
                                username=user.username, tenant=scope.slug), where="tenant",
                            hint=msg("grant a role there first, or name another tenant"))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user=user, name=name, prefix=token[:10], token_hash=token_digest(token),
                   tenant_id=scope.id if scope is not None else None)
    session.add(row)
    session.flush()
    where = [scope.id] if scope is not None else _audit_tenants(session, _home_tenant(user))
    for tid in where:
        audit.record(session, tenant_id=tid, action="user.token", object_type="user",
                     object_id=user.username,
                     payload={"token": row.prefix, "name": name,
                              "tenant": scope.slug if scope is not None else None})
    return IssuedToken(token=token, row=row)


def tokens_visible_to(user: User, admin_of: Tenant | None) -> list[ApiToken]:
    """The tokens of ``user`` the admin of ``admin_of`` sees and may revoke: those made for
    their tenant, or all of an account whose every role is there (None: all of them)."""
    if admin_of is None or not holds_roles_elsewhere(user, admin_of.id):
        return list(user.tokens)
    return [t for t in user.tokens if t.tenant_id == admin_of.id]


def revoke_token(session: Session, user: User, prefix: str, *,
                 admin_of: Tenant | None = None) -> ApiToken:
    for row in user.tokens:
        if row.prefix == prefix and row.revoked_at is None:
            if admin_of is not None and row.tenant_id != admin_of.id:
                check_manages(user, admin_of, "revoke", prefix=prefix)
            row.revoked_at = utcnow()
            for tid in _audit_tenants(session, _home_tenant(user)):
                audit.record(session, tenant_id=tid, action="user.token_revoke",
                             object_type="user", object_id=user.username,
                             payload={"token": prefix})
            return row
    raise NotFound(msg("user %(username)s has no live token %(prefix)r",
                       username=user.username, prefix=prefix))
