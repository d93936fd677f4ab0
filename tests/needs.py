"""What a test needs from the machine (chromium, a Redis server...), strict in CI.

A test or fixture that cannot run without an outside service calls :func:`missing` with what
is missing and how to install it. Locally that skips the test, and the run's summary lists
every such reason (``pytest_terminal_summary`` in tests/conftest.py), so a green local run
says what it did not check. In CI (``CI=true``, as .ci/run is started) it fails the test
instead: a CI run that silently skipped its browser or Redis tests would vouch for nothing.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

#: Prefix of every skip reason said through :func:`missing`; the summary groups on it.
PREFIX = "needs "


def in_ci() -> bool:
    """True when the environment says this is a CI run (``CI`` set to a true value)."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def missing(what: str, why: str, install: str) -> NoReturn:
    """Skip (locally) or fail (in CI) the current test: ``what`` is not there.

    ``why`` says what was tried (a path, an address); ``install`` says what to install or
    start, e.g. ``"apt-get install chromium fonts-noto-cjk"``.
    """
    text = f"{PREFIX}{what}: {why} — {install}"
    if in_ci():
        pytest.fail(f"CI=true and {text}", pytrace=False)
    pytest.skip(text)
