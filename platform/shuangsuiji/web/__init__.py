"""The web interface: staff pages under ``/t/<tenant>/``, the public portal under ``/p/``.

:func:`init_app` binds everything the HTML layer needs — access control, CSRF, security
headers, translations, error pages, login throttling — registers the blueprints, and finally
refuses to start if any endpoint declares no access rule.
"""

from __future__ import annotations

from flask import Flask

from shuangsuiji import access
from shuangsuiji.caching import responses as response_cache
from shuangsuiji.web import (
    context,
    errors,
    i18n,
    labels,
    links,
    rule_labels,
    security,
    throttle,
    unit_names,
)


def init_app(app: Flask) -> None:
    """Install the web layer on ``app`` (called by :func:`shuangsuiji.create_app`)."""
    from shuangsuiji.web import auth, central, portal, staff

    access.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    context.init_app(app)
    links.init_app(app)
    labels.init_app(app)
    rule_labels.init_app(app)
    unit_names.init_app(app)
    response_cache.init_app(app)
    app.extensions["ssj_login_throttle"] = throttle.from_config(app.config)

    app.register_blueprint(auth.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(portal.bp)
    app.register_blueprint(central.bp)

    access.check_declared(app)
