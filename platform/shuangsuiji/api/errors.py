"""JSON errors for the API: never an HTML page, never a traceback.

Every error body has the same shape (:class:`ErrorSchema`): ``code`` and ``status`` (the
HTTP status and its name), ``message`` (what was wrong), and where it helps ``where``
(which field, row or object), ``hint`` (what to do) and ``errors`` (per-field messages from
marshmallow, ``{"json": {"seed": ["..."]}}``, keyed by request location then field).

Language: ``message``, ``where`` and ``hint`` are English unless the request's
``Accept-Language`` prefers Chinese (``zh``, ``zh-CN``), in which case the platform's own
messages are in Chinese (marshmallow's per-field ``errors`` stay English); the response says
which in ``Content-Language``.

Mapping: marshmallow validation → 422 with ``errors``; :class:`~shuangsuiji.errors.NotFound`
→ 404; :class:`~shuangsuiji.errors.Conflict` → 409; :class:`~shuangsuiji.errors.Forbidden`
→ 403; any other :class:`~shuangsuiji.errors.UserError`, a kernel refusal
(:class:`~shuangsuiji.kernel.errors.KernelError`), or a pack with no rule for the request →
400; a database busy with another writer → 503 with Retry-After; an unexpected exception →
500 with a generic message (logged with its traceback, not shown).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask import Flask, current_app, request
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from shuangsuiji.db.session import is_busy
from shuangsuiji.errors import Conflict, Forbidden, NotFound, UserError
from shuangsuiji.kernel.errors import KernelError
from shuangsuiji.messages import msg, reason
from shuangsuiji.packs.errors import PackError
from shuangsuiji.web.localise import api_language, localise

API_PREFIX = "/api/v1"


class ErrorSchema(ma.Schema):
    """The body of every API error (documented in the OpenAPI document)."""

    code = ma.fields.Integer(required=True, metadata={"description": "HTTP status code"})
    status = ma.fields.String(required=True, metadata={"description": "HTTP status name"})
    message = ma.fields.String(metadata={"description": "What was wrong"})
    where = ma.fields.String(
        allow_none=True, metadata={"description": "The field, row or object concerned"}
    )
    hint = ma.fields.String(allow_none=True, metadata={"description": "What to do about it"})
    errors = ma.fields.Dict(
        metadata={"description": "Per-field messages, by request location then field name"}
    )


def error_body(
    code: int,
    message: str,
    *,
    where: str | None = None,
    hint: str | None = None,
    errors: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], int]:
    """The JSON body and status of an API error, its messages in the API's language."""
    language = api_language()
    body: dict[str, Any] = {
        "code": code,
        "status": HTTP_STATUS_CODES.get(code, "Error"),
        "message": localise(message, language),
    }
    if where:
        body["where"] = localise(where, language)
    if hint:
        body["hint"] = localise(hint, language)
    if errors:
        body["errors"] = errors
    return body, code


def is_api_request() -> bool:
    """Whether the current request is for the API (JSON errors) rather than the portal."""
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def user_error_status(exc: UserError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Conflict):
        return 409
    if isinstance(exc, Forbidden):
        return 403
    return 400


def language_headers() -> dict[str, str]:
    """Which language an error body is in, and that it depends on Accept-Language."""
    return {"Content-Language": api_language().replace("_", "-"), "Vary": "Accept-Language"}


def handle_user_error(exc: UserError) -> tuple[dict[str, Any], int, dict[str, str]]:
    body, code = error_body(user_error_status(exc), exc.message, where=exc.where,
                            hint=exc.hint)
    return body, code, language_headers()


def handle_pack_error(exc: PackError) -> tuple[dict[str, Any], int, dict[str, str]]:
    # Packs are checked at start-up (every tenant's chain must be installed), so a PackError
    # during a request means the request asked about something the rules do not cover, most
    # often a date before the first version in force (a plan for the year 2000): the
    # caller's input, hence 400, not a 5xx that reads like an outage.
    body, code = error_body(
        400, exc.message, where=msg("pack %(pack)s", pack=exc.pack),
        hint=msg("check the dates in the request against the pack's versions "
                 "(`ssj packs list`)"))
    return body, code, language_headers()


def handle_kernel_error(exc: KernelError) -> tuple[dict[str, Any], int, dict[str, str]]:
    """The kernel refused its input (an empty pool, too few inspectors, a recusal with no
    one left): the caller's to fix, 400 with what the kernel said, never a 500."""
    context_session_rollback()
    body, code = error_body(400, reason(exc),
                            hint=msg("check the task's directories and rules, then try again"))
    return body, code, language_headers()


def context_session_rollback() -> None:
    from shuangsuiji import access

    with contextlib.suppress(Exception):
        access.db_session().rollback()


def handle_integrity_error(exc: IntegrityError) -> tuple[dict[str, Any], int, dict[str, str]]:
    # Unique constraints are how the database refuses a second draw of the same task or a
    # duplicate code under concurrency; the services turn the ones they expect into
    # Conflict, and this catches the rest so a race never becomes a 500.
    current_app.logger.info("API integrity error: %s", exc.orig)
    body, code = error_body(409, msg("the change conflicts with data written at the same time"),
                            hint=msg("reload the object and try again"))
    return body, code, language_headers()


#: What a bare ``abort(code)`` (access.py's) means in the API, instead of werkzeug's prose.
PLAIN_MESSAGES: dict[int, tuple[str, str | None]] = {
    401: (msg("this needs an API token"),
          msg("send Authorization: Bearer <token>; an unknown, revoked or disabled account's "
              "token counts as none (issue one with `ssj users token`)")),
    403: (msg("the token's account has no role that allows this in this tenant"),
          msg("GET /api/v1/me lists your roles; ask a tenant admin for the role")),
    404: (msg("not found: the address is wrong, or the object belongs to another tenant"),
          None),
    405: (msg("this method is not allowed on this address"), None),
}


def handle_http_exception(exc: HTTPException) -> tuple[dict[str, Any], int, dict[str, str]]:
    """flask-smorest's ``abort`` and werkzeug's exceptions, as JSON."""
    code = exc.code or 500
    data = getattr(exc, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    plain, plain_hint = PLAIN_MESSAGES.get(code, (exc.description or exc.name, None))
    message = data.get("message") or plain
    if "hint" not in data and plain_hint:
        data = {**data, "hint": plain_hint}
    if errors and code == 422:
        message = msg("the request is not valid: see errors for each field")
    if not isinstance(message, str):
        message = str(message)
    body, _ = error_body(code, message, where=data.get("where"), hint=data.get("hint"),
                         errors=errors)
    headers = {**language_headers(), **dict(data.get("headers") or {})}
    if code == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
        headers["Allow"] = ", ".join(exc.valid_methods)
    if code == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="shuangsuiji"')
    return body, code, headers


def handle_operational(exc: OperationalError) -> tuple[dict[str, Any], int, dict[str, str]]:
    """The database was busy (another writer held the lock): 503 with Retry-After."""
    if not is_busy(exc):
        return handle_unexpected(exc)
    current_app.logger.warning("API: database busy in %s %s: %s", request.method,
                               request.path, exc.orig)
    body, code = error_body(503, msg("the database is busy with another change (a draw or "
                                     "an import); nothing was changed"),
                            hint=msg("try again in a moment"))
    return body, code, {**language_headers(), "Retry-After": "2"}


def handle_unexpected(exc: Exception) -> tuple[dict[str, Any], int, dict[str, str]]:
    current_app.logger.exception("unhandled error in %s %s", request.method, request.path)
    body, code = error_body(500, InternalServerError.description,
                            hint=msg("the error was logged; tell the platform administrator "
                                     "the time"))
    return body, code, language_headers()


def register_on_blueprints(blueprints: list[Any]) -> None:
    """Install the handlers on the API blueprints (once: they are module-level objects that
    every app of a test run registers, and Flask freezes a blueprint's setup after that).

    Handlers on a blueprint only see errors raised inside its views, so the portal's HTML
    error pages stay as the web layer made them.
    """
    for blp in blueprints:
        if getattr(blp, "_ssj_error_handlers", False):
            continue
        blp._ssj_error_handlers = True
        # By code as well as by class: Flask prefers an app-level handler for a status code
        # (the portal's HTML pages) over a blueprint's class handler.
        for code in (400, 401, 403, 404, 405, 409, 422, 500):
            blp.register_error_handler(code, handle_http_exception)
        blp.register_error_handler(UserError, handle_user_error)
        blp.register_error_handler(PackError, handle_pack_error)
        blp.register_error_handler(KernelError, handle_kernel_error)
        blp.register_error_handler(IntegrityError, handle_integrity_error)
        blp.register_error_handler(OperationalError, handle_operational)
        blp.register_error_handler(HTTPException, handle_http_exception)
        blp.register_error_handler(Exception, handle_unexpected)


def register_on_app(app: Flask) -> None:
    """Routing errors (404/405 before any view runs) belong to no blueprint: answer JSON for
    /api/v1 paths and hand anything else to the handler that was there before."""
    for code in (404, 405):
        previous = app.error_handler_spec.get(None, {}).get(code, {})
        fallback: Callable[[Any], Any] | None = next(iter(previous.values()), None)
        app.register_error_handler(code, _chained(fallback))


def _chained(fallback: Callable[[Any], Any] | None) -> Callable[[HTTPException], Any]:
    def handler(exc: HTTPException) -> Any:
        if is_api_request():
            return handle_http_exception(exc)
        if fallback is not None:
            return fallback(exc)
        # A handler the web layer registered by class (HTTPException) rather than by code
        # would be shadowed by ours, which is registered by code: look it up and call it.
        by_class = current_app.error_handler_spec.get(None, {}).get(None, {})
        for cls in type(exc).__mro__:
            web_handler = by_class.get(cls)
            if web_handler is not None:
                return web_handler(exc)
        return exc

    return handler
