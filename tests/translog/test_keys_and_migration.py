"""Key rotation keeps old checkpoints verifiable; the migration builds the log over the
events recorded before it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from flask import Flask
from sqlalchemy import select, text

from shuangsuiji.cli.db_cmd import alembic_config
from shuangsuiji.db.session import make_engine
from shuangsuiji.kernel import note
from shuangsuiji.services import audit, translog
from tests.conftest import make_app


def _grow(platform: Any, tenant_id: int, n: int) -> None:
    with platform.db.session() as s:
        for i in range(n):
            audit.record(s, tenant_id=tenant_id, action="test.event", object_type="t",
                         object_id=i)
        s.commit()


def test_rotation_keeps_old_checkpoints_valid(app: Flask, platform: Any, tmp_path: Path,
                                              tenant_tree: dict[str, int]) -> None:
    cli = app.test_cli_runner()
    old = cli.invoke(args=["log", "checkpoint", "--tenant", "chongqing"])
    assert old.exit_code == 0, old.output
    saved = tmp_path / "old.txt"
    saved.write_text(old.output, encoding="utf-8")
    old_key = platform.log_keys.log_signer().verifier
    rotated = cli.invoke(args=["log", "rotate-key"])
    assert rotated.exit_code == 0, rotated.output
    new_key = platform.log_keys.log_signer().verifier
    assert new_key != old_key and new_key.vkey in rotated.output
    assert [v.vkey for v in platform.log_keys.verifiers()] == [new_key.vkey, old_key.vkey]
    assert list(Path(app.instance_path).glob(f"log-signing.key.retired-{old_key.key_id.hex()}"))
    _grow(platform, tenant_tree["chongqing"], 2)
    new = cli.invoke(args=["log", "checkpoint", "--tenant", "chongqing"]).output
    assert note.verify_note(note.parse(new), [new_key]) == [new_key]
    assert cli.invoke(args=["log", "verify", "--tenant", "chongqing", "--checkpoint",
                            str(saved)]).exit_code == 0
    audited = cli.invoke(args=["audit", "verify", "--tenant", "chongqing"])
    assert audited.exit_code == 0, audited.output
    keys = app.test_client().get("/api/v1/public/log/keys").get_data(as_text=True).split()
    assert keys == [new_key.vkey, old_key.vkey]
    # a log key given in the environment is rotated there
    listed = cli.invoke(args=["log", "keys"])
    assert old_key.vkey in listed.output and "witness:" in listed.output


def test_a_key_from_the_environment(database_url: str, tmp_path: Path) -> None:
    from shuangsuiji.services.logkeys import generate

    signer = generate("ssj.example.gov.cn", note.SIG_ED25519)
    app = make_app(database_url, str(tmp_path / "inst"), SSJ_LOG_ORIGIN="ssj.example.gov.cn",
                   SSJ_LOG_SIGNING_KEY=signer.private_line())
    keys = app.extensions["shuangsuiji"].log_keys
    assert keys.log_signer().verifier == signer.verifier
    assert not (tmp_path / "inst" / "log-signing.key").exists()
    bad = app.test_cli_runner().invoke(args=["log", "rotate-key"])
    assert bad.exit_code != 0 and "SSJ_LOG_SIGNING_KEY" in bad.output
    app.extensions["shuangsuiji"].db.dispose()


def test_migration_builds_the_log_over_existing_events(database_url: str,
                                                       tmp_path: Path) -> None:
    cfg = alembic_config(database_url)
    command.upgrade(cfg, "head")
    app = make_app(database_url, str(tmp_path / "inst"))
    platform = app.extensions["shuangsuiji"]
    from shuangsuiji.services import tenants

    with platform.db.session() as s:
        tid = tenants.create(s, platform, slug="anhui", name="安徽", pack="miit",
                             level="province").id
        s.commit()
    _grow(platform, tid, 12)
    from shuangsuiji.models.audit import AuditEvent

    with platform.db.session() as s:
        before = list(s.scalars(select(AuditEvent.log_nodes).order_by(AuditEvent.seq)))
        root = translog.root(s, tid)
    platform.db.dispose()
    # the events as they were before the log: no nodes; then the migration's build step
    # (run here directly: downgrading past the later 0003_* migrations is theirs to test)
    import importlib.util

    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    spec = importlib.util.spec_from_file_location(
        "m0003_trust_log", Path(__file__).resolve().parents[2] / "platform" / "shuangsuiji"
        / "migrations" / "versions" / "0003_trust_log.py")
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET log_nodes = NULL"))
        with Operations.context(MigrationContext.configure(conn)):
            migration._build_existing_logs()
    with engine.connect() as conn:
        after = [bytes(r[0]) for r in conn.execute(
            text("SELECT log_nodes FROM audit_events ORDER BY seq"))]
    engine.dispose()
    assert after == before and len(after) == 13
    app = make_app(database_url, str(tmp_path / "inst"))
    with app.extensions["shuangsuiji"].db.session() as s:
        assert translog.root(s, tid) == root
    app.extensions["shuangsuiji"].db.dispose()
