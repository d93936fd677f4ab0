"""Warnings about the deployment, said once when it starts.

Each gunicorn worker builds its own app, so a warning logged by :func:`create_app` would be
said once per worker. ``gunicorn.conf.py`` says these in the master before it forks
(``on_starting``) and sets :data:`SAID` in the environment the workers inherit; an app built
in a worker then stays quiet. Without gunicorn (``flask run``, the tests) the app says them.
Standard library only: the gunicorn master imports this without the app.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

#: Set in the environment once the warnings have been said (by the gunicorn master).
SAID = "SSJ_STARTUP_WARNINGS_SAID"

log = logging.getLogger("shuangsuiji.startup")


def warnings(config: Mapping[str, object]) -> list[str]:
    """What is wrong with a deployment configured by ``config`` (environment or app config)."""
    found: list[str] = []
    if not config.get("SSJ_REDIS_URL") and not config.get("SSJ_CLI"):
        # a command never serves a login: no warning
        found.append(
            "SSJ_REDIS_URL is not set: login throttling is per worker process "
            "(each gunicorn worker counts failures on its own); set SSJ_REDIS_URL to "
            "share it")
    return found


def say_once(config: Mapping[str, object], logger: logging.Logger | None = None) -> list[str]:
    """Log :func:`warnings` unless the gunicorn master has said them; return what was said."""
    if os.environ.get(SAID):
        return []
    said = warnings(config)
    for text in said:
        (logger or log).warning("%s", text)
    return said


def say_in_master(logger: logging.Logger) -> list[str]:
    """In the gunicorn master: say the warnings for the environment, then mark them said."""
    said = say_once(os.environ, logger)
    os.environ[SAID] = "1"
    return said
