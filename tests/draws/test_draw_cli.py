"""`ssj draw announce|commit|reveal`, `ssj draw` committing before it prints, `ssj verify`
refusing a lax bundle."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from shuangsuiji.models.draws import Draw
from shuangsuiji.platform import Platform

PARTIES = ("工业和信息化局", "见证人王五")


class Runner:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.runner = app.test_cli_runner(mix_stderr=False) if _mix_kw() else \
            app.test_cli_runner()

    def __call__(self, *args: str) -> Any:
        with self.app.app_context():
            return self.runner.invoke(args=list(args))


def _mix_kw() -> bool:
    import inspect

    from click.testing import CliRunner
    return "mix_stderr" in inspect.signature(CliRunner.__init__).parameters


def _ceremony(ssj: Runner, code: str) -> None:
    out = ssj("draw", "announce", "--tenant", "miit", "--task", code,
              *[x for p in PARTIES for x in ("--party", p)])
    assert out.exit_code == 0, out.output
    assert "announcement #1" in out.output and "pool root" in out.output
    assert "lines, a leaf per 256 lines)" in out.output  # the tree in blocks (§10.2)
    secrets = {}
    for p in PARTIES:
        out = ssj("draw", "commit", "--tenant", "miit", "--task", code, "--party", p,
                  "--generate")
        assert out.exit_code == 0, out.output
        secrets[p] = out.output.split("at the ceremony): ")[1].split()[0]
    bad = ssj("draw", "reveal", "--tenant", "miit", "--task", code, "--party", PARTIES[0],
              "--secret", "not it, but long enough")
    assert bad.exit_code == 1 and "does not match" in bad.output
    assert "Traceback" not in bad.output
    for p in PARTIES:
        out = ssj("draw", "reveal", "--tenant", "miit", "--task", code, "--party", p,
                  "--secret", secrets[p])
        assert out.exit_code == 0, out.output


def test_announce_commit_reveal_draw_verify(app: Flask, make_task: Callable[..., str],
                                           tmp_path: Path) -> None:
    code = make_task("miit")
    ssj = Runner(app)
    _ceremony(ssj, code)
    out = ssj("draw", "--tenant", "miit", "--task", code)
    assert out.exit_code == 0, out.output
    assert "shuangsuiji-draw/2" in out.output and "seed (reveal)" in out.output
    exported = ssj("draw", "export", "--tenant", "miit", code)
    path = tmp_path / "bundle.json"
    path.write_text(exported.output, encoding="utf-8")
    ok = ssj("verify", str(path))
    assert ok.exit_code == 0, ok.output
    assert "no single party" in ok.output
    # the export is the portal's download: canonical JSON, streamed
    assert exported.output.startswith('{"annotations":{')
    doubled = exported.output.replace('"seed":', '"seed":"chosen later","seed":', 1)
    path.write_text(doubled, encoding="utf-8")
    refused = ssj("verify", str(path))
    assert refused.exit_code == 1 and "occurs twice" in refused.output
    # the same draw as a shuangsuiji-draw/3 text file, plain and gzip: it verifies, and
    # its tail (the pool's lines) hashes to the pool digest the JSON bundle carries
    bundle = json.loads(exported.output)
    for name in ("bundle.txt", "bundle.txt.gz"):
        text_path = tmp_path / name
        done = ssj("draw", "export", "--tenant", "miit", code, "--format", "text",
                   "-o", str(text_path))
        assert done.exit_code == 0, done.output
        data = text_path.read_bytes()
        data = gzip.decompress(data) if name.endswith(".gz") else data
        magic, head, pool = data.split(b"\n", 2)
        assert magic == b"shuangsuiji-draw/3" and "pool" not in json.loads(head)
        assert hashlib.sha256(pool).hexdigest() == bundle["digests"]["pool"]
        assert json.loads(head)["digests"] == bundle["digests"]
        ok = ssj("verify", str(text_path))
        assert ok.exit_code == 0, ok.output
        assert "bundle OK" in ok.output and bundle["digests"]["pool"] in ok.output
    to_stdout = ssj("draw", "export", "--tenant", "miit", code, "--format", "text")
    assert to_stdout.output.encode() == (tmp_path / "bundle.txt").read_bytes()


def test_ssj_draw_commits_first_and_says_so_when_its_output_fails(
    app: Flask, platform: Platform, make_task: Callable[..., str], database_url: str,
    tenant_tree: dict[str, int],
) -> None:
    code = make_task("miit")
    env = {**os.environ, "SSJ_DATABASE_URL": database_url, "SSJ_AUDIT_GUARD": "1"}
    ssj = str(Path(sys.executable).with_name("ssj"))
    # standard output is a pipe whose reader has gone (as after `| head -c1`): every write
    # fails, and it fails only after the draw was committed
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [ssj, "draw", "--tenant", "miit", "--task", code, "--seed", "dice 1-2-3"],
            stdout=write_end, stderr=subprocess.PIPE, text=True, env=env, timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    with platform.db.session(tenant_tree["miit"]) as s:
        n = s.scalar(select(func.count()).select_from(Draw))
    assert n == 1, done.stderr
    assert done.returncode == 1
    assert "was committed, but its output could not be written" in done.stderr
    assert f"ssj draw export --tenant miit {code}" in done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


def test_output_failure_after_the_commit_is_reported(
    app: Flask, platform: Platform, make_task: Callable[..., str], monkeypatch: Any,
    tenant_tree: dict[str, int],
) -> None:
    import click

    from shuangsuiji.cli import draw_cmd

    code = make_task("miit")
    real = click.echo

    def closed(message: Any = None, *a: Any, err: bool = False, **kw: Any) -> None:
        if not err:
            raise BrokenPipeError(32, "Broken pipe")
        real(message, *a, err=err, **kw)

    monkeypatch.setattr(draw_cmd.click, "echo", closed)
    out = Runner(app)("draw", "--tenant", "miit", "--task", code, "--seed", "dice 6-6-6")
    assert out.exit_code == 1
    text = out.output + (out.stderr if hasattr(out, "stderr") and out.stderr_bytes else "")
    assert "was committed, but its output could not be written" in text
    assert f"ssj draw export --tenant miit {code}" in text
    with platform.db.session(tenant_tree["miit"]) as s:
        assert s.scalar(select(func.count()).select_from(Draw)) == 1
    assert json  # the module's json import is used by the first test
