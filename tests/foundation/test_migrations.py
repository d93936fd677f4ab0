"""Migrations: upgrade from nothing, agree with the models, and downgrade back."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import inspect

from shuangsuiji.cli import cli
from shuangsuiji.cli.db_cmd import alembic_config
from shuangsuiji.db import Base, selection_checks
from shuangsuiji.db.session import make_engine

# Alembic (or `ssj db upgrade`) builds the schema itself: start from nothing.
pytestmark = pytest.mark.empty_database


def test_upgrade_matches_models_and_downgrades(database_url: str) -> None:
    cfg = alembic_config(database_url)
    command.upgrade(cfg, "head")
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            # on PostgreSQL two of the models' foreign keys are statement-level checks
            # instead (db/selection_checks.py): not expected as keys, checked as triggers
            include = selection_checks.include_object(conn.dialect.name)
            diff = compare_metadata(MigrationContext.configure(
                conn, opts={"include_object": include}), Base.metadata)
            if conn.dialect.name == "postgresql":
                assert selection_checks.installed(conn) == set(selection_checks.TRIGGERS)
        assert diff == [], f"models and migrations disagree: {diff}"
        assert "tenants" in inspect(engine).get_table_names()
        command.downgrade(cfg, "base")
        assert "tenants" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_ssj_db_upgrade_then_packs_list(database_url: str, tmp_path: object,
                                        monkeypatch: object) -> None:
    monkeypatch.setenv("SSJ_DATABASE_URL", database_url)  # type: ignore[attr-defined]
    runner = CliRunner()
    up = runner.invoke(cli, ["db", "upgrade"])
    assert up.exit_code == 0, up.output
    listed = runner.invoke(cli, ["packs", "list"])
    assert listed.exit_code == 0, listed.output
    for name in ("miit", "chongqing", "example-province"):
        assert name in listed.output
    assert "渝经信发〔2021〕6号" in listed.output
    made = runner.invoke(cli, ["tenants", "create", "cq", "--name", "重庆", "--pack", "chongqing"])
    assert made.exit_code == 0, made.output
    bad = runner.invoke(cli, ["tenants", "create", "x", "--name", "X", "--pack", "atlantis"])
    assert bad.exit_code != 0 and "atlantis" in bad.output and "Traceback" not in bad.output
