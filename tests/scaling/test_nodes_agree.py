"""What several app nodes must agree on without talking: the secret key (required when the
database is shared) and the release token in every ETag (by content, not file times)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from shuangsuiji import config
from shuangsuiji.caching import responses

PACKAGE = Path(responses.__file__).resolve().parent.parent


def test_secret_key_required_with_a_shared_database(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SSJ_DATABASE_URL", raising=False)
    for url in ("postgresql://ssj@db/ssj", "mysql://ssj@db/ssj"):
        with pytest.raises(config.SecretKeyMissing) as refused:
            config.load(str(tmp_path), {"SSJ_DATABASE_URL": url})
        text = str(refused.value)
        assert "SECRET_KEY is not set" in text and url.split(":")[0] in text
        assert "same long random value on every node" in text
        assert not (tmp_path / "secret_key").exists()  # no per-host key made behind one's back
    given = config.load(str(tmp_path), {"SSJ_DATABASE_URL": "postgresql://ssj@db/ssj",
                                        "SECRET_KEY": "shared"})
    assert given["SECRET_KEY"] == "shared"
    # SQLite is one host: the instance folder keeps a key, the same on every start
    first = config.load(str(tmp_path), {})["SECRET_KEY"]
    assert first == config.load(str(tmp_path), {})["SECRET_KEY"] and len(first) == 64
    # a command line signs nothing: it runs without one
    assert config.load(str(tmp_path), {"SSJ_DATABASE_URL": "postgresql://ssj@db/ssj",
                                       "SSJ_CLI": True})["SECRET_KEY"]


def test_gunicorn_without_secret_key_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same refusal reaches a person starting the app (here through `ssj`'s message
    path: no traceback)."""
    from shuangsuiji import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(config.SecretKeyMissing, match="SECRET_KEY"):
        create_app({"SSJ_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"})
    result = CliRunner().invoke(
        _probe_command(), [], env={"SSJ_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/x"})
    assert result.exit_code == 1 and "SECRET_KEY" in result.output
    assert "Traceback" not in result.output


def _probe_command():  # type: ignore[no-untyped-def]
    import click

    from shuangsuiji.cli.common import SsjCommand

    @click.command(cls=SsjCommand)
    def probe() -> None:
        config.load("/nonexistent", {})

    return probe


def test_release_token_is_by_content_not_time_or_place(tmp_path: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__")
    one = shutil.copytree(PACKAGE, tmp_path / "node-a" / "shuangsuiji", ignore=ignore)
    time.sleep(0.01)
    two = shutil.copytree(PACKAGE, tmp_path / "elsewhere" / "b" / "shuangsuiji", ignore=ignore)
    later = time.time() + 3600
    for path in two.rglob("*"):
        os.utime(path, (later, later))
    assert responses.tree_signature(one) == responses.tree_signature(two)
    assert responses.tree_signature(one) == responses.tree_signature(PACKAGE)
    template = two / "templates" / "base.html"
    template.write_text(template.read_text(encoding="utf-8") + "<!-- 2 -->", encoding="utf-8")
    assert responses.tree_signature(one) != responses.tree_signature(two)
