"""API tokens as callers: a request's bearer token resolved to its account's roles in one
prepared statement, and the token's last use kept to a few minutes' precision.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Select, bindparam, or_, select, update

from shuangsuiji.db.base import utcnow
from shuangsuiji.db.prepared import PreparedSelect
from shuangsuiji.db.session import bookkeeping_write
from shuangsuiji.models.accounts import ApiToken, RoleGrant, User
from shuangsuiji.services.callers import Caller, Grant

#: the accounts' log (a token's bookkeeping is an account's)
log = logging.getLogger("shuangsuiji.services.accounts")

TOKEN_PREFIX = "ssj_"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


#: ``ApiToken.last_used_at`` is kept to this precision: a token used again within it is not
#: written again. The column answers "is this token still in use?"; it is not an access log.
LAST_USED_PRECISION = timedelta(minutes=5)

_TOKENS, _USERS, _GRANTS = ApiToken.__table__, User.__table__, RoleGrant.__table__


def _token_caller_statement() -> Select[Any]:
    """The token's state, its account and the account's grants: one row per grant (one row
    with no grant columns for an account without any)."""
    return (select(_TOKENS.c.id, _TOKENS.c.prefix, _TOKENS.c.revoked_at,
                   _TOKENS.c.last_used_at, _TOKENS.c.tenant_id, _USERS.c.id, _USERS.c.username,
                   _USERS.c.display_name, _USERS.c.active, _GRANTS.c.id, _GRANTS.c.role,
                   _GRANTS.c.tenant_id, _GRANTS.c.department, _GRANTS.c.inspector_code)
            .select_from(_TOKENS.join(_USERS, _USERS.c.id == _TOKENS.c.user_id)
                         .outerjoin(_GRANTS, _GRANTS.c.user_id == _USERS.c.id))
            .where(_TOKENS.c.token_hash == bindparam("digest"))
            .order_by(_GRANTS.c.id))


TOKEN_CALLER = PreparedSelect(_token_caller_statement())


def caller_from_token(engine: Engine, token: str) -> Caller | None:
    """The caller owning this live token, if its account is active; else None.

    One statement, compiled once per dialect and sent on a pooled driver connection of its
    own (:mod:`shuangsuiji.db.prepared`): no ORM session, no transaction of the caller's.
    Read on every request, never cached: a revoked token, a disabled account or a withdrawn
    role is refused at once. A token scoped to a tenant carries only the grants there.
    ``last_used_at`` is refreshed by :func:`_touch_token`, at most every
    :data:`LAST_USED_PRECISION`, in its own short transaction.
    """
    if not token.startswith(TOKEN_PREFIX):
        return None
    rows = TOKEN_CALLER.all(engine, digest=token_digest(token))
    if not rows:
        return None
    (token_id, prefix, revoked_at, last_used_at, scope, user_id, username, display_name,
     active) = rows[0][:9]
    if revoked_at is not None or not active:
        return None
    _touch_token(engine, token_id, prefix, last_used_at)
    # A scoped token carries the account's roles in its tenant only: every access check of
    # every request (access.py reads the caller's grants) then refuses the other tenants.
    grants = tuple(Grant(*row[9:]) for row in rows
                   if row[9] is not None and (scope is None or row[11] == scope))
    return Caller(user_id, username, display_name, grants)


def _touch_token(engine: Engine, token_id: int, prefix: str,
                 last_used: datetime | None) -> None:
    """Record that the token was used, if its ``last_used_at`` is older than the precision.

    The write goes through its own connection and transaction (committed at once), guarded
    by the same staleness test in SQL so that concurrent workers write it once. It is
    bookkeeping: if the database is busy it is skipped, never failing the caller's request.
    """
    now = utcnow()
    if last_used is not None:
        if last_used.tzinfo is None:  # SQLite hands back naive UTC
            last_used = last_used.replace(tzinfo=UTC)
        if now - last_used < LAST_USED_PRECISION:
            return
    cutoff = now - LAST_USED_PRECISION
    stmt = (update(ApiToken)
            .where(ApiToken.id == token_id,
                   or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < cutoff))
            .values(last_used_at=now))
    if not bookkeeping_write(engine, stmt):
        log.info("token %s: last_used_at not updated (the database is busy)", prefix)
