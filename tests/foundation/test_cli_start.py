"""The quick CLI: ``ssj --help`` imports no command, ``ssj tenants list`` builds no web or
API layer, and the written command list agrees with the modules' commands."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from shuangsuiji import cli as ssj_cli
from tests.processes import unmeasured_env

#: What a command that needs only the database must not import.
HEAVY = ("flask_smorest", "flask_babel", "flask_wtf", "marshmallow", "openpyxl", "alembic",
         "argon2", "shuangsuiji.web", "shuangsuiji.api", "shuangsuiji.services.accounts")

PROBE = """
import atexit, json, sys
atexit.register(lambda: print("MODULES=" + json.dumps(sorted(sys.modules)), file=sys.stderr))
sys.argv = ["ssj", *json.loads(sys.argv[1])]
from shuangsuiji.cli import main
main()
"""


def _modules(args: list[str], tmp_path: Path) -> tuple[set[str], str]:
    env = unmeasured_env(SSJ_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite'}")
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], env=env,
                          capture_output=True, text=True, timeout=120)
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES="))
    return set(json.loads(line.removeprefix("MODULES="))), done.stdout


def test_the_command_list_agrees_with_the_modules() -> None:
    found: dict[str, tuple[str, str]] = {}
    for name in ssj_cli.MODULES:
        for command in importlib.import_module(name).commands:
            found[command.name] = (name, command.get_short_help_str(limit=1000))
    assert found == ssj_cli.COMMANDS


def test_help_imports_no_command_and_no_framework(tmp_path: Path) -> None:
    modules, out = _modules(["--help"], tmp_path)
    for name in ssj_cli.COMMANDS:
        assert name in out
    assert not {m for m in modules if m.split(".")[0] in ("flask", "sqlalchemy")}
    # (cli.ending, the standard library's only, is imported as the process ends)
    assert not [m for m in modules if m.startswith("shuangsuiji.cli.")
                and m not in ("shuangsuiji.cli.registry", "shuangsuiji.cli.ending")]


def test_tenants_list_builds_no_web_layer(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"SSJ_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}"}
    assert runner.invoke(ssj_cli.cli, ["db", "upgrade"], env=env).exit_code == 0
    modules, out = _modules(["tenants", "list"], tmp_path)
    assert "no tenants yet" in out
    loaded = [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    assert loaded == []


#: What a quick command (registry.LIGHT) must not import either: it runs without Flask, and
#: signs nothing, so neither the kernel nor `cryptography` is loaded.
NO_FLASK = ("flask", "werkzeug", "jinja2", "flask_smorest", "shuangsuiji.web",
            "shuangsuiji.api", "shuangsuiji.app", "cryptography", "shuangsuiji.kernel")


def test_tenants_list_imports_no_flask_and_builds_no_app(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"SSJ_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}"}
    assert runner.invoke(ssj_cli.cli, ["db", "upgrade"], env=env).exit_code == 0
    for args in (["tenants", "list"], ["packs", "list"]):
        modules, out = _modules(args, tmp_path)
        assert out, args
        loaded = [m for m in modules if any(m == h or m.startswith(h + ".") for h in NO_FLASK)]
        assert loaded == [], (args, loaded)
    modules, _ = _modules(["tenants", "list"], tmp_path)
    # the quick command defines only the model it maps (the others on demand)
    assert {m for m in modules if m.startswith("shuangsuiji.models.")} == {
        "shuangsuiji.models.tenants"}


def test_a_quick_command_that_writes_gets_every_model_it_needs(tmp_path: Path) -> None:
    """`ssj tenants create` logs an audit event: the ORM imports the other models before it
    configures theirs, so the event, its leaf and the check all work."""
    env = dict(os.environ, SSJ_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite'}",
               SSJ_INSTANCE_PATH=str(tmp_path / "instance"))
    ssj = [sys.executable, "-m", "shuangsuiji.cli"]
    for args in (["db", "upgrade"], ["tenants", "create", "cq", "--name", "重庆", "--pack",
                                     "chongqing"], ["tenants", "show", "cq"]):
        done = subprocess.run([*ssj, *args], env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
    checked = subprocess.run([*ssj, "audit", "verify", "--tenant", "cq"], env=env,
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0 and "1 events, intact" in checked.stdout, checked.stdout


def test_the_quick_commands_find_flasks_instance_folder(monkeypatch: Any) -> None:
    """The platform of a quick command keeps its SQLite file and log keys where the app does."""
    from flask import Flask

    from shuangsuiji import host

    monkeypatch.delenv("SSJ_INSTANCE_PATH", raising=False)
    flask_default = Flask(host.APP_IMPORT_NAME, instance_relative_config=True).instance_path
    assert host.default_instance_path() == flask_default
    monkeypatch.setenv("SSJ_INSTANCE_PATH", "/srv/ssj/node-2")
    assert host.default_instance_path() == "/srv/ssj/node-2"


def test_the_key_types_are_the_kernels() -> None:
    from shuangsuiji.kernel import note
    from shuangsuiji.services import logkeys

    assert (logkeys.SIG_ED25519, logkeys.SIG_COSIGNATURE_V1) == (
        note.SIG_ED25519, note.SIG_COSIGNATURE_V1)


def test_offline_verify_builds_no_app(tmp_path: Path) -> None:
    """`ssj verify` needs no database: with one that cannot be reached it still answers."""
    bad = tmp_path / "bundle.json"
    bad.write_text("{not json", encoding="utf-8")
    env = dict(os.environ, SSJ_DATABASE_URL="postgresql://nobody@127.0.0.1:9/none")
    done = subprocess.run([sys.executable, "-m", "shuangsuiji.cli", "verify", str(bad)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "not JSON" in done.stderr and "Traceback" not in done.stderr


def test_every_model_module_is_imported_with_the_package() -> None:
    """`shuangsuiji.models.MODULES` lists every module of the package: a model left out
    would be missing from `Base.metadata` (and from the ORM) in every process."""
    import pkgutil

    import shuangsuiji.models as models

    found = {m.name for m in pkgutil.iter_modules(models.__path__)}
    assert set(models.MODULES) == found


def test_ssj_verify_imports_no_framework_whether_it_verifies_or_refuses(tmp_path: Path) -> None:
    """The verifier's start is its own: no Flask, no SQLAlchemy, no models — also when it
    refuses a bundle or shows its help (click's own exceptions pass the ``ssj`` group's
    friendly-error handler untouched)."""
    from shuangsuiji.kernel import canonical_json
    from tests.kernel.test_bundle import bundle_with_recusals

    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_bytes(canonical_json(bundle_with_recusals()))
    bad.write_text("{not json", encoding="utf-8")
    for args, shown in ((["verify", str(good)], "verified"),
                        (["verify", str(bad)], ""), (["verify", "--help"], "--checkpoint")):
        modules, out = _modules(args, tmp_path)
        assert shown in out
        assert not {m for m in modules if m.split(".")[0] in ("flask", "sqlalchemy")}, args
        assert "shuangsuiji.models" not in modules and "shuangsuiji.cli.common" not in modules
