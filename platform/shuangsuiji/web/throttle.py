"""Login throttling per account and client, on the maintained ``limits`` library (the one
Flask-Limiter is built on), shared by every gunicorn worker through Redis.

Two fixed windows count failed sign-ins: one per (user name, client address), which slows
guessing one account's password from one client without locking the holder out from
theirs; one per client address alone, which slows one client trying many accounts. The
client address is the real one behind a reverse proxy only when the proxies are trusted
(``SSJ_TRUSTED_PROXIES``, werkzeug's ProxyFix: :mod:`shuangsuiji.web.security`); otherwise
every visitor would share the proxy's address and one attacker could lock everyone out.
A successful sign-in clears its (account, client) window.

Flask-Limiter's decorators count requests, and successful sign-ins must not count, nor
reset, what they do not own, so the windows are the ``limits`` strategy used directly.
Without ``SSJ_REDIS_URL`` the windows live in this process (``memory://``): with several
workers each keeps its own, so an attacker gets workers × the limit; a warning says so at
start-up. When Redis cannot be reached, a sign-in is not refused for it (logged as an
error): throttling fails open rather than locking everyone out.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from limits import RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

log = logging.getLogger(__name__)

NAMESPACE = "login"


@dataclass
class LoginThrottle:
    storage: Storage
    max_per_account: int = 5
    max_per_address: int = 30
    window_seconds: int = 900
    limiter: FixedWindowRateLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.limiter = FixedWindowRateLimiter(self.storage)
        self._account = RateLimitItemPerSecond(self.max_per_account, self.window_seconds,
                                               namespace=NAMESPACE)
        self._address = RateLimitItemPerSecond(self.max_per_address, self.window_seconds,
                                               namespace=NAMESPACE)

    @staticmethod
    def _account_key(username: str, address: str) -> str:
        # Hash the name: keys in a shared Redis should not list who is being attacked.
        raw = f"{username.strip().lower()}\x00{address}".encode()
        return "acct-" + hashlib.sha256(raw).hexdigest()[:32]

    @staticmethod
    def _address_key(address: str) -> str:
        return "addr-" + address

    def blocked(self, username: str, address: str) -> bool:
        """Whether a login attempt from ``address`` for ``username`` must be refused now."""
        try:
            return not (
                self.limiter.test(self._account, self._account_key(username, address))
                and self.limiter.test(self._address, self._address_key(address)))
        except (StorageError, OSError, ConnectionError) as exc:
            log.error("login throttle unavailable, not applied: %s", exc)
            return False

    def failed(self, username: str, address: str) -> None:
        try:
            self.limiter.hit(self._account, self._account_key(username, address))
            self.limiter.hit(self._address, self._address_key(address))
        except (StorageError, OSError, ConnectionError) as exc:
            log.error("login throttle unavailable, failure not counted: %s", exc)

    def succeeded(self, username: str, address: str) -> None:
        try:
            self.limiter.clear(self._account, self._account_key(username, address))
        except (StorageError, OSError, ConnectionError) as exc:
            log.error("login throttle unavailable, window not cleared: %s", exc)


def storage_for(url: str | None, prefix: str = "ssj:") -> Storage:
    """Redis at ``url`` (keys under ``prefix``), or this process's memory."""
    found = storage_from_string("memory://") if not url else storage_from_string(
        url, key_prefix=prefix.rstrip(":"), wrap_exceptions=True, socket_timeout=2,
        socket_connect_timeout=2)
    assert isinstance(found, Storage)  # not an async+ scheme
    return found


def from_config(config: dict[str, object]) -> LoginThrottle:
    """A throttle as configured: Redis when ``SSJ_REDIS_URL`` is set, else per process."""
    url = config.get("SSJ_REDIS_URL")
    if not url and not config.get("SSJ_CLI"):  # a command never serves a login: no warning
        log.warning(
            "SSJ_REDIS_URL is not set: login throttling is per worker process "
            "(each gunicorn worker counts failures on its own); set SSJ_REDIS_URL to "
            "share it"
        )
    return LoginThrottle(
        storage_for(str(url) if url else None, str(config.get("SSJ_REDIS_PREFIX") or "ssj:")),
        max_per_account=int(str(config.get("SSJ_LOGIN_MAX_ATTEMPTS") or 5)),
        max_per_address=int(str(config.get("SSJ_LOGIN_MAX_PER_ADDRESS") or 30)),
        window_seconds=int(str(config.get("SSJ_LOGIN_WINDOW_SECONDS") or 900)),
    )
