"""Error pages: a user error shows its message, where and hint; never a traceback.

Messages from the services are translated into the page's language (see
:mod:`shuangsuiji.web.localise`). API paths (``/api/``) get JSON in the API's error shape
instead, in the API's language; the API's own blueprint handlers take precedence inside its
views, these cover what reaches the app.
"""

from __future__ import annotations

import contextlib
from typing import Any

from flask import Flask, Response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from shuangsuiji import access
from shuangsuiji.db.session import is_busy
from shuangsuiji.errors import Conflict, NotFound, UserError
from shuangsuiji.kernel import KernelError
from shuangsuiji.messages import reason
from shuangsuiji.web import localise as localisation
from shuangsuiji.web.localise import api_language, localise

TITLES: dict[int, Any] = {
    400: _l("The request could not be handled"),
    401: _l("Please sign in"),
    403: _l("You may not open this page"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    409: _l("Conflict with the current state"),
    413: _l("The file is too large"),
    503: _l("Busy: try again in a moment"),
    500: _l("Something went wrong on our side"),
}

EXPLANATIONS: dict[int, Any] = {
    403: _l("Your account has no role that allows this in this jurisdiction."),
    404: _l("The address is wrong, or the object belongs to another jurisdiction."),
    405: _l("Use the buttons on the page instead of typing the address."),
    500: _l("The error was logged. Tell the platform administrator the time it happened."),
}


def _is_api() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def _json(code: int, message: str, where: str | None = None,
          hint: str | None = None) -> tuple[dict[str, Any], int]:
    from werkzeug.http import HTTP_STATUS_CODES

    language = api_language()
    body: dict[str, Any] = {"code": code, "status": HTTP_STATUS_CODES.get(code, "Error"),
                            "message": localise(message, language)}
    if where:
        body["where"] = localise(where, language)
    if hint:
        body["hint"] = localise(hint, language)
    return body, code


def render_error(code: int, message: str | None = None, *, where: str | None = None,
                 hint: str | None = None) -> tuple[str, int]:
    """The HTML error page in the current language (service messages translated)."""
    return render_template(
        "error.html", code=code, title=TITLES.get(code, TITLES[400]),
        message=localise(message) or EXPLANATIONS.get(code, ""), where=localise(where),
        hint=localise(hint),
    ), code


def _http(exc: HTTPException) -> Any:
    code = exc.code or 500
    if _is_api():
        headers = {"WWW-Authenticate": 'Bearer realm="shuangsuiji"'} if code == 401 else {}
        body, status = _json(code, exc.description or exc.name)
        return body, status, headers
    if code == 401:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return render_error(code)


def _too_large(exc: HTTPException) -> Any:
    """An upload beyond MAX_CONTENT_LENGTH: refused before it is read; nothing recorded."""
    from flask import current_app

    limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    message = _l("The file is larger than %(limit)d MiB, the most this platform accepts. "
                 "Nothing was imported.", limit=limit)
    hint = _l("Split the file into several smaller ones, or ask the platform administrator "
              "to raise SSJ_MAX_UPLOAD_MB.")
    if _is_api():
        return _json(413, str(message), hint=str(hint))
    return render_error(413, str(message), hint=str(hint))


def _user_error(exc: UserError) -> Any:
    code = 404 if isinstance(exc, NotFound) else 409 if isinstance(exc, Conflict) else 400
    access.db_session().rollback()
    if _is_api():
        return _json(code, exc.message, exc.where, exc.hint)
    return render_error(code, exc.message, where=exc.where, hint=exc.hint)


def _kernel_error(exc: KernelError) -> Any:
    """The kernel refused its input (an empty pool, too few inspectors): the user's to fix."""
    access.db_session().rollback()
    if _is_api():
        return _json(400, reason(exc))
    return render_error(400, reason(exc))


def _csrf(exc: CSRFError) -> Any:
    if _is_api():
        return _json(400, exc.description)
    return render_error(400, str(_l("The form expired or did not come from this site. "
                                    "Reload the page and submit it again.")))


#: Seconds a client is asked to wait when the database was busy.
BUSY_RETRY_AFTER = 2


def _operational(exc: OperationalError) -> Any:
    """Another writer held the database (a draw, an import): 503 with Retry-After and a
    message, never a 500; nothing of the request was committed."""
    if not is_busy(exc):
        return _unexpected_or_raise(exc)
    from flask import current_app

    current_app.logger.warning("database busy in %s %s: %s", request.method, request.path,
                               exc.orig)
    with contextlib.suppress(Exception):
        access.db_session().rollback()
    message = _l("The database is busy with another change (a draw or an import). Nothing "
                 "was changed: try again in a moment.")
    headers = {"Retry-After": str(BUSY_RETRY_AFTER)}
    if _is_api():
        body, code = _json(503, str(message))
        return body, code, headers
    page, code = render_error(503, str(message))
    return page, code, headers


def _unexpected_or_raise(exc: Exception) -> Any:
    from flask import current_app

    if current_app.config.get("TESTING") and not current_app.config.get(
            "SSJ_ERROR_PAGES_IN_TESTS"):
        raise exc
    return _unexpected(exc)


def _unexpected(exc: Exception) -> Any:
    if isinstance(exc, HTTPException):
        return _http(exc)
    from flask import current_app

    current_app.logger.exception("unhandled error in %s %s", request.method, request.path)
    try:
        access.db_session().rollback()
    except Exception:  # the session itself may be what failed
        current_app.logger.exception("rollback failed")
    if _is_api():
        return _json(500, "internal error", hint="the error was logged")
    try:
        return render_error(500)
    except Exception:  # the template layer itself failed: plain text, still no traceback
        return Response("500 — 服务器内部错误 / internal error", status=500,
                        mimetype="text/plain")


def init_app(app: Flask) -> None:
    localisation.init_app(app)
    for code in (400, 401, 403, 404, 405, 409, 500):
        app.register_error_handler(code, _http)
    app.register_error_handler(413, _too_large)
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(UserError, _user_error)
    app.register_error_handler(KernelError, _kernel_error)
    app.register_error_handler(OperationalError, _operational)
    # Only in production: in tests a bug should fail loudly with its traceback.
    if not app.config.get("TESTING") or app.config.get("SSJ_ERROR_PAGES_IN_TESTS"):
        app.register_error_handler(Exception, _unexpected)
