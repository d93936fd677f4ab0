"""CSRF on every form, secure cookies, session lifetimes, upload size, and the security
headers of every response (HSTS when cookies are secure, i.e. the site is served over HTTPS).

Sessions: the cookie is ``ssj_session``; a session ends ``SSJ_SESSION_IDLE_MINUTES`` (30)
after its last use and ``SSJ_SESSION_MAX_HOURS`` (8, a working day) after sign-in, whatever
its use (enforced in :mod:`shuangsuiji.access` from times kept in the signed cookie; the
cookie itself expires at the absolute lifetime)."""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any

from flask import Flask, Response, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from itsdangerous import URLSafeTimedSerializer
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from shuangsuiji import access

csrf = CSRFProtect()

SESSION_COOKIE_NAME = "ssj_session"

#: Everything is served from this origin: no CDN, no inline script or style.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _protect() -> None:
    # Token-authenticated requests carry no ambient credential a third-party page could
    # borrow, so CSRF does not apply to them; every cookie-authenticated write is checked.
    if access.via_token() or request.method not in current_app.config["WTF_CSRF_METHODS"]:
        return  # (protect() would return for these methods too, after finding the view)
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect(apply_exemptions=True)


def check_csrf() -> None:
    """Check the request's CSRF token now: for an exempt view that still needs it for some
    callers (the language switch, for signed-in users)."""
    if not access.via_token() and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer made once per key.

    Flask builds a new serializer on every request, cookie or not; for a response served
    from the cache that was a tenth of the request's time.
    """

    def __init__(self) -> None:
        self._serializers: dict[Any, URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        found = self._serializers.get(keys)
        if found is None:
            found = super().get_signing_serializer(app)
            if found is None:
                return None
            self._serializers[keys] = found
        return found


#: Sent with every response when cookies are secure (HTTPS): a year, as browsers expect.
HSTS = "max-age=31536000"


def _headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        # setdefault: a view with its own policy (e.g. the API's documentation page) keeps it.
        response.headers.setdefault(name, value)
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def _int_setting(app: Flask, key: str) -> int:
    value = app.config.get(key)
    try:
        return int(str(value))
    except ValueError:
        raise ValueError(f"{key}={value!r}: a whole number is needed") from None


def _trust_proxies(app: Flask) -> None:
    """Behind ``SSJ_TRUSTED_PROXIES`` reverse proxies, take the client's address, scheme and
    host from their X-Forwarded-* headers (werkzeug's ProxyFix, trusting that many hops and
    no more). 0 (the default): the headers are ignored, so a client cannot forge them."""
    hops = _int_setting(app, "SSJ_TRUSTED_PROXIES")
    if hops < 0:
        raise ValueError(f"SSJ_TRUSTED_PROXIES={hops}: 0 or more proxies")
    app.config["SSJ_TRUSTED_PROXIES"] = hops
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops,  # type: ignore[method-assign]
                                x_host=hops, x_port=hops, x_prefix=hops)


#: The largest id an ``<int:...>`` URL part matches: the smallest id column's (INTEGER on
#: PostgreSQL and MariaDB is 32-bit, 2**31 - 1). A larger number is a 404 (no such route),
#: not a 500 from the driver's overflow.
MAX_URL_INT = 2**31 - 1


def init_app(app: Flask) -> None:
    _trust_proxies(app)
    # Before any blueprint is registered: rules pick their converter when they are added.
    app.url_map.converters["int"] = functools.partial(  # type: ignore[assignment]
        IntegerConverter, max=MAX_URL_INT)  # instances stay IntegerConverter (the docs)
    # The largest request body (an upload): werkzeug answers 413 beyond it, before reading.
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = _int_setting(app, "SSJ_MAX_UPLOAD_MB") * 1024 * 1024
    # Set, not setdefault: Flask's defaults already hold these keys (31 days, "session").
    app.config["SSJ_SESSION_IDLE_MINUTES"] = _int_setting(app, "SSJ_SESSION_IDLE_MINUTES")
    app.config["SSJ_SESSION_MAX_HOURS"] = _int_setting(app, "SSJ_SESSION_MAX_HOURS")
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(
        hours=app.config["SSJ_SESSION_MAX_HOURS"])
    app.config["SESSION_COOKIE_NAME"] = SESSION_COOKIE_NAME
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    # We call protect() ourselves, after the user is loaded, so token requests can skip it.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid for the session's life
    csrf.init_app(app)
    app.session_interface = SessionInterface()
    app.before_request(_protect)
    app.after_request(_headers)
