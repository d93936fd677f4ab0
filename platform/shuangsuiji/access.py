"""Access control in one place: who is asking, in which tenant, and may they.

Every view declares who may call it, with exactly one of

* ``@allow("operator", "tenant_admin")`` — signed-in users holding one of these roles in the
  tenant named by the URL (``/t/<tenant_slug>/...``, ``/api/v1/t/<tenant_slug>/...``); for a
  view without a tenant in its URL, holding the role in any tenant (or being central admin);
* ``@allow_signed_in`` — any signed-in user (their own account page, logout, the tenant list);
* ``@allow_public`` — anyone (login page, the public portal).

:func:`init_app` refuses to start when an endpoint (other than ``static``) declares nothing,
naming it, and at request time an undeclared endpoint is refused (deny by default), so a
route added after start-up is closed rather than open.

Per request, in this order:

1. the caller is loaded — from ``Authorization: Bearer <token>`` when the header is present
   (the session cookie is then ignored, and CSRF does not apply because a browser never
   sends that header on its own), otherwise from the signed session cookie. A token's caller
   is read in one statement on a driver connection of its own, without an ORM session
   (:func:`shuangsuiji.services.accounts.caller_from_token`), every request: a revoked
   token, a disabled account or a withdrawn role is refused at once. The caller is a small
   value (:class:`~shuangsuiji.services.callers.Caller`: id, name, grants); the ORM
   ``User`` is made from it only when a view asks (:func:`current_user`);
2. ``tenant_slug`` is taken out of the URL values and the tenant looked up (404 if unknown),
   together with its generation, the head of its audit chain, in one statement
   (:mod:`shuangsuiji.caching.generation`; the response cache keys on it);
3. the view's declaration is checked against the caller's roles *in that tenant* (401 when
   not signed in, 403 when signed in without the role);
4. only then is the tenant set on the request's database session (:func:`db_session`), so
   every ORM query on tenant-owned rows is filtered to it. Look objects up with
   :func:`lookup`: an id from another tenant is simply not found (404). The session is
   made on first use, with the caller as the actor of the audit events it writes; a
   response served from the cache makes none.

A view decorated with :func:`shuangsuiji.caching.responses.cached` below its declaration
may then answer from the response cache: after, never instead of, these checks.

A central admin acts as tenant admin in every tenant; entering a tenant other than the one
they were last in appends a ``tenant.switch`` event to the *target* tenant's audit chain,
whether they came through the switcher or typed the URL.
"""

# whole-module: the check every request passes, in one place: the declarations on the
# views, who the caller is (session or token), the tenant entered, and the check run before
# each view; a security review reads it as one file (docs/security.md).

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from flask import Flask, abort, current_app, g, request, session
from sqlalchemy import select
from sqlalchemy.orm import Session

from shuangsuiji.caching.generation import attach, tenant_and_head
from shuangsuiji.db import TenantOwned, set_tenant
from shuangsuiji.models.accounts import ROLES, User
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.services import accounts, audit, callers
from shuangsuiji.services.callers import Caller

F = TypeVar("F", bound=Callable[..., Any])

#: The attribute a declaration leaves on a view function.
ACCESS_ATTR = "_ssj_access"
PUBLIC = "public"
SIGNED_IN = "signed_in"
#: The URL variable naming the tenant; taken out before the view is called.
TENANT_ARG = "tenant_slug"
#: Methods that change nothing.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Keys in the signed session cookie.
SESSION_USER = "uid"
SESSION_NONCE = "nonce"
SESSION_ACTING = "acting_tenant"
#: When the session was started (sign-in) and last used, in seconds since the epoch.
SESSION_STARTED = "started"
SESSION_SEEN = "seen"
#: The last-use time is rewritten at most this often (each rewrite is a new cookie).
SEEN_PRECISION_SECONDS = 60


def _now() -> float:
    return time.time()


class UndeclaredEndpoint(RuntimeError):
    """A view that says nothing about who may call it."""


# --- declarations ---------------------------------------------------------------------


def _declare(view: F, declaration: frozenset[str] | str) -> F:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _enforce(declaration)
        return view(*args, **kwargs)

    setattr(wrapper, ACCESS_ATTR, declaration)
    return cast(F, wrapper)


def allow(*roles: str) -> Callable[[F], F]:
    """Admit signed-in users holding one of ``roles`` in the URL's tenant."""
    unknown = set(roles) - set(ROLES)
    if not roles or unknown:
        raise ValueError(f"allow(): unknown or no roles {sorted(unknown)}; roles are {ROLES}")
    frozen = frozenset(roles)
    return lambda view: _declare(view, frozen)


def allow_public(view: F) -> F:
    """Admit anyone, signed in or not."""
    return _declare(view, PUBLIC)


def allow_signed_in(view: F) -> F:
    """Admit any signed-in user, whatever their roles."""
    return _declare(view, SIGNED_IN)


def declaration_of(view: Callable[..., Any]) -> frozenset[str] | str | None:
    """What a view function declares, including MethodView classes (flask-smorest)."""
    found = getattr(view, ACCESS_ATTR, None)
    if found is not None:
        return cast("frozenset[str] | str", found)
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return None
    found = getattr(view_class, ACCESS_ATTR, None)
    if found is not None:
        return cast("frozenset[str] | str", found)
    methods = [getattr(view_class, m.lower(), None) for m in (view_class.methods or ())]
    marks = {getattr(m, ACCESS_ATTR, None) for m in methods if m is not None}
    # Each HTTP method carries its own check; the endpoint counts as declared when all do.
    return "per_method" if marks and None not in marks else None


def mark_public_endpoint(app: Flask, endpoint: str) -> None:
    """Declare a view we did not write (e.g. the OpenAPI document) as public."""
    view = app.view_functions[endpoint]
    app.view_functions[endpoint] = _declare(view, PUBLIC)


def check_declared(app: Flask) -> None:
    """Raise :class:`UndeclaredEndpoint` naming every endpoint that declares nothing."""
    missing = sorted(
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not endpoint.endswith(".static")
        and declaration_of(view) is None
    )
    if missing:
        raise UndeclaredEndpoint(
            "these endpoints declare no access rule: " + ", ".join(missing)
            + " — decorate each view with @allow(...), @allow_signed_in or @allow_public "
            "(shuangsuiji.access)"
        )


# --- the request's caller, tenant and session -----------------------------------------


def db_session() -> Session:
    """The request's database session (closed at teardown; callers commit), made on first
    use and scoped to the request's tenant once access to it was checked. Every audit event
    written through it names the caller, if there is one, as the actor."""
    found = g.get("_ssj_session")
    if found is None:
        platform = current_app.extensions["shuangsuiji"]
        found = platform.db.sessionmaker()
        set_tenant(found, current_tenant_id())
        caller = current_caller()
        if caller is not None:
            audit.set_actor(found, caller.username)
        g._ssj_session = found
    return cast(Session, found)


def _scope_session(tenant_id: int) -> None:
    """The access check passed for ``tenant_id``: scope the request's session to it (now if
    it exists, else when it is made: a response from the cache never needs one)."""
    g._ssj_tenant_entered = True
    found = g.get("_ssj_session")
    if found is not None:
        set_tenant(found, tenant_id)


def current_caller() -> Caller | None:
    """The signed-in (or token-authenticated) caller, or None (no ORM object needed)."""
    return cast("Caller | None", g.get("_ssj_caller"))


def current_user() -> User | None:
    """The signed-in (or token-authenticated) user as an ORM object, or None."""
    found = g.get("_ssj_user")
    if found is None:
        caller = current_caller()
        if caller is None:
            return None
        # Made into an ORM object on first use: a response from the cache never asks.
        found = g._ssj_user = callers.attach(db_session(), caller)
    return cast(User, found)


def _set_caller(caller: Caller | None, user: User | None = None) -> None:
    """Who is asking (and their ORM object, when it was loaded to find them)."""
    g._ssj_caller = caller
    g._ssj_user = user
    found = g.get("_ssj_session")
    if caller is not None and found is not None:
        audit.set_actor(found, caller.username)  # else set when the session is made


def current_tenant() -> Tenant | None:
    """The tenant of this request, once access to it has been checked; else None."""
    return url_tenant() if g.get("_ssj_tenant_entered") else None


def url_tenant() -> Tenant | None:
    """The tenant named by the URL, checked or not (for layouts and error pages)."""
    found = g.get("_ssj_url_tenant")
    if found is None:
        row = g.get("_ssj_url_tenant_row")
        if row is None:
            return None
        # Made into an ORM object on first use: a response from the cache never asks.
        found = g._ssj_url_tenant = attach(db_session(), row)
    return cast(Tenant, found)


def url_tenant_id() -> int | None:
    """The id of the tenant named by the URL (no ORM object needed)."""
    row = g.get("_ssj_url_tenant_row")
    return None if row is None else cast(int, row.id)


def current_tenant_id() -> int | None:
    """The id of :func:`current_tenant`."""
    return url_tenant_id() if g.get("_ssj_tenant_entered") else None


def tenant_generation() -> str | None:
    """The generation (audit-chain head) of the URL's tenant, read with the tenant row."""
    return cast("str | None", g.get("_ssj_generation"))


def access_checked() -> bool:
    """Whether this request passed its view's access check (the response cache asks)."""
    return bool(g.get("_ssj_access_checked"))


def current_roles() -> frozenset[str]:
    """The current caller's roles in the current tenant."""
    caller, tenant_id = current_caller(), url_tenant_id()
    if caller is None or tenant_id is None:
        return frozenset()
    return accounts.roles_in(caller, tenant_id)


def has_role(*roles: str) -> bool:
    """Whether the current caller holds one of ``roles`` in the current tenant (for templates:
    show a button only to those the view behind it admits)."""
    return bool(current_roles() & set(roles))


def via_token() -> bool:
    """Whether the current request authenticated with an API token."""
    return bool(g.get("_ssj_via_token"))


def login_user(user: User) -> None:
    """Start a browser session for ``user`` (after a checked password)."""
    session.clear()  # a new session id for a new login: no fixation
    session[SESSION_USER] = user.id
    session[SESSION_NONCE] = user.session_nonce
    session[SESSION_STARTED] = session[SESSION_SEEN] = int(_now())
    session.permanent = True
    _set_caller(callers.of_user(user), user)


def logout_user() -> None:
    session.clear()
    _set_caller(None)


def caller_from_header(header: str | None) -> Caller | None:
    """The caller of an ``Authorization: Bearer <token>`` header value, or None.

    Called for every request carrying the header; the API needs nothing else to make
    ``@allow`` work with tokens.
    """
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    engine = current_app.extensions["shuangsuiji"].db.engine
    return accounts.caller_from_token(engine, token.strip())


def lookup(model: type[Any], object_id: Any) -> Any:
    """The ``model`` row with this id *in the current tenant*, or 404.

    Goes through a SELECT (not ``Session.get``, which may answer from the identity map
    without the tenant filter), so an id from another tenant is not found.
    """
    if not issubclass(model, TenantOwned):
        raise TypeError(f"lookup() is for tenant-owned models, not {model.__name__}")
    if current_tenant() is None:
        abort(404)
    try:
        key = int(object_id)
    except (TypeError, ValueError):
        abort(404)
    entity: Any = model  # every TenantOwned model has an integer ``id`` primary key
    found = db_session().scalar(select(entity).where(entity.id == key))
    if found is None:
        abort(404)
    return found


# --- enforcement ----------------------------------------------------------------------


def _load_user() -> None:
    header = request.headers.get("Authorization")
    if header is not None:
        g._ssj_via_token = True
        _set_caller(caller_from_header(header))
        found = g.get("_ssj_session")
        if found is not None and request.method not in SAFE_METHODS:
            # Resolving the token may have written its last_used_at on a connection of its
            # own, after this session's read transaction began; on SQLite that transaction
            # could then not write at all ("database is locked": its snapshot is stale).
            # End it here, so a writing view starts from a fresh one. (The token is
            # resolved before the session is made, so normally there is none yet.)
            found.commit()
    else:
        user = _user_from_cookie()
        _set_caller(None if user is None else callers.of_user(user), user)


def _session_expired() -> bool:
    """Whether the session outlived its absolute lifetime (from sign-in) or sat idle too
    long (``SSJ_SESSION_MAX_HOURS``, ``SSJ_SESSION_IDLE_MINUTES``); else note this use."""
    now = _now()
    started, seen = session.get(SESSION_STARTED), session.get(SESSION_SEEN)
    if not isinstance(started, int) or not isinstance(seen, int):
        return True  # a cookie from before lifetimes were kept: sign in again
    config = current_app.config
    if now - started > float(config["SSJ_SESSION_MAX_HOURS"]) * 3600:
        return True
    if now - seen > float(config["SSJ_SESSION_IDLE_MINUTES"]) * 60:
        return True
    if now - seen >= SEEN_PRECISION_SECONDS:
        session[SESSION_SEEN] = int(now)
    return False


def _user_from_cookie() -> User | None:
    uid = session.get(SESSION_USER)
    if isinstance(uid, int) and _session_expired():
        lang = session.get("lang")  # web.i18n.SESSION_LANG: the language outlives it
        session.clear()
        if lang:
            session["lang"] = lang
        return None
    user = db_session().get(User, uid) if isinstance(uid, int) else None
    if user is not None and (not user.active or session.get(SESSION_NONCE) != user.session_nonce):
        session.clear()  # password changed or account disabled since this cookie was issued
        user = None
    return user


def _pull_tenant(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if not values or TENANT_ARG not in values:
        return
    slug = values.pop(TENANT_ARG)
    found = tenant_and_head(current_app.extensions["shuangsuiji"].db.engine, slug)
    if found is None:
        abort(404)
    g._ssj_url_tenant_row, g._ssj_generation = found


def _push_tenant(endpoint: str, values: dict[str, Any]) -> None:
    """Fill ``tenant_slug`` in ``url_for`` from the current tenant, so templates need not."""
    if TENANT_ARG in values:
        return
    tenant = url_tenant()
    if tenant is not None and current_app.url_map.is_endpoint_expecting(endpoint, TENANT_ARG):
        values[TENANT_ARG] = tenant.slug


def _enter_tenant(tenant_id: int) -> None:
    """Set the checked tenant on the session; log a central admin's switch."""
    caller = current_caller()
    _scope_session(tenant_id)
    if caller is None or via_token() or not accounts.is_central_admin(caller):
        return
    if accounts.grants_in(caller, tenant_id):
        return
    tenant = url_tenant()
    assert tenant is not None
    if session.get(SESSION_ACTING) == tenant.slug:
        return
    # Crossing into a tenant is an explicit central-admin act: log it where it lands, and
    # commit now, so it is kept even if the page itself fails.
    s = db_session()
    audit.record(s, tenant_id=tenant_id, action="tenant.switch", object_type="tenant",
                 object_id=tenant.slug, actor=caller.username,
                 payload={"from": session.get(SESSION_ACTING)})
    s.commit()
    session[SESSION_ACTING] = tenant.slug


def _enforce(declaration: frozenset[str] | str) -> None:
    _check(declaration)
    g._ssj_access_checked = True


def _check(declaration: frozenset[str] | str) -> None:
    """Refuse (401, 403) unless the request's caller satisfies ``declaration``; on success
    set the checked tenant on the request's session (when it is made: none is needed)."""
    tenant_id = url_tenant_id()
    if declaration == PUBLIC:
        if tenant_id is not None:
            _scope_session(tenant_id)
        return
    caller = current_caller()
    if caller is None:
        abort(401)
    if declaration == SIGNED_IN:
        if tenant_id is not None and not accounts.roles_in(caller, tenant_id):
            abort(403)
        if tenant_id is not None:
            _enter_tenant(tenant_id)
        return
    roles = cast(frozenset[str], declaration)
    if tenant_id is None:
        # A view outside any tenant: the role anywhere will do.
        held = {g_.role for g_ in caller.grants}
        if accounts.is_central_admin(caller):
            held |= {"tenant_admin"}
        if not held & roles:
            abort(403)
        return
    if not accounts.roles_in(caller, tenant_id) & roles:
        abort(403)
    _enter_tenant(tenant_id)


def _refuse_undeclared() -> None:
    if request.endpoint is None or request.endpoint == "static":
        return
    if request.endpoint.endswith(".static"):
        return
    view = current_app.view_functions.get(request.endpoint)
    if view is not None and declaration_of(view) is None:
        current_app.logger.error("refused undeclared endpoint %s", request.endpoint)
        abort(403)


def _close_session(_exc: BaseException | None) -> None:
    found = g.pop("_ssj_session", None)
    if found is not None:
        found.close()


def init_app(app: Flask) -> None:
    """Install the per-request hooks. Call :func:`check_declared` after every blueprint is
    registered (``shuangsuiji.web.init_app`` does)."""
    app.url_value_preprocessor(_pull_tenant)
    app.url_defaults(_push_tenant)
    # Before any other before_request (CSRF, the views' own): who is asking comes first.
    app.before_request_funcs.setdefault(None, []).insert(0, _load_user)
    app.before_request(_refuse_undeclared)
    app.teardown_appcontext(_close_session)


def roles_required_by(view: Callable[..., Any]) -> Iterable[str]:
    """The roles a view admits (empty for public and signed-in views); used by the tests."""
    found = declaration_of(view)
    return sorted(found) if isinstance(found, frozenset) else ()
