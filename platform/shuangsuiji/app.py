"""The Flask application factory."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from shuangsuiji import config as configuration
from shuangsuiji.host import make_platform
from shuangsuiji.platform import Platform


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: load config, discover packs (failing loudly), bind the database."""
    # SSJ_INSTANCE_PATH: the node's own folder (the SQLite demo's database and key); several
    # app nodes on one host each have their own.
    app = Flask(__name__, instance_relative_config=True,
                instance_path=os.environ.get("SSJ_INSTANCE_PATH") or None)
    app.config.update(configuration.load(app.instance_path, config))
    # the keys are found through the app (tests move its instance folder after building it)
    app.extensions["shuangsuiji"] = make_platform(app.config, lambda: app.instance_path)

    if app.config.get("SSJ_CLI"):
        # `ssj`: the command runs in this app's context and needs neither the web pages nor
        # the API; building them would double the command's start-up.
        return app
    from shuangsuiji.cli.registry import register_commands

    register_commands(app.cli)
    _register_web(app)
    return app


def _register_web(app: Flask) -> None:
    """Blueprints, if the web layer is installed in this tree."""
    try:
        from shuangsuiji.web import init_app
    except ModuleNotFoundError as exc:
        if exc.name != "shuangsuiji.web":
            raise
        return
    init_app(app)

    from shuangsuiji import api

    api.init_app(app)


def platform_of(app: Flask) -> Platform:
    """The :class:`Platform` bound to ``app``."""
    return app.extensions["shuangsuiji"]
