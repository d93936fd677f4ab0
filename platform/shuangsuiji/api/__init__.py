"""The REST API under ``/api/v1``: flask-smorest blueprints over the services.

* Authentication: ``Authorization: Bearer <token>`` (:mod:`shuangsuiji.api.auth`).
* Tenant scoping: ``/api/v1/t/<tenant>/...``; the tenant is set once per request on the
  session, so another tenant's ids are 404 (:mod:`shuangsuiji.api.context`).
* Errors: JSON with ``message``/``where``/``hint`` and per-field ``errors``
  (:mod:`shuangsuiji.api.errors`).
* Documentation: the OpenAPI 3 document at ``/api/v1/openapi.json`` and Swagger UI at
  ``/api/v1/docs``, whose scripts are served from a vendored copy of the npm package
  ``swagger-ui-dist`` (``static/swagger-ui/``): no CDN is needed.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api

from shuangsuiji import access
from shuangsuiji.api import errors
from shuangsuiji.api.resources.common import TENANT_PARAMETER

API_PREFIX = errors.API_PREFIX
DOC_ENDPOINTS = ("api-docs.openapi_json", "api-docs.openapi_swagger_ui")


class ShuangsuijiApi(Api):  # type: ignore[misc]
    """flask-smorest's Api, without its app-wide HTTPException handler.

    flask-smorest registers one handler for every HTTPException in the app, which would turn
    the portal's HTML error pages into JSON. Ours are installed on the API's blueprints and,
    for unmatched /api/v1 URLs only, on the app (:func:`errors.register`).
    """

    ERROR_SCHEMA = errors.ErrorSchema  # documented as the "Error" component

    def _register_error_handlers(self) -> None:
        return None


def _config(app: Flask) -> None:
    defaults: dict[str, Any] = {
        "API_TITLE": "shuangsuiji 双随机、一公开",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": API_PREFIX,
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": f"{API_PREFIX}/static/swagger-ui/",
        "API_SPEC_OPTIONS": {
            "info": {"description": (
                "Random selection of inspection targets and inspectors, and publication of "
                "results. Send `Authorization: Bearer <token>` (issue one with `ssj users "
                "token`). Lists are paginated with `page` and `page_size` (at most 100); the "
                "`X-Pagination` response header holds the totals as JSON. Errors are JSON "
                "with `message`, `where`, `hint`, and per-field `errors` on 422.")},
            "components": {"securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "an API token of the form ssj_..."}}},
        },
    }
    for key, value in defaults.items():
        app.config.setdefault(key, value)


def init_app(app: Flask) -> Api:
    """Register the API on ``app`` and return the flask-smorest :class:`Api`."""
    from flask import Blueprint

    from shuangsuiji.api.resources import (
        audit,
        deadlines,
        directories,
        draws,
        inspections,
        joint,
        plans,
        public,
        recusals,
        tenants,
        translog,
    )

    _config(app)
    api = ShuangsuijiApi(app)
    for endpoint in DOC_ENDPOINTS:  # flask-smorest's own views: the docs are public
        access.mark_public_endpoint(app, endpoint)

    # The vendored Swagger UI scripts (a plain Flask blueprint: no OpenAPI entries).
    static = Blueprint("api_static", __name__, static_folder="static",
                       static_url_path=f"{API_PREFIX}/static")
    app.register_blueprint(static)

    plain = [tenants.blp, public.blp, translog.blp]
    scoped = [tenants.scoped, directories.blp, plans.blp, draws.blp, recusals.blp,
              inspections.blp, joint.blp,
              deadlines.blp, audit.blp, public.scoped, draws.public,
              translog.scoped]
    errors.register_on_blueprints(plain + scoped)
    for blp in plain:
        api.register_blueprint(blp)
    for blp in scoped:
        api.register_blueprint(blp, parameters=[TENANT_PARAMETER])
    errors.register_on_app(app)
    # The web layer ran this check before the API existed; run it again over our endpoints.
    access.check_declared(app)
    app.extensions["shuangsuiji_api"] = api
    return api
