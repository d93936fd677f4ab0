"""Canonical JSON and digests shared by the audit chain and records (not the kernel's spec)."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from datetime import date, datetime
from typing import Any


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def normalise(text: str) -> str:
    """Unicode NFC, trimmed: the form every stored name and code is compared in."""
    return unicodedata.normalize("NFC", text).strip()


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 characters kept."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
    )


def instant(at: datetime) -> str:
    """An instant as the audit chain and the transparency log hash it: UTC, six fraction
    digits, ``Z``. SQLite hands back naive datetimes: they were stored in UTC."""
    from datetime import UTC

    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def digest(value: Any) -> str:
    """SHA-256 hex of the canonical JSON of ``value``."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()
