"""The ``@cached`` view decorator: serve a read-only view's response again while nothing it
could show has changed.

Place it *below* the access declaration, so it runs after the access decision::

    @bp.get("/<tenant_slug>/tasks")
    @allow_public
    @cached
    def tasks() -> str: ...

Authentication and authorization therefore run on every request (a revoked token is refused
at once, a withdrawn role too); a view reached without that check raises instead of serving.

The key of a response is

* the tenant and its **generation** (the head of its audit chain, read with the tenant row
  by :func:`shuangsuiji.access._pull_tenant`): every committed change to the tenant's data
  appends an audit event in the same transaction, so a new generation means new keys in
  every worker at once;
* the host, the full path and the query string;
* the language (the ``ssj_lang`` cookie; for the API also ``Accept-Language``);
* today's date in Asia/Shanghai (pages and deadlines count days from it);
* the caller: nobody (the public), or for a token-authenticated call the user and their
  grants in the tenant (roles, departments, inspector codes).

Not cached: a visitor whose session cookie holds something (a flashed message), and
browser sessions of signed-in users (their pages carry a CSRF token and a personal header);
responses other than 200, streamed ones, ones that set a cookie or touched the session.

Every cached response also carries a weak ``ETag`` derived from the key (and the release,
so an upgrade changes it) and is answered with 304 when the client's ``If-None-Match``
holds it; ``Cache-Control`` is ``public`` for the public, ``private`` for a token's caller,
both ``max-age=0, must-revalidate``: a proxy or browser may keep the page but must ask
again, and the answer is cheap.

The ``Date``-like inputs are all in the key, so the store needs no expiry: entries of an
older generation are unreachable and are dropped when a newer generation is seen, and the
LRU bounds the rest (``SSJ_RESPONSE_CACHE_ENTRIES``, ``SSJ_RESPONSE_CACHE_BYTES``,
``SSJ_RESPONSE_CACHE_ENTRY_BYTES``; 0 entries turns storing off, the ETags stay).
"""

from __future__ import annotations

import functools
import hashlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from flask import Flask, Response, current_app, request, session

from shuangsuiji import access
from shuangsuiji.caching.store import ResponseStore, StoredResponse
from shuangsuiji.services import accounts
from shuangsuiji.services.lifecycle import today_in_china
from shuangsuiji.web.i18n import current_language

F = TypeVar("F", bound=Callable[..., Any])

EXTENSION = "ssj_response_cache"
API_PREFIX = "/api/"
#: Left on a cached view (and copied onto the access wrapper by functools.wraps).
CACHED_ATTR = "_ssj_cached"

DEFAULTS = {
    "SSJ_RESPONSE_CACHE_ENTRIES": 512,
    "SSJ_RESPONSE_CACHE_BYTES": 32 * 1024 * 1024,
    "SSJ_RESPONSE_CACHE_ENTRY_BYTES": 2 * 1024 * 1024,
}

#: Headers a stored response does not keep: computed per response, or never to be replayed
#: to another caller (cookies). The validators (ETag, Cache-Control, Vary) are kept: they
#: follow from the key, which is the same for every response served from the entry.
_NOT_STORED = frozenset({"set-cookie", "content-length", "date"})

PUBLIC_CACHE_CONTROL = "public, max-age=0, must-revalidate"
PRIVATE_CACHE_CONTROL = "private, max-age=0, must-revalidate"
#: Responses that are never cached here (a signed-in browser's pages): no shared cache
#: may keep them.
UNCACHED_CACHE_CONTROL = "private, no-cache"


class CacheMisuse(RuntimeError):
    """``@cached`` reached before the access check (it sits above the declaration)."""


def cached(view: F) -> F:
    """Serve ``view``'s responses from the cache while the tenant's generation holds."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        return _serve(view, args, kwargs)

    setattr(wrapper, CACHED_ATTR, True)
    return cast(F, wrapper)


def store_of(app: Flask) -> ResponseStore:
    return cast(ResponseStore, app.extensions[EXTENSION])


# --- the key --------------------------------------------------------------------------


Key = tuple[int, str, str, str, str, str, tuple[Any, ...] | None]


def request_key() -> Key | None:
    """This request's cache key, or None when its response must be rendered."""
    if request.method not in ("GET", "HEAD"):
        return None
    tenant_id, generation = access.current_tenant_id(), access.tenant_generation()
    if tenant_id is None or generation is None:
        return None
    found = access.current_caller()
    caller: tuple[Any, ...] | None
    if found is None:
        if session:  # e.g. a flashed message waiting to be shown
            return None
        caller = None
    elif access.via_token():
        grants = sorted((g.role, g.department or "", g.inspector_code or "")
                        for g in accounts.grants_in(found, tenant_id))
        caller = (found.id, accounts.is_central_admin(found), tuple(grants))
    else:
        return None
    return (tenant_id, generation, request.host, request.full_path, _language(),
            today_in_china().isoformat(), caller)


def _language() -> str:
    """The page's language; for the API also the client's Accept-Language (its messages
    follow that header)."""
    if request.path.startswith(API_PREFIX):
        return f"{current_language()}|{request.headers.get('Accept-Language', '')}"
    return current_language()


def etag_of(key: Key) -> str:
    release = current_app.extensions.get(EXTENSION + ".release", "")
    return hashlib.sha256(repr((release, key)).encode("utf-8")).hexdigest()[:32]


# --- serving --------------------------------------------------------------------------


def _serve(view: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Response:
    if not access.access_checked():
        raise CacheMisuse(f"{request.endpoint}: @cached runs before the access check; put it "
                          "below @allow/@allow_public")
    key = request_key()
    if key is None:
        response = current_app.make_response(view(*args, **kwargs))
        response.headers.setdefault("Cache-Control", UNCACHED_CACHE_CONTROL)
        return response
    store = store_of(current_app)
    store.observe_generation(key[0], key[1])
    etag = etag_of(key)
    public = key[-1] is None
    validators = request.if_none_match
    # "*" is not taken as a match: it would answer 304 for a URL never rendered (a 404).
    if not validators.star_tag and validators.contains_weak(etag):
        return _validated(Response(status=304), etag, public)
    found = store.get(key) if store.enabled else None
    if found is not None:  # its headers already carry the validators of this key
        return Response(found.body, status=200, headers=list(found.headers))
    response = current_app.make_response(view(*args, **kwargs))
    if not _storable(response):
        response.headers.setdefault("Cache-Control", UNCACHED_CACHE_CONTROL)
        return response
    _validated(response, etag, public)
    if store.enabled:
        headers = tuple((k, v) for k, v in response.headers.items()
                        if k.lower() not in _NOT_STORED)
        store.put(key, StoredResponse(response.get_data(), headers, key[0]))
    return response


def _storable(response: Response) -> bool:
    """A 200 with its whole body in memory, that set no cookie and left the session alone."""
    return (response.status_code == 200 and not response.is_streamed
            and not response.direct_passthrough and "Set-Cookie" not in response.headers
            and not session.modified)


def _validated(response: Response, etag: str, public: bool) -> Response:
    response.set_etag(etag, weak=True)
    response.headers["Cache-Control"] = PUBLIC_CACHE_CONTROL if public else PRIVATE_CACHE_CONTROL
    # The language comes from a cookie (and the API's from Accept-Language); a token's
    # caller from the Authorization header.
    response.vary.add("Cookie")
    if request.path.startswith(API_PREFIX):
        response.vary.add("Accept-Language")
    if not public:
        response.vary.add("Authorization")
    return response


# --- set-up ---------------------------------------------------------------------------


def release_token(app: Flask) -> str:
    """What changes when the code or the packs change: the platform's source files and
    templates and the installed packs' versions and files, by **content** (SHA-256), never
    by file time or path: two app nodes installed from the same release, in different
    folders and at different times, give the same token, so an ETag one node issued is
    answered with 304 by the other. It goes into every ETag, so a browser's validator from
    before an upgrade does not match after it."""
    platform = app.extensions.get("shuangsuiji")
    parts = [_source_signature()]
    for pack in platform.packs if platform is not None else ():
        parts.append(f"{pack.name}:{[str(v) for v, _ in pack.versions]}")
        module = sys.modules.get(str(pack.source).split(":", 1)[0])
        origin = Path(getattr(module, "__file__", None) or str(pack.source))
        if origin.is_file():
            parts.append(_file_digest(origin))
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@functools.lru_cache(maxsize=1)
def _source_signature() -> str:
    return tree_signature(Path(__file__).resolve().parent.parent)


def tree_signature(root: Path) -> str:
    """The files under ``root`` that shape a response, as (path inside ``root``, content
    digest) pairs, hashed."""
    parts = []
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".html", ".mo", ".css", ".js", ".toml") and path.is_file():
            if "__pycache__" in path.parts:
                continue
            parts.append(f"{path.relative_to(root).as_posix()}:{_file_digest(path)}")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def init_app(app: Flask) -> None:
    """Create this process's store from the configuration."""
    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
    app.extensions[EXTENSION] = ResponseStore(
        int(app.config["SSJ_RESPONSE_CACHE_ENTRIES"]),
        int(app.config["SSJ_RESPONSE_CACHE_BYTES"]),
        int(app.config["SSJ_RESPONSE_CACHE_ENTRY_BYTES"]),
    )
    app.extensions[EXTENSION + ".release"] = release_token(app)
