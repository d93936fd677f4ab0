"""shuangsuiji: 双随机、一公开 — a multi-tenant platform for random inspections.

Importing this package imports nothing heavy: the pure kernel
(:mod:`shuangsuiji.kernel`) must stay free of Flask and SQLAlchemy, and a third party
re-running a draw should not need them. ``flask --app shuangsuiji`` finds
:func:`create_app` here.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

#: Set by a quick ``ssj`` command before it imports anything else: define only the models
#: it imports (:mod:`shuangsuiji.models`; every other process imports them all).
MODELS_ON_DEMAND = False


def create_app(config: dict[str, Any] | None = None) -> Any:
    """Build the Flask app (see :func:`shuangsuiji.app.create_app`)."""
    from shuangsuiji.app import create_app as _create_app

    return _create_app(config)
