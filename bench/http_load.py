"""HTTP benchmark: the platform under gunicorn against a bare Flask "hello" app.

    .venv/bin/python bench/http_load.py [--targets 5000] [--duration 10] [--connections 16]

In one run it

1. builds a SQLite database in ``bench/data/`` with demo-sized data, through the services:
   three tenants (MIIT, Chongqing, the Yuzhong district), ``--targets`` targets and the item
   list, inspectors and experts in Chongqing (imported the way a user imports files), an
   annual plan with a few tasks, some of them drawn, recorded and published where the draw
   service allows, and a viewer account with an API token;
2. starts gunicorn with 4 workers (``gunicorn.conf.py``) serving the platform, and gunicorn
   with 4 workers serving ``bench/hello/hello_app.py``, each on its own port on 127.0.0.1;
3. checks that every endpoint answers exactly 200 (redirects not followed, so a login
   redirect cannot pass for a page), then loads each with ``wrk`` (Debian package ``wrk``;
   a fixed number of connections for a fixed duration, and a hard timeout on top, so it
   stops by itself): the public portal's task list page, an API list endpoint (targets,
   page 1 of 50, with a viewer's token), the staff task list (the same token; reported, not
   part of the target), and the hello app before and after them (on a shared machine the
   ceiling drifts; the reference is the mean of the two hello runs). The portal page and
   the API list are served from the response cache after the first request
   (``shuangsuiji.caching``); wrk sends no ``If-None-Match``, so every measured response is a
   full 200 with its body, never a 304;
4. prints requests/s, p50 and p99 latency for each, each platform endpoint's throughput as a
   share of the bare app's (target: at least 40 %), the responses that were not 2xx/3xx and
   the socket errors wrk saw (a run with any says so and fails), and the load average.

Only 127.0.0.1 is ever contacted. Both servers are stopped at the end, also on errors.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
PY = sys.executable
GUNICORN = str(Path(PY).with_name("gunicorn"))


@dataclass
class Result:
    name: str
    url: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int
    gated: bool = True  # part of the 40 % target


# --- data -------------------------------------------------------------------------------


def build_database(db_path: Path, targets: int) -> str:
    """Create the demo-sized database; return a viewer's API token."""
    sys.path.insert(0, str(ROOT))
    from shuangsuiji import create_app
    from shuangsuiji.db import Base, set_tenant
    from shuangsuiji.demo import generate as gen
    from shuangsuiji.services import accounts, imports, plans
    from shuangsuiji.services import items as item_service
    from shuangsuiji.services import tenants as tenant_service

    if db_path.exists():
        db_path.unlink()
    app = create_app({"SSJ_DATABASE_URL": f"sqlite:///{db_path}", "SECRET_KEY": "bench"})
    platform = app.extensions["shuangsuiji"]
    Base.metadata.create_all(platform.db.engine)
    departments = ("综合执法处", "电子信息处")
    with platform.db.session() as s:
        tenant_service.create(s, platform, slug="miit", name="工业和信息化部", pack="miit",
                              level="central")
        tenant_service.create(s, platform, slug="chongqing", name="重庆市经济和信息化委员会",
                              pack="chongqing", parent="miit", level="province")
        tenant_service.create(s, platform, slug="yuzhong", name="渝中区经济和信息化委员会",
                              pack=None, parent="chongqing", level="district")
        s.commit()
    for slug, count in (("chongqing", targets), ("miit", max(targets // 5, 100))):
        with platform.db.session() as s:
            tenant = tenant_service.get(s, slug)
            set_tenant(s, tenant.id)
            cats = tuple(c.code for c in platform.policy_for(tenant).rules(date(2026, 3, 1))
                         .item_categories)
            files = {
                "items": gen.to_csv(gen.ITEM_HEADINGS, gen.item_rows(cats, departments[0])),
                "targets": gen.to_csv(gen.TARGET_HEADINGS, gen.target_rows(count, seed=1)),
                "inspectors": gen.to_csv(gen.INSPECTOR_HEADINGS,
                                         gen.inspector_rows(40, departments, seed=2)),
                "experts": gen.to_csv(gen.EXPERT_HEADINGS, gen.expert_rows(10, seed=3)),
            }
            for kind, data in files.items():
                imports.import_file(s, tenant, kind, data, f"{kind}.csv", actor="bench",
                                    today=date(2026, 3, 1))
                if kind == "items":  # tasks name published items only (MIIT 第五条, CQ 第四条)
                    item_service.approve_and_publish(
                        s, approver="bench", approved_on=date(2026, 3, 1),
                        document="bench-items-2026", actor="bench")
            plans.create_plan(s, platform, tenant, 2026, title="2026年度抽查工作计划",
                              made_on=date(2026, 2, 10))
            for n in range(1, 21):
                plans.create_task(
                    s, platform, tenant, plan_year=2026, code=f"{slug.upper()}-2026-{n:03d}",
                    title=f"电信业务经营许可情况检查（第{n}批）", department=departments[0],
                    item_codes=["SX-001"], starts_on=date(2026, 4, 1),
                    ends_on=date(2026, 5, 29), methods=["on_site"], ratio_permille=20,
                    group_count=3, inspector_scope="across_departments")
            s.commit()
    drawn = _draw_some(app, platform)
    with platform.db.session() as s:
        user = accounts.create_user(s, username="bench_viewer", password="bench-password-1",
                                    role="viewer", tenant="chongqing")
        token = accounts.issue_token(s, user, name="bench").token
        s.commit()
    platform.db.dispose()
    print(f"database: {db_path} ({targets} targets in chongqing; {drawn} tasks drawn)")
    return token


def _draw_some(app: object, platform: object) -> int:
    """Draw a few Chongqing tasks so the lists carry draws; skipped if the draw service
    cannot (it is optional for what the benchmark measures)."""
    from shuangsuiji.db import set_tenant
    from shuangsuiji.services import audit, draws
    from shuangsuiji.services import tenants as tenant_service

    done = 0
    for n in range(1, 4):
        try:
            with platform.db.session() as s:  # type: ignore[attr-defined]
                tenant = tenant_service.get(s, "chongqing")
                set_tenant(s, tenant.id)
                audit.set_actor(s, "bench")
                draws.draw(s, platform, tenant, f"CHONGQING-2026-{n:03d}", seed=f"bench-{n}")
                s.commit()
                done += 1
        except Exception as exc:  # the benchmark still measures the lists without draws
            print(f"note: draw skipped ({type(exc).__name__}: {exc})")
            break
    return done


# --- servers ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(app_spec: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    env = {**os.environ, **env, "SSJ_BIND": f"127.0.0.1:{port}", "SSJ_WORKERS": "4",
           "SSJ_ACCESS_LOG": "", "SSJ_LOG_LEVEL": "warning",
           "PYTHONPATH": os.pathsep.join(
               p for p in (str(ROOT / "bench" / "hello"), os.environ.get("PYTHONPATH")) if p)}
    out = log.open("w")
    return subprocess.Popen([GUNICORN, "-c", str(ROOT / "gunicorn.conf.py"), app_spec],
                            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a 3xx surfaces as an HTTPError instead of being followed


_opener = urllib.request.build_opener(_NoRedirect)


def wait_ready(url: str, headers: dict[str, str], proc: subprocess.Popen, log: Path) -> None:
    """Wait until ``url`` answers; it must answer exactly 200, not a redirect or an error."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited early; see {log}:\n{log.read_text()[-2000:]}")
        try:
            with _opener.open(urllib.request.Request(url, headers=headers), timeout=5) as resp:
                if resp.status == 200:
                    return
                raise SystemExit(f"{url} answered {resp.status}, not 200")
        except urllib.error.HTTPError as exc:
            raise SystemExit(f"{url} answered {exc.code}, not 200; see {log}") from None
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer 200 within 60 s; see {log}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # the master and its workers, nothing else
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# --- load -------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip())
    if not match:
        raise ValueError(f"cannot read latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def run_wrk(name: str, url: str, headers: dict[str, str], args: argparse.Namespace,
            gated: bool = True) -> Result:
    """Warm up, then one measured wrk run of fixed duration (killed if it overruns)."""
    cmd = ["wrk", f"-t{args.threads}", f"-c{args.connections}", "--latency", "--timeout", "10s"]
    for key, value in headers.items():
        cmd += ["-H", f"{key}: {value}"]
    subprocess.run([*cmd, "-d2s", url], check=True, capture_output=True, text=True,
                   timeout=60)
    out = subprocess.run([*cmd, f"-d{args.duration}s", url], check=True, capture_output=True,
                         text=True, timeout=args.duration + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                     out)
    errors = sum(int(n) for n in sock.groups()) if sock else 0
    return Result(name, url, rps, p50, p99, int(bad.group(1)) if bad else 0, errors, gated)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", type=int, default=5000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is needed: apt-get install wrk", file=sys.stderr)
        return 2
    DATA.mkdir(parents=True, exist_ok=True)
    db_path = DATA / "bench.sqlite"
    token = build_database(db_path, args.targets)
    auth = {"Authorization": f"Bearer {token}"}

    platform_port, hello_port = free_port(), free_port()
    platform_env = {"SSJ_DATABASE_URL": f"sqlite:///{db_path}", "SECRET_KEY": "bench"}
    platform_log, hello_log = DATA / "gunicorn-platform.log", DATA / "gunicorn-hello.log"
    servers = [
        start_gunicorn("shuangsuiji:create_app()", platform_port, platform_env, platform_log),
        start_gunicorn("hello_app:app", hello_port, {}, hello_log),
    ]
    base = f"http://127.0.0.1:{platform_port}"
    # (name, url, headers, part of the 40 % target)
    endpoints = [
        ("portal task list", f"{base}/p/chongqing/tasks", {}, True),
        ("API targets list", f"{base}/api/v1/t/chongqing/targets?page_size=50", auth, True),
        ("staff task list", f"{base}/t/chongqing/tasks", auth, False),
    ]
    hello_url = f"http://127.0.0.1:{hello_port}/"
    results: list[Result] = []
    load_before = os.getloadavg()
    try:
        for _name, url, headers, _gated in endpoints:
            wait_ready(url, headers, servers[0], platform_log)
        wait_ready(hello_url, {}, servers[1], hello_log)
        hello_first = run_wrk("hello (first)", hello_url, {}, args, False)
        for name, url, headers, gated in endpoints:
            results.append(run_wrk(name, url, headers, args, gated))
        hello_last = run_wrk("hello (last)", hello_url, {}, args, False)
    finally:
        for proc in servers:
            stop(proc)
    load_after = os.getloadavg()

    hello = Result("bare Flask hello", hello_url,
                   (hello_first.requests_per_s + hello_last.requests_per_s) / 2,
                   (hello_first.p50_ms + hello_last.p50_ms) / 2,
                   (hello_first.p99_ms + hello_last.p99_ms) / 2,
                   hello_first.non_2xx + hello_last.non_2xx,
                   hello_first.socket_errors + hello_last.socket_errors)
    results.append(hello)
    print(f"\ngunicorn 4 sync workers each; wrk -t{args.threads} -c{args.connections} "
          f"-d{args.duration}s; {os.cpu_count()} CPUs; load average "
          f"{load_before[0]:.2f} before, {load_after[0]:.2f} after\n")
    print(f"{'endpoint':<20} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs hello':>9} "
          f"{'bad':>6} {'sock err':>8}")
    ok = True
    for r in results:
        share = r.requests_per_s / hello.requests_per_s
        flag = "" if r.gated else "  (not in the target)"
        print(f"{r.name:<20} {r.requests_per_s:>9.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} "
              f"{share:>8.0%} {r.non_2xx:>6} {r.socket_errors:>8}{flag}")
        if r.non_2xx or r.socket_errors:
            ok = False
            print(f"  ^ {r.name}: {r.non_2xx} responses were not 2xx/3xx and "
                  f"{r.socket_errors} socket errors: this run is not clean")
        if r.gated and r is not hello and share < 0.40:
            ok = False
    print(f"(hello: {hello_first.requests_per_s:.0f} req/s first, "
          f"{hello_last.requests_per_s:.0f} last; the row above is their mean)")
    print("\ntarget (portal and API each >= 40% of hello; every response 2xx, no socket "
          "errors):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
