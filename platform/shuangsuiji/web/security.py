"""CSRF on every form, secure cookies, and the security headers of every response."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask, Response, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from itsdangerous import URLSafeTimedSerializer

from shuangsuiji import access

csrf = CSRFProtect()

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


def _headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        # setdefault: a view with its own policy (e.g. the API's documentation page) keeps it.
        response.headers.setdefault(name, value)
    return response


def _int_setting(app: Flask, key: str) -> int:
    value = app.config.get(key)
    try:
        return int(str(value))
    except ValueError:
        raise ValueError(f"{key}={value!r}: a whole number is needed") from None


def init_app(app: Flask) -> None:
    # The largest request body (an upload): werkzeug answers 413 beyond it, before reading.
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = _int_setting(app, "SSJ_MAX_UPLOAD_MB") * 1024 * 1024
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(hours=8))
    app.config.setdefault("SESSION_COOKIE_NAME", "ssj_session")
    # We call protect() ourselves, after the user is loaded, so token requests can skip it.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid for the session's life
    csrf.init_app(app)
    app.session_interface = SessionInterface()
    app.before_request(_protect)
    app.after_request(_headers)
