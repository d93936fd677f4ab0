"""The platform without Flask: configuration, packs, the database and the log's keys.

:func:`shuangsuiji.app.create_app` builds the web app around :func:`make_platform`; the
quick commands of ``ssj`` (:data:`shuangsuiji.cli.registry.LIGHT`) use
:func:`cli_platform` and never import Flask. Both find the same instance folder (the SQLite
database, the log's signing keys): :func:`default_instance_path` is Flask's default for
this app, computed the way Flask does (``tests/foundation/test_cli_start.py`` compares).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import PurePath
from typing import Any

from shuangsuiji.platform import Platform

#: The import name Flask is given in ``create_app`` (it names the default instance folder).
APP_IMPORT_NAME = "shuangsuiji.app"


def default_instance_path() -> str:
    """``SSJ_INSTANCE_PATH``, else the instance folder Flask picks for ``shuangsuiji.app``
    (``flask.sansio.app.App.auto_find_instance_path``): ``<prefix>/var/shuangsuiji.app-instance``
    when installed into a prefix or virtualenv, else ``instance`` beside the package."""
    chosen = os.environ.get("SSJ_INSTANCE_PATH")
    if chosen:
        return chosen
    # the folder holding the package (this module is in the package's own folder)
    package_path = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    py_prefix = os.path.abspath(sys.prefix)
    prefix: str | None = None
    if PurePath(package_path).is_relative_to(py_prefix):
        prefix = py_prefix
    else:
        site_parent, site_folder = os.path.split(package_path)
        if site_folder.lower() == "site-packages":
            parent, folder = os.path.split(site_parent)
            if folder.lower() == "lib":
                prefix = parent
            elif os.path.basename(parent).lower() == "lib":
                prefix = os.path.dirname(parent)
            else:
                prefix = site_parent
    if prefix is None:
        return os.path.join(package_path, "instance")
    return os.path.join(prefix, "var", f"{APP_IMPORT_NAME}-instance")


def _newest_key_id(db: Any, filename: str, name: str) -> str | None:
    from shuangsuiji.services import logkeys  # (when a key is first used: not at start-up)

    return logkeys.newest_key_id(db.engine, filename, name)


def make_platform(config: Mapping[str, Any], instance_path: Callable[[], str]) -> Platform:
    """Discover the packs (failing loudly), bind the database, attach the log's keys, and
    check the tenants' packs are installed."""
    from shuangsuiji.db import Database, audit_guard
    from shuangsuiji.packs import PackRegistry
    from shuangsuiji.services import tenants
    from shuangsuiji.services.logkeys import LOG_KEYS, LogKeys

    if config.get("SSJ_PACKS") is not None:
        packs = PackRegistry(config["SSJ_PACKS"])
    else:
        packs = PackRegistry.discover()
    db = Database(config["SSJ_DATABASE_URL"])
    if audit_guard.enabled(config):  # the tests: every change must be audited
        audit_guard.install(db.engine, db.sessionmaker)
    platform = Platform(db=db, packs=packs)
    # the signing keys live in the instance folder or the environment, never the database;
    # every session reaches them, so services can issue checkpoints (services/translog.py)
    platform.log_keys = LogKeys(instance_path, config.get("SSJ_LOG_ORIGIN"),
                                config.get("SSJ_LOG_SIGNING_KEY"),
                                config.get("SSJ_WITNESS_SIGNING_KEY"),
                                newest_key_id=partial(_newest_key_id, db))
    db.sessionmaker.configure(info={LOG_KEYS: platform.log_keys})
    with db.session() as session:
        tenants.check_installed(session, platform)
    return platform


def cli_platform(overrides: dict[str, Any] | None = None) -> Platform:
    """The platform of a quick ``ssj`` command: as ``create_app({"SSJ_CLI": True})`` would
    build it, without Flask."""
    from shuangsuiji import config as configuration

    folder = default_instance_path()
    config = configuration.load(folder, {"SSJ_CLI": True, **(overrides or {})})
    return make_platform(config, lambda: folder)
