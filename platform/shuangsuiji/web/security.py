"""CSRF on every form, secure cookies, and the security headers of every response."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, Response
from flask_wtf.csrf import CSRFProtect

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
    if access.via_token():
        return
    from flask import current_app

    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect(apply_exemptions=True)


def _headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        # setdefault: a view with its own policy (e.g. the API's documentation page) keeps it.
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(hours=8))
    app.config.setdefault("SESSION_COOKIE_NAME", "ssj_session")
    # We call protect() ourselves, after the user is loaded, so token requests can skip it.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid for the session's life
    csrf.init_app(app)
    app.before_request(_protect)
    app.after_request(_headers)
