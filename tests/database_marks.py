"""Which tests use the test database: the others are marked ``no_database``.

scripts/test runs the whole suite on SQLite, then again on PostgreSQL and (the storage
suites) on MariaDB. A test that never reaches the test database — the pure kernel, the
working-day calendar, a pack's declarations, a module's size — checks the same thing in every
run, so the server runs leave it out (``-m "not no_database"``); the SQLite run keeps it.

A test uses the database when the ``database_url`` fixture is among the fixtures it asks for,
directly or through others (``app``, ``platform``, ``session``, ``world``...: pytest's closure
of fixture names), or, to be safe, when its module or the source of one of its fixtures
names the test server some other way (:data:`SERVER_WORDS`: ``TEST_URL``, a server database
made by hand, a fixture looked up by name at run time). Anything else makes its own SQLite
file at most, whose result does not depend on the server the run is given.
"""

from __future__ import annotations

import inspect
from functools import cache
from pathlib import Path
from typing import Any

import pytest

#: The fixture every test database comes from (tests/conftest.py).
DATABASE_FIXTURE = "database_url"

#: Words that, in a test module or in a fixture's source, mean the code may reach the test
#: server without asking for :data:`DATABASE_FIXTURE`.
SERVER_WORDS = ("TEST_URL", "SSJ_TEST_DATABASE_URL", "_fresh_server_database",
                "getfixturevalue")

#: Only fixtures defined under tests/ are read (pytest's own, like ``tmp_path``, never
#: reach the server).
TESTS = Path(__file__).resolve().parent


@cache
def _names_the_server(path: str) -> bool:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return True
    return any(word in text for word in SERVER_WORDS)


@cache
def _fixture_names_the_server(func: Any) -> bool:
    try:
        source = inspect.getsource(func)
    except (OSError, TypeError):
        return True
    return any(word in source for word in SERVER_WORDS)


def _ours(func: Any) -> bool:
    try:
        return TESTS in Path(inspect.getfile(func)).resolve().parents
    except TypeError:
        return False


def uses_database(item: pytest.Item) -> bool:
    """True when ``item`` may use the test database (in doubt: True)."""
    if DATABASE_FIXTURE in getattr(item, "fixturenames", ()):
        return True
    info = getattr(item, "_fixtureinfo", None)
    if not isinstance(item, pytest.Function) or info is None:
        return True
    if _names_the_server(str(item.path)):
        return True
    return any(_ours(d.func) and _fixture_names_the_server(d.func)
               for defs in info.name2fixturedefs.values() for d in defs)


def mark(items: list[pytest.Item]) -> None:
    """Mark every test of ``items`` that does not use the test database ``no_database``."""
    for item in items:
        if not uses_database(item):
            item.add_marker(pytest.mark.no_database)
