"""Several app nodes on one database sign with one log key, or a node is refused.

Without ``SSJ_LOG_SIGNING_KEY`` each node keeps its key in its own instance folder; a second
node started without the deployment's key would make one of its own and sign checkpoints
with a key no verifier was given (its portal listing it as the current key). Such a node is
refused, naming what to do, before it signs, lists or makes a key, and nothing it was asked
to write is written; given the deployment's key it works.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from shuangsuiji.kernel import note
from shuangsuiji.models.audit import AuditEvent
from shuangsuiji.services import audit
from shuangsuiji.services.logkeys import LOG_FILE, NotTheDeploymentsKey, generate
from tests.conftest import make_app
from tests.translog.test_keys_and_migration import _grow


def _signed(app: Flask) -> None:
    """A checkpoint issued and stored on ``app``'s node (as every draw's commit does)."""
    done = app.test_cli_runner().invoke(args=["log", "checkpoint", "--tenant", "chongqing"])
    assert done.exit_code == 0, done.output


def _events(platform: Any) -> int:
    with platform.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEvent)) or 0)


@pytest.fixture
def node_b(database_url: str, tmp_path: Path) -> Any:
    """A second app node on the same database, with an instance folder of its own."""
    made: list[Flask] = []

    def make(**config: Any) -> Any:
        app = make_app(database_url, str(tmp_path / f"node-b{len(made)}"), **config)
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["shuangsuiji"].db.dispose()


def test_a_second_node_without_the_deployments_key_is_refused(
    app: Flask, platform: Any, tenant_tree: dict[str, int], node_b: Any,
) -> None:
    _grow(platform, tenant_tree["chongqing"], 2)
    _signed(app)  # node A has signed a checkpoint
    ours = platform.log_keys.log_signer()
    other = node_b()
    b = other.extensions["shuangsuiji"]
    before = _events(platform)
    with pytest.raises(NotTheDeploymentsKey, match=ours.verifier.key_id.hex()):
        b.log_keys.verifiers()  # what its portal would list as the log's keys
    assert not (Path(other.instance_path) / LOG_FILE).exists()  # no key of its own made
    with b.db.session() as s, pytest.raises(NotTheDeploymentsKey):  # (a draw's event)
        audit.record(s, tenant_id=tenant_tree["chongqing"], action="draw.void",
                     object_type="draw", object_id="on node b")
        s.commit()
    assert _events(platform) == before  # nothing written
    listed = other.test_cli_runner().invoke(args=["log", "keys"])
    assert listed.exit_code != 0 and "SSJ_LOG_SIGNING_KEY" in listed.output
    assert "Traceback" not in listed.output


def test_a_second_node_with_a_key_made_in_its_own_folder_is_refused(
    app: Flask, platform: Any, tenant_tree: dict[str, int], node_b: Any, tmp_path: Path,
) -> None:
    _grow(platform, tenant_tree["chongqing"], 1)
    _signed(app)
    other = node_b()
    folder = Path(other.instance_path)
    folder.mkdir(parents=True, exist_ok=True)  # (a key it made before this check existed)
    (folder / LOG_FILE).write_text(generate("shuangsuiji.localhost", note.SIG_ED25519)
                                   .private_line() + "\n")
    with pytest.raises(NotTheDeploymentsKey):
        other.extensions["shuangsuiji"].log_keys.log_signer()


def test_a_second_node_given_the_deployments_key_signs_with_it(
    app: Flask, platform: Any, tenant_tree: dict[str, int], node_b: Any,
) -> None:
    _grow(platform, tenant_tree["chongqing"], 1)
    _signed(app)
    ours = platform.log_keys.log_signer()
    other = node_b(SSJ_LOG_SIGNING_KEY=ours.private_line())
    _grow(other.extensions["shuangsuiji"], tenant_tree["chongqing"], 1)
    done = other.test_cli_runner().invoke(args=["log", "checkpoint", "--tenant", "chongqing"])
    assert done.exit_code == 0, done.output  # node B signs, with the deployment's key
    assert note.verify_note(note.parse(done.output), [ours.verifier]) == [ours.verifier]
    # after node A rotates, a node still holding the old key only is refused
    cli = app.test_cli_runner()
    assert cli.invoke(args=["log", "rotate-key"]).exit_code == 0
    _grow(platform, tenant_tree["chongqing"], 1)
    _signed(app)  # with the new key
    stale = node_b(SSJ_LOG_SIGNING_KEY=ours.private_line()).extensions["shuangsuiji"]
    with pytest.raises(NotTheDeploymentsKey):
        stale.log_keys.log_signer()


def _void_event(platform: Any, tenant_id: int) -> None:
    """An event the log checkpoints and the deployment's witness cosigns at once (as a
    draw's void is)."""
    with platform.db.session() as s:
        audit.record(s, tenant_id=tenant_id, action="draw.void", object_type="draw",
                     object_id="witnessed")
        s.commit()


def test_a_second_node_with_a_witness_key_of_its_own_is_refused(
    app: Flask, platform: Any, tenant_tree: dict[str, int], node_b: Any,
) -> None:
    _void_event(platform, tenant_tree["chongqing"])  # checkpointed and cosigned on node A
    log, witness = platform.log_keys.log_signer(), platform.log_keys.witness_signer()
    other = node_b(SSJ_LOG_SIGNING_KEY=log.private_line()).extensions["shuangsuiji"]
    before = _events(platform)
    with pytest.raises(NotTheDeploymentsKey, match="SSJ_WITNESS_SIGNING_KEY"):
        other.log_keys.witness_signer()
    with pytest.raises(NotTheDeploymentsKey):
        _void_event(other, tenant_tree["chongqing"])
    assert _events(platform) == before  # the draw's step is refused whole
    given = node_b(SSJ_LOG_SIGNING_KEY=log.private_line(),
                   SSJ_WITNESS_SIGNING_KEY=witness.private_line()).extensions["shuangsuiji"]
    _void_event(given, tenant_tree["chongqing"])
    assert _events(platform) == before + 1


def test_a_log_key_lost_for_good_is_replaced_once_its_public_keys_are_listed_again(
    app: Flask, platform: Any, tenant_tree: dict[str, int], tmp_path: Path,
) -> None:
    """The database restored without the instance folder: the node is refused; `ssj log
    rotate-key --old-key-lost` makes a new key only once the log's published public keys are
    listed again, and the checkpoints signed before still verify."""
    from shuangsuiji.services.logkeys import PUBLIC_FILE

    _grow(platform, tenant_tree["chongqing"], 1)
    _signed(app)
    cli = app.test_cli_runner()
    saved = tmp_path / "published.txt"  # a checkpoint someone saved, with the published key
    saved.write_text(cli.invoke(args=["log", "checkpoint", "--tenant", "chongqing"]).output)
    published = platform.log_keys.log_signer().verifier
    folder = Path(app.instance_path)
    for name in (LOG_FILE, PUBLIC_FILE):
        (folder / name).unlink()  # the instance folder is gone
    lost = node_keys_of(app)
    with pytest.raises(NotTheDeploymentsKey, match="--old-key-lost"):
        lost.log_signer()
    refused = cli.invoke(args=["log", "rotate-key", "--old-key-lost"])
    assert refused.exit_code != 0 and PUBLIC_FILE in refused.output
    assert not (folder / LOG_FILE).exists()  # refused: nothing written
    (folder / PUBLIC_FILE).write_text(published.vkey + "\n")  # as the deployment published it
    done = cli.invoke(args=["log", "rotate-key", "--old-key-lost"])
    assert done.exit_code == 0, done.output
    keys = node_keys_of(app)
    new = keys.log_signer().verifier
    assert [v.vkey for v in keys.verifiers()] == [new.vkey, published.vkey]
    _grow(platform, tenant_tree["chongqing"], 1)
    latest = cli.invoke(args=["log", "checkpoint", "--tenant", "chongqing"]).output
    assert note.verify_note(note.parse(latest), [new]) == [new]  # signed with the new key
    assert cli.invoke(args=["log", "verify", "--tenant", "chongqing", "--checkpoint",
                            str(saved)]).exit_code == 0


def node_keys_of(app: Flask) -> Any:
    """The app's keys as a process started now would load them (nothing cached)."""
    from shuangsuiji.services.logkeys import LOG_KEYS, LogKeys

    platform = app.extensions["shuangsuiji"]
    keys = platform.log_keys
    fresh = LogKeys(lambda: app.instance_path, keys.origin, newest_key_id=keys._newest_key_id)
    platform.log_keys = fresh
    platform.db.sessionmaker.configure(info={LOG_KEYS: fresh})  # (as host.make_platform)
    return fresh
