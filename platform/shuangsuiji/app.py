"""The Flask application factory."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from shuangsuiji import config as configuration
from shuangsuiji.db import Database, audit_guard
from shuangsuiji.packs import PackRegistry
from shuangsuiji.platform import Platform
from shuangsuiji.services import tenants
from shuangsuiji.services.logkeys import LogKeys
from shuangsuiji.services.translog import LOG_KEYS


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: load config, discover packs (failing loudly), bind the database."""
    # SSJ_INSTANCE_PATH: the node's own folder (the SQLite demo's database and key); several
    # app nodes on one host each have their own.
    app = Flask(__name__, instance_relative_config=True,
                instance_path=os.environ.get("SSJ_INSTANCE_PATH") or None)
    app.config.update(configuration.load(app.instance_path, config))

    if app.config.get("SSJ_PACKS") is not None:
        packs = PackRegistry(app.config["SSJ_PACKS"])
    else:
        packs = PackRegistry.discover()
    db = Database(app.config["SSJ_DATABASE_URL"])
    if audit_guard.enabled(app.config):  # the tests: every change must be audited
        audit_guard.install(db.engine, db.sessionmaker)
    platform = Platform(db=db, packs=packs)
    # the signing keys live in the instance folder or the environment, never the database;
    # every session reaches them, so services can issue checkpoints (services/translog.py)
    platform.log_keys = LogKeys(lambda: app.instance_path, app.config.get("SSJ_LOG_ORIGIN"),
                                app.config.get("SSJ_LOG_SIGNING_KEY"),
                                app.config.get("SSJ_WITNESS_SIGNING_KEY"))
    db.sessionmaker.configure(info={LOG_KEYS: platform.log_keys})
    app.extensions["shuangsuiji"] = platform
    with db.session() as session:
        tenants.check_installed(session, platform)

    if app.config.get("SSJ_CLI"):
        # `ssj`: the command runs in this app's context and needs neither the web pages nor
        # the API; building them would double the command's start-up.
        return app
    from shuangsuiji.cli import register_commands

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
