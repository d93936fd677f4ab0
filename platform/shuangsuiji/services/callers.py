"""Who is calling: a request's caller as a small immutable value.

What the access checks (:mod:`shuangsuiji.access`), the response cache's key and the accounts
service's role questions (:func:`~shuangsuiji.services.accounts.roles_in` and the like) read
of the caller is their id, their name and their grants: a :class:`Caller` holds just these,
so that none of them needs an ORM session. A token's caller is read in one statement that
needs none either (:func:`shuangsuiji.services.accounts.caller_from_token`); a signed-in
browser's comes from the ORM :class:`User` the session cookie names (:func:`of_user`).

The ORM :class:`User` of a caller is made only when a view asks for it (:func:`attach`),
without a query, like the tenant's (:func:`shuangsuiji.caching.generation.attach`).

A caller is never kept across requests: each request reads the token, the account and its
grants again, so a revoked token, a disabled account or a withdrawn role is refused at the
very next request, whoever changed it (a service, the CLI, SQL by hand).
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from shuangsuiji.models.accounts import RoleGrant, User


class Grant(NamedTuple):
    """One role of the caller in one tenant (the columns of :class:`RoleGrant` it needs)."""

    id: int
    role: str
    tenant_id: int | None  # None only for central_admin
    department: str
    inspector_code: str | None


class Caller(NamedTuple):
    """An active account making a request, with its grants (ordered by id, as
    ``User.grants``)."""

    id: int
    username: str
    display_name: str
    grants: tuple[Grant, ...]


#: What the accounts service's role questions accept: a caller, or any ORM account (the
#: accounts an administrator manages).
Grantee = Caller | User


def of_user(user: User) -> Caller:
    """The caller of an (active) ORM account, e.g. a signed-in browser's."""
    return Caller(user.id, user.username, user.display_name,
                  tuple(Grant(g.id, g.role, g.tenant_id, g.department, g.inspector_code)
                        for g in user.grants))


def attach(session: Session, caller: Caller) -> User:
    """The ORM :class:`User` of ``caller``, persistent in ``session``, with its grants
    loaded, without a query (columns the caller does not carry, such as the password hash,
    are read when first used)."""
    found = session.identity_map.get(session.identity_key(User, (caller.id,)))
    if found is not None:
        return found  # type: ignore[no-any-return]
    user = User(id=caller.id, username=caller.username, display_name=caller.display_name,
                active=True)
    make_transient_to_detached(user)
    session.add(user)
    set_committed_value(user, "grants", [_attach_grant(session, user, g)
                                         for g in caller.grants])
    return user


def _attach_grant(session: Session, user: User, grant: Grant) -> RoleGrant:
    found = session.identity_map.get(session.identity_key(RoleGrant, (grant.id,)))
    if found is not None:
        return found  # type: ignore[no-any-return]
    row = RoleGrant(id=grant.id, user_id=user.id, role=grant.role, tenant_id=grant.tenant_id,
                    department=grant.department, inspector_code=grant.inspector_code)
    make_transient_to_detached(row)
    session.add(row)
    set_committed_value(row, "user", user)
    return row
