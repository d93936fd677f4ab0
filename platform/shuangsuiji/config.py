"""Configuration: defaults, then environment variables prefixed ``SSJ_``, then the caller's."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    "SSJ_DATABASE_URL": None,  # default: SQLite file in the instance folder
    "SSJ_REDIS_URL": None,  # login throttling across workers; in-process fallback without
    "SSJ_DUE_SOON_DAYS": 5,
    "SSJ_LOAD_ENTRY_POINTS": True,  # tests turn this off and pass SSJ_PACKS
    "SSJ_PACKS": None,
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # security (docs/security.md): the largest upload, session lifetimes, trusted proxies
    "SSJ_MAX_UPLOAD_MB": 20,
    "SSJ_SESSION_IDLE_MINUTES": 30,
    "SSJ_SESSION_MAX_HOURS": 8,
    "SSJ_TRUSTED_PROXIES": 0,
}

ENV_KEYS = ("SSJ_DATABASE_URL", "SSJ_REDIS_URL", "SECRET_KEY", "SSJ_SECURE_COOKIES",
            "SSJ_MAX_UPLOAD_MB", "SSJ_SESSION_IDLE_MINUTES", "SSJ_SESSION_MAX_HOURS",
            "SSJ_TRUSTED_PROXIES", "SSJ_LOGIN_MAX_ATTEMPTS", "SSJ_LOGIN_MAX_PER_ADDRESS",
            "SSJ_LOGIN_WINDOW_SECONDS")


def load(instance_path: str, overrides: dict[str, Any] | None) -> dict[str, Any]:
    config = dict(DEFAULTS)
    for key in ENV_KEYS:
        if os.environ.get(key):
            config[key] = os.environ[key]
    config.update(overrides or {})
    if not config.get("SSJ_DATABASE_URL"):
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        config["SSJ_DATABASE_URL"] = f"sqlite:///{Path(instance_path) / 'shuangsuiji.sqlite'}"
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _instance_secret(instance_path)
    if str(config.get("SSJ_SECURE_COOKIES", "")).lower() in ("1", "true", "yes"):
        config["SESSION_COOKIE_SECURE"] = True
    return config


def _instance_secret(instance_path: str) -> str:
    """A secret key kept in the instance folder, so every gunicorn worker shares it."""
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
