"""Shared fixtures: an app on a fresh database (SQLite, or PostgreSQL / MariaDB with
SSJ_TEST_DATABASE_URL),
the three built-in packs registered explicitly (entry points are not loaded unless a test
asks), and the demo tenant tree built through the services, as a user would."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from hypothesis import settings
from sqlalchemy import text
from sqlalchemy.orm import Session

from shuangsuiji import create_app, startup
from shuangsuiji.db import Base
from shuangsuiji.db.session import make_engine
from shuangsuiji.packs import Pack
from shuangsuiji.platform import Platform
from shuangsuiji.services import accounts
from tests import database_marks
from tests.needs import PREFIX

#: A PostgreSQL or MariaDB/MySQL server URL; unset: SQLite files.
TEST_URL = os.environ.get("SSJ_TEST_DATABASE_URL", "")

# Every test runs with the audit guard (shuangsuiji.db.audit_guard): a transaction that
# changes a tenant's data without appending to its audit chain fails. Set in the environment
# so apps made by tests themselves, and `ssj` run as a subprocess, are guarded too.
os.environ["SSJ_AUDIT_GUARD"] = "1"

# Hypothesis: no per-example deadline. The properties here are CPU-bound (pools, draws,
# streams); on a shared, loaded machine a 200 ms deadline fails them by the clock, not by a
# bug. A property that must be fast says so with its own timing test, not a deadline.
settings.register_profile("shuangsuiji", deadline=None, print_blob=True)
settings.load_profile("shuangsuiji")

# Passwords: the tests hash at argon2's lowest cost. At the library's recommended cost a
# hash takes 0.1–2 s on this machine kind, and every web test's world hashes nine, which was
# most of the suite's time. The hashes stay argon2id; a deployment's parameters are the
# library's (services/accounts.py), and tests/web/test_passwords.py checks them and that a
# password hashed below the current parameters is rehashed at sign-in. `ssj` run as a
# subprocess hashes at the real cost.
TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
accounts._hasher = TEST_HASHER
accounts._DUMMY_HASH = TEST_HASHER.hash(uuid.uuid4().hex)


@pytest.fixture(autouse=True)
def _startup_warnings_unsaid() -> Iterator[None]:
    """Each test starts as a fresh process would: the start-up warnings not yet said.
    ``startup.say_in_master`` marks them said in ``os.environ``; left set, a later test's app
    would stay quiet and a test of the warning would fail by the order of the run."""
    os.environ.pop(startup.SAID, None)
    yield
    os.environ.pop(startup.SAID, None)


def builtin_packs() -> list[Pack]:
    import shuangsuiji_chongqing
    import shuangsuiji_miit
    import shuangsuiji_provinces

    return [shuangsuiji_miit.pack, shuangsuiji_chongqing.pack, *shuangsuiji_provinces.load_packs()]


def _fresh_server_database() -> str:
    """A new, empty database on the test server (PostgreSQL or MariaDB/MySQL), so parallel
    runs never meet."""
    name = f"ssj_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(TEST_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if admin.dialect.name == "postgresql":
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        else:
            conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 "
                              "COLLATE utf8mb4_bin"))
    admin.dispose()
    return TEST_URL.rsplit("/", 1)[0] + "/" + name


def _drop_server_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = make_engine(TEST_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if admin.dialect.name == "postgresql":
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        else:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
    admin.dispose()


_template: dict[str, str] = {}


def _schema_template() -> str:
    """PostgreSQL: a database holding the models' empty tables, made once per process and
    dropped at exit. A test's database is then ``CREATE DATABASE ... TEMPLATE`` of it — a
    file copy — instead of an empty one on which every test runs create_all (dozens of DDL
    statements and commits, the larger part of a PostgreSQL test's setup)."""
    if "name" not in _template:
        import atexit
        import tempfile

        url = _fresh_server_database()
        app = make_app(url, tempfile.mkdtemp(prefix="ssj-template-"))
        app.extensions["shuangsuiji"].db.dispose()
        _template["name"] = url.rsplit("/", 1)[1]
        atexit.register(_drop_server_database, url)
    return _template["name"]


def _database_from_template() -> str:
    name = f"ssj_test_{uuid.uuid4().hex[:12]}"
    template = _schema_template()
    admin = make_engine(TEST_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    return TEST_URL.rsplit("/", 1)[0] + "/" + name


@pytest.fixture
def database_url(tmp_path: Any, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh database for the test. On PostgreSQL it already holds the models' empty
    tables (from a template), unless the test is marked ``empty_database`` (migrations)."""
    if TEST_URL:
        postgres = TEST_URL.startswith("postgresql")
        if postgres and request.node.get_closest_marker("empty_database") is None:
            url = _database_from_template()
        else:
            url = _fresh_server_database()
        yield url
        _drop_server_database(url)
    else:
        yield f"sqlite:///{tmp_path / 'test.sqlite'}"


def make_app(url: str, instance: str, **extra: Any) -> Flask:
    config = {
        "TESTING": True,
        "SSJ_DATABASE_URL": url,
        "SSJ_PACKS": builtin_packs(),
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "SSJ_AUDIT_GUARD": True,
        **extra,
    }
    app = create_app(config)
    app.instance_path = instance
    Base.metadata.create_all(app.extensions["shuangsuiji"].db.engine)
    return app


@pytest.fixture
def app(database_url: str, tmp_path: Any) -> Iterator[Flask]:
    application = make_app(database_url, str(tmp_path / "instance"))
    yield application
    application.extensions["shuangsuiji"].db.dispose()


@pytest.fixture
def platform(app: Flask) -> Platform:
    return app.extensions["shuangsuiji"]


@pytest.fixture
def session(platform: Platform) -> Iterator[Session]:
    with platform.db.session() as s:
        yield s


@pytest.fixture
def tenant_tree(platform: Platform) -> dict[str, int]:
    """MIIT, Chongqing, a district under Chongqing, and (when shipped) the example province;
    created through the tenant service. Returns slug → id."""
    from shuangsuiji.services import tenants

    with platform.db.session() as s:
        tenants.create(
            s, platform, slug="miit", name="工业和信息化部", pack="miit", level="central"
        )
        tenants.create(
            s,
            platform,
            slug="chongqing",
            name="重庆市经济和信息化委员会",
            pack="chongqing",
            parent="miit",
            level="province",
        )
        tenants.create(
            s,
            platform,
            slug="yuzhong",
            name="渝中区经济和信息化委员会",
            pack=None,
            parent="chongqing",
            level="district",
        )
        if "example-province" in platform.packs:
            tenants.create(
                s,
                platform,
                slug="example",
                name="示例省工业和信息化厅",
                pack="example-province",
                parent="miit",
                level="province",
            )
        s.commit()
        return {t.slug: t.id for t in tenants.all_tenants(s)}


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    """List every reason tests were skipped, with counts, so a green run says what it left
    unchecked: a missing chromium or Redis (tests/needs.py; in CI those fail instead), a pack
    not shipped... Works under pytest-xdist too (it reads the reports, not worker state)."""
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    if not reasons:
        return
    terminalreporter.section("what this run did not check (skipped)")
    for reason, n in sorted(reasons.items(), key=lambda kv: (not kv[0].startswith(PREFIX),
                                                              -kv[1], kv[0])):
        terminalreporter.write_line(f"{n:5d} × {reason}")
    if any(r.startswith(PREFIX) for r in reasons):
        terminalreporter.write_line(
            "(locally these skip; with CI=true a missing service fails the run)")


# --- the calendar a test means ------------------------------------------------------------

#: The last year the tests' "installed calendar" knows: the tests about a year no calendar
#: covers use 2027, whatever the installed chinesecalendar knows (it adds a year each
#: November).
LAST_PACKAGE_YEAR = 2026


def _patch_package_years(monkeypatch: pytest.MonkeyPatch, years: range) -> None:
    """Make every module that asks ``package_years()`` see ``years`` (they import the name,
    so each module's binding is replaced, not only the defining one)."""
    import sys

    from shuangsuiji.workdays import package

    real = package.package_years
    for module in list(sys.modules.values()):
        if getattr(module, "package_years", None) is real:
            monkeypatch.setattr(module, "package_years", lambda: years)


@pytest.fixture
def calendar_until_2026(monkeypatch: pytest.MonkeyPatch) -> range:
    """The installed calendar package as these tests mean it: its own years, but none after
    :data:`LAST_PACKAGE_YEAR`, so 2027 is covered by no calendar until a tenant imports one.
    Returns the years in force."""
    from shuangsuiji.workdays import package

    installed = package.package_years()
    if installed.stop <= LAST_PACKAGE_YEAR:
        pytest.fail(f"the installed chinesecalendar ends at {installed.stop - 1}; the tests "
                    f"need it to know {LAST_PACKAGE_YEAR} (pip install -U chinesecalendar)")
    years = range(installed.start, LAST_PACKAGE_YEAR + 1)
    _patch_package_years(monkeypatch, years)
    return years


# --- random order (pytest-randomly in scripts/test and CI), except for stories ---------------


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Mark the tests that use no test database ``no_database`` (tests/database_marks.py:
    the PostgreSQL and MariaDB runs leave them out). Then put the tests of a ``story`` module
    (a browser walkthrough, one step per test) back in file order, in the places the random
    order gave them; every other test stays shuffled. Runs after pytest-randomly's shuffle
    (which wraps this hook and shuffles first) and before ``-m`` deselects."""
    database_marks.mark(items)
    stories: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        if item.get_closest_marker("story"):
            stories.setdefault(str(item.path), []).append(i)
    for places in stories.values():
        steps = sorted((items[i] for i in places), key=lambda item: item.reportinfo()[1] or 0)
        for i, item in zip(places, steps, strict=True):
            items[i] = item
