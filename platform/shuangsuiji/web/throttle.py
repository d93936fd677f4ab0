"""Login throttling, shared by every gunicorn worker through Redis.

Two counters per failed login, each in a fixed window: one for (user name, client address)
— slows guessing one account's password — and one for the client address alone — slows
trying many accounts. A successful login clears the first. Without ``SSJ_REDIS_URL`` the
counters live in this process; with several workers each keeps its own, so an attacker gets
workers × the limit; a warning says so at start-up.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger(__name__)


class Counter(Protocol):
    def hit(self, key: str, window: int) -> int:
        """Count one failure under ``key``; return the count in the current window."""

    def count(self, key: str) -> int:
        """The count in the current window (0 after it expired)."""

    def reset(self, key: str) -> None: ...


class RedisCounter:
    """Counters in Redis: INCR then EXPIRE on the first hit, in one transaction."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix

    def hit(self, key: str, window: int) -> int:
        pipe = self.client.pipeline()
        pipe.incr(self.prefix + key)
        pipe.expire(self.prefix + key, window, nx=True)
        count, _ = pipe.execute()
        return int(count)

    def count(self, key: str) -> int:
        value = self.client.get(self.prefix + key)
        return int(value) if value is not None else 0

    def reset(self, key: str) -> None:
        self.client.delete(self.prefix + key)


class LocalCounter:
    """Counters in this process (one gunicorn worker), for when no Redis is configured."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}

    def hit(self, key: str, window: int) -> int:
        now = time.monotonic()
        with self._lock:
            count, until = self._counts.get(key, (0, now + window))
            if until <= now:
                count, until = 0, now + window
            self._counts[key] = (count + 1, until)
            return count + 1

    def count(self, key: str) -> int:
        with self._lock:
            count, until = self._counts.get(key, (0, 0.0))
            return count if until > time.monotonic() else 0

    def reset(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)


@dataclass
class LoginThrottle:
    counter: Counter
    max_per_account: int = 5
    max_per_address: int = 30
    window_seconds: int = 900

    @staticmethod
    def _account_key(username: str, address: str) -> str:
        # Hash the name: keys in a shared Redis should not list who is being attacked.
        raw = f"{username.strip().lower()}\x00{address}".encode()
        return "login:acct:" + hashlib.sha256(raw).hexdigest()[:32]

    @staticmethod
    def _address_key(address: str) -> str:
        return "login:addr:" + address

    def blocked(self, username: str, address: str) -> bool:
        """Whether a login attempt from ``address`` for ``username`` must be refused now."""
        return (
            self.counter.count(self._account_key(username, address)) >= self.max_per_account
            or self.counter.count(self._address_key(address)) >= self.max_per_address
        )

    def failed(self, username: str, address: str) -> None:
        self.counter.hit(self._account_key(username, address), self.window_seconds)
        self.counter.hit(self._address_key(address), self.window_seconds)

    def succeeded(self, username: str, address: str) -> None:
        self.counter.reset(self._account_key(username, address))


def from_config(config: dict[str, object]) -> LoginThrottle:
    """A throttle as configured: Redis when ``SSJ_REDIS_URL`` is set, else per process."""
    url = config.get("SSJ_REDIS_URL")
    counter: Counter
    if url:
        counter = RedisCounter(str(url), str(config.get("SSJ_REDIS_PREFIX") or "ssj:"))
    else:
        if not config.get("SSJ_CLI"):  # a command never serves a login: no need to warn
            log.warning(
                "SSJ_REDIS_URL is not set: login throttling is per worker process "
                "(each gunicorn worker counts failures on its own); set SSJ_REDIS_URL to "
                "share it"
            )
        counter = LocalCounter()
    return LoginThrottle(
        counter,
        max_per_account=int(str(config.get("SSJ_LOGIN_MAX_ATTEMPTS") or 5)),
        max_per_address=int(str(config.get("SSJ_LOGIN_MAX_PER_ADDRESS") or 30)),
        window_seconds=int(str(config.get("SSJ_LOGIN_WINDOW_SECONDS") or 900)),
    )
