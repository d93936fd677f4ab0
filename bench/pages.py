"""The pages a user opens on a 1,000,000-target tenant, under gunicorn, uncached and cached
(issue 17 item 1): the public draw page, its search, the staff draw result page, a group's
page of targets, the public results page, and the bundle download with the worker's memory.

    .venv/bin/python bench/draw.py --targets 1000000 --keep     # once: the tenant and its draw
    .venv/bin/python bench/pages.py [--database bench/data/draw-1000000.sqlite] [--runs 5]

The database is copied first (the run adds a viewer account with an API token, nothing else).
The draw measured is the tenant's live draw with the most selected targets. gunicorn runs
the platform with **one** sync worker, so that "cached" means the response cache of the
process that answers (the cache is per process: with four workers a repeat may land on a
worker that has not seen the page). One client, one request at a time, over 127.0.0.1:

* *uncached*: the first request for each of ``--runs`` different pages of the draw (page
  1, 2, …; each a cache miss), the same for a search;
* *cached*: the same URLs again;
* the staff pages are never cached (they are per person); the token is a viewer's;
* the bundle download is read whole (gzip as sent, and inflated for a client that takes
  no gzip); the worker's peak resident size (``VmHWM``) before and after shows what a
  download costs it.

Each figure is min / median / max in milliseconds with the response's size; the load average
is printed before and after. Target: the public draw page under 200 ms uncached and under
20 ms cached; the download within 100 MB of the worker's memory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import http_load
from kept import DATA, KEPT, copy_kept

ROOT = Path(__file__).resolve().parent.parent


def prepare(db_path: Path) -> tuple[str, int, str]:
    """The tenant's slug, its largest live draw and a viewer's API token."""
    from sqlalchemy import func, select

    from shuangsuiji import create_app
    from shuangsuiji.db import set_tenant
    from shuangsuiji.db.tenancy import cross_tenant
    from shuangsuiji.models.draws import Draw, DrawVoid
    from shuangsuiji.models.tenants import Tenant
    from shuangsuiji.services import accounts

    app = create_app({"SSJ_DATABASE_URL": f"sqlite:///{db_path}", "SECRET_KEY": "bench"})
    platform = app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        live = (select(Draw.id, Draw.tenant_id).where(~Draw.id.in_(select(DrawVoid.draw_id)))
                .order_by(Draw.selected_count.desc(), Draw.id.desc()).limit(1))
        with cross_tenant(s):  # the benchmark's own setup, not a user's read
            found = s.execute(live).first()
        if found is None:
            raise SystemExit(f"{db_path}: no live draw; run bench/draw.py --keep first")
        draw_id, tenant_id = found
        tenant = s.get(Tenant, tenant_id)
        assert tenant is not None
        set_tenant(s, tenant_id)
        count = s.scalar(select(func.count()).select_from(Draw)) or 0
        user = accounts.create_user(s, username="bench_pages_viewer",
                                    password="bench-password-1", role="viewer",
                                    tenant=tenant.slug)
        token = accounts.issue_token(s, user, name="bench").token
        s.commit()
        print(f"tenant {tenant.slug}: draw #{draw_id} of {count} draws")
    platform.db.dispose()
    return tenant.slug, int(draw_id), token


def fetch(url: str, headers: dict[str, str]) -> tuple[float, int, int]:
    """Milliseconds to the last byte, the status and the body's size."""
    start = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers),
                                timeout=300) as resp:
        size = 0
        while chunk := resp.read(1 << 20):
            size += len(chunk)
        status = resp.status
    return (time.perf_counter() - start) * 1000, status, size


def figure(label: str, urls: list[str], headers: dict[str, str]) -> list[float]:
    times, sizes = [], []
    for url in urls:
        ms, status, size = fetch(url, headers)
        if status != 200:
            raise SystemExit(f"{url} answered {status}")
        times.append(ms)
        sizes.append(size)
    print(f"  {label:<46} min {min(times):9.1f}  median {statistics.median(times):9.1f}  "
          f"max {max(times):9.1f} ms   {statistics.median(sizes) / 1024:9.1f} KiB")
    return times


def worker_hwm_kib(master: int) -> dict[int, int]:
    """Peak resident size (VmHWM, KiB) of each gunicorn worker of ``master``."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master) and "VmHWM" in fields:
            found[int(entry.name)] = int(fields["VmHWM"].split()[0])
    return found


def start_one_worker(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """gunicorn with the project's configuration and one sync worker."""
    env = {**os.environ, **env, "SSJ_BIND": f"127.0.0.1:{port}", "SSJ_WORKERS": "1",
           "SSJ_ACCESS_LOG": "", "SSJ_LOG_LEVEL": "warning"}
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    return subprocess.Popen([gunicorn, "-c", str(ROOT / "gunicorn.conf.py"),
                             "shuangsuiji:create_app()"], cwd=ROOT, env=env,
                            stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", type=Path, default=KEPT)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    db_path = copy_kept(args.database, "pages.sqlite")
    slug, draw_id, token = prepare(db_path)
    auth = {"Authorization": f"Bearer {token}"}

    port = http_load.free_port()
    log = DATA / "gunicorn-pages.log"
    env = {"SSJ_DATABASE_URL": f"sqlite:///{db_path}", "SECRET_KEY": "bench"}
    proc = start_one_worker(port, env, log)
    base = f"http://127.0.0.1:{port}"
    try:
        http_load.wait_ready(f"{base}/p/{slug}/tasks", {}, proc, log)
        print(f"\nload average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
              f"gunicorn {len(worker_hwm_kib(proc.pid))} worker(s), one client\n")
        draw = f"{base}/p/{slug}/draws/{draw_id}"
        pages = [f"{draw}?page={n}" for n in range(1, args.runs + 1)]
        searches = [f"{draw}?q={quote(q)}" for q in ("91", "有限公司", "科技", "9131", "贸易")
                    [:args.runs]]
        print("public draw page (/p/…/draws/<id>)")
        figure("uncached: pages 1…n, first request each", pages, {})
        figure("cached: the same pages again", pages, {})
        figure("search, uncached", searches, {})
        figure("search, cached", searches, {})
        results = [f"{base}/p/{slug}/results?page={n}" for n in range(1, args.runs + 1)]
        print("public results page (/p/…/results)")
        figure("uncached", results, {})
        figure("cached", results, {})
        staff = f"{base}/t/{slug}/draws/{draw_id}"
        print("staff draw result page (never cached)")
        figure("the page", [staff] * args.runs, auth)
        figure("a group's page of targets", [f"{staff}?group=1&page={n}"
                                              for n in range(1, args.runs + 1)], auth)
        figure("a search in a group", [f"{staff}?group=1&q={quote(q)}" for q in
                                       ("91", "有限公司", "科技", "9131", "贸易")[:args.runs]],
               auth)
        before = worker_hwm_kib(proc.pid)
        print("bundle download (/p/…/draws/<id>/bundle.json)")
        bundle = f"{draw}/bundle.json"
        figure("gzip, as sent", [bundle] * 3, {"Accept-Encoding": "gzip"})
        figure("inflated (a client without gzip)", [bundle] * 3, {})
        after = worker_hwm_kib(proc.pid)
        for pid, peak in sorted(after.items()):
            print(f"  worker {pid}: peak RSS {before.get(pid, 0) / 1024:.0f} MiB before the "
                  f"downloads, {peak / 1024:.0f} MiB after")
        print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        http_load.stop(proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
