"""Configuration: defaults, then environment variables prefixed ``SSJ_``, then the caller's."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from shuangsuiji.errors import UserError
from shuangsuiji.messages import msg

DEFAULTS: dict[str, Any] = {
    "SSJ_DATABASE_URL": None,  # default: SQLite file in the instance folder
    "SSJ_REDIS_URL": None,  # login throttling across workers; in-process fallback without
    "SSJ_DUE_SOON_DAYS": 5,
    "SSJ_LOAD_ENTRY_POINTS": True,  # tests turn this off and pass SSJ_PACKS
    "SSJ_PACKS": None,
    # the transparency log (docs/transparency-log.md): the deployment's name in checkpoints,
    # and signing keys given here instead of in the instance folder
    "SSJ_LOG_ORIGIN": None,
    "SSJ_LOG_SIGNING_KEY": None,
    "SSJ_WITNESS_SIGNING_KEY": None,
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
            "SSJ_LOGIN_WINDOW_SECONDS",
            "SSJ_LOG_ORIGIN", "SSJ_LOG_SIGNING_KEY", "SSJ_WITNESS_SIGNING_KEY",
            "SSJ_REDIS_PREFIX", "SSJ_JOB_RUNNER", "SSJ_JOB_QUEUE", "SSJ_JOB_UPLOAD_BYTES",
            "SSJ_JOB_STALE_SECONDS")


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
        config["SECRET_KEY"] = _default_secret(instance_path, config)
    if str(config.get("SSJ_SECURE_COOKIES", "")).lower() in ("1", "true", "yes"):
        config["SESSION_COOKIE_SECURE"] = True
    return config


class SecretKeyMissing(UserError):
    """No ``SECRET_KEY`` where one host's own key would break the others' sessions."""


def _default_secret(instance_path: str, config: dict[str, Any]) -> str:
    """Without ``SECRET_KEY``: SQLite (one host) keeps one in the instance folder; any other
    database may serve several app nodes, which must share one key, so it is required
    (a command line, which signs nothing, gets a key of its own)."""
    url = str(config["SSJ_DATABASE_URL"])
    if url.startswith("sqlite"):
        return _instance_secret(instance_path)
    if config.get("SSJ_CLI"):
        return secrets.token_hex(32)
    database = url.split(":", 1)[0]
    raise SecretKeyMissing(
        msg("SECRET_KEY is not set, and the database (%(database)s) is not SQLite: several "
            "app nodes may share it, and a key made by each would break sessions and CSRF "
            "tokens on the others", database=database),
        where=msg("configuration (environment variable SECRET_KEY)"),
        hint=msg("set SECRET_KEY to the same long random value on every node, e.g. the "
                 "output of: python3 -c 'import secrets; print(secrets.token_hex(32))'"))


def _instance_secret(instance_path: str) -> str:
    """A secret key kept in the instance folder, so every gunicorn worker shares it."""
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
