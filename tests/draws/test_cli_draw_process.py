"""``ssj draw`` as the process a ceremony runs: the draw, its announcement and export work
on the platform built without Flask (cli.registry.BARE), and a database that cannot be
opened is said so, not shown as a traceback."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from shuangsuiji.db.tenancy import cross_tenant
from shuangsuiji.models.draws import Draw
from shuangsuiji.platform import Platform
from tests.processes import unmeasured_env

PROBE = """
import atexit, json, sys
atexit.register(lambda: print("MODULES=" + json.dumps(sorted(sys.modules)), file=sys.stderr))
sys.argv = ["ssj", *json.loads(sys.argv[1])]
from shuangsuiji.cli import main
main()
"""


def _ssj(args: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], env=env,
                          capture_output=True, text=True, timeout=180)
    # the probe's exit handler ran: the quick exit (cli.common.leave) runs them all
    lines = [x for x in done.stderr.splitlines() if x.startswith("MODULES=")]
    assert len(lines) == 1, done.stderr[-3000:]
    return done, set(json.loads(lines[0].removeprefix("MODULES=")))


def test_ssj_draw_announces_draws_and_exports_without_flask(
    platform: Platform, make_task: Callable[..., str], database_url: str, tmp_path: Path
) -> None:
    code = make_task("miit")
    env = unmeasured_env(SSJ_DATABASE_URL=database_url,
                         SSJ_INSTANCE_PATH=str(tmp_path / "instance"))
    bundle = tmp_path / "bundle.json.gz"
    for args, says in (
        (["draw", "announce", "--tenant", "miit", "--task", code, "--procedure", "ceremony"],
         "seed"),
        (["draw", "--tenant", "miit", "--task", code, "--seed", "公开摇号 2026-12-03"],
         "selected"),
        (["draw", "export", code, "--tenant", "miit", "-o", str(bundle)], ""),
    ):
        done, modules = _ssj(args, env)
        assert done.returncode == 0, done.stderr[-3000:]
        assert says in done.stdout
        assert not {m for m in modules if m.split(".")[0] in ("flask", "werkzeug", "jinja2")}
        assert "shuangsuiji.app" not in modules
    with platform.db.session() as s, cross_tenant(s):
        drawn = s.scalars(select(Draw)).all()
    assert len(drawn) == 1 and drawn[0].seed == "公开摇号 2026-12-03"
    # an offline command ends at once too (cli.end_now): its status, output and exit
    # handlers kept, whether the bundle verifies or not
    verified, _ = _ssj(["verify", str(bundle)], env)
    assert verified.returncode == 0, verified.stdout + verified.stderr[-2000:]
    assert ": verified — bundle OK" in verified.stdout
    data = json.loads(gzip.decompress(bundle.read_bytes()))
    data["seed"] += " (changed)"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    refused, _ = _ssj(["verify", str(changed)], env)
    assert refused.returncode == 1 and "NOT verified" in refused.stderr, refused.stderr[-2000:]


def test_a_database_that_cannot_be_opened_is_said_so(tmp_path: Path) -> None:
    for url, shown in (
        (f"sqlite:///{tmp_path / 'no-such-folder' / 'x.sqlite'}", "x.sqlite"),
        ("postgresql+psycopg://clerk:s3cret-pw@127.0.0.1:9/ssj", "clerk:***@127.0.0.1:9"),
    ):
        env = unmeasured_env(SSJ_DATABASE_URL=url, SSJ_INSTANCE_PATH=str(tmp_path / "i"))
        for args in (["tenants", "list"], ["draw", "--tenant", "miit", "--task", "T-1"],
                     ["plans", "list", "--tenant", "miit"]):
            done, _ = _ssj(args, env)
            assert done.returncode == 1, (args, done.stderr[-2000:])
            assert "Traceback" not in done.stderr, (args, done.stderr[-2000:])
            assert "cannot open the database" in done.stderr and shown in done.stderr
            assert "s3cret-pw" not in done.stderr
