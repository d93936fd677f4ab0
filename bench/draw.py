"""Benchmark: drawing 50,000 of a million targets through the whole draw service, against a raw
scan of the same columns, in the same run (issue 4 item 14).

    .venv/bin/python bench/draw.py                      # 100,000 then 1,000,000 targets
    .venv/bin/python bench/draw.py --targets 100000     # one size only
    .venv/bin/python bench/draw.py --database-url postgresql://user:pw@127.0.0.1/postgres

For each size N it builds a fresh database (SQLite file in bench/data/, gitignored; with
``--database-url`` a new database ``ssj_bench_…`` on that PostgreSQL or MariaDB server,
dropped after):

* through the services: a MIIT tenant, the item list, 60 inspectors and 10 experts (imported
  as a user would), the 2026 plan, N/5,000 earlier tasks of item SX-001 between January and
  June, and the task measured (SX-001, from 1 July, ratio set to draw about N/20);
* in bulk with Core inserts (setup, not measured): N targets in scrambled credit-code order,
  ~3 % with a risk flag in force (some with two, some expired or not yet listed), one
  committed draw per earlier task with N/5 selections in all (the earlier inspections that
  ``services.draws.load_history`` reads), plus two voided draws whose selections must not
  count.

Then, each in a fresh Python process so that peak memory is the measured step's own:

1. **raw scan** — the same columns the service loads, with the same driver and nothing else:
   targets of the tenant, the flags in force, and the history join; 3 runs, the fastest kept
   (the most favourable floor for the raw side, so the ratio is conservative);
2. **service draw** — ``services.draws.draw(...)`` and the commit: freeze (exclusions,
   strata, digest), draw, bundle, the Draw, DrawPool (the pool's canonical lines, compressed)
   and DrawSelection rows, the audit event;
2a. **the log's cost** — the same draw, alternately with the transparency log and without
   it (``translog.append`` a no-op, no checkpoint at the commit), three times each, each
   rolled back, timed to the draw's flush; the median difference must be at most 5 %;
3. **the draw with the announcement step** — the unannounced draw voided (not timed), the
   same task announced (``announcements.announce``: the pool frozen and stored, once),
   two parties' commit–reveal, and ``draws.draw`` on the announced pool; printed beside
   the unannounced draw with the ratio of the two;
4. **offline verify** — ``kernel.verify_bundle`` on the committed bundle (``shuangsuiji-draw/1``
   with every pool member, as exported) read back from its JSON file (what ``ssj verify``
   does; the JSON parse is shown on its own line).

Peak memory is ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of the child process: it is what
the operating system charges the worker (the interpreter, the SQLite/psycopg buffers, the
allocator's fragmentation), which ``tracemalloc`` does not see; tracemalloc would also slow
the draw several times over. Where the memory goes is shown by the resident size (from
/proc/self/statm) and the peak at each stage the draw service reports.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform as host
import random
import resource
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
YEAR = 2026
TASK = "BENCH-2026-DRAW"
ITEM = "SX-001"
DEPARTMENTS = ("综合执法处", "电子信息处")
PER_TASK = 5000  # selections per earlier draw
REGIONS = ("500103", "500105", "500106", "500107", "500108", "500112", "110105", "310115",
           "440305", "510107")
WORDS = ("华信", "长江", "嘉陵", "山城", "渝通", "天府", "中科", "智联", "博远", "鼎新",
         "瑞丰", "汇川", "恒达", "启明", "星辰", "云帆", "宏图", "精工", "万象", "金桥")
TRADES = ("电子科技", "通信技术", "智能装备", "新材料", "软件开发", "网络科技", "机械制造",
          "汽车零部件", "数据服务", "化工", "精密仪器", "信息技术")
SUFFIXES = ("有限公司", "股份有限公司", "有限责任公司")
FLAGS = ("complaints", "abnormal_operations", "bad_credit", "administrative_penalty")

TARGETS = {"raw": 1.0, "verify": 1.5, "draw": 2.5}
MEMORY_LIMIT = 400 * 10**6  # bytes: the "under 400 MB" (381 MiB)
TARGET_SIZE = 1_000_000  # the directory the issue sets the ratios for


# --- helpers ------------------------------------------------------------------------------


def rss_mib() -> float:
    """Current resident set size (MiB), from /proc/self/statm."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def make_app(url: str) -> Any:
    from shuangsuiji import create_app

    return create_app({"SSJ_DATABASE_URL": url, "SECRET_KEY": "bench"})


# --- setup (not measured) -----------------------------------------------------------------


def target_rows(n: int, tenant_id: int, seed: int = 20260701) -> list[dict[str, Any]]:
    """n targets with valid, unique credit codes in a scrambled order, realistic names."""
    from stdnum.cn import uscc

    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        region = REGIONS[i % len(REGIONS)]
        # i times a unit modulo 10**9 is a bijection: unique codes that do not look serial
        body = f"91{region}{(i * 387420489 + 12345) % 10**9:09d}"
        name = f"{rnd.choice(WORDS)}{rnd.choice(TRADES)}{i}{rnd.choice(SUFFIXES)}"
        rows.append({"tenant_id": tenant_id, "credit_code": body + uscc.calc_check_digit(body),
                     "name": name, "region_code": region, "industry": "电信业务",
                     "credit_rating": "B", "address": ""})
    return rows


def build(url: str, n: int) -> dict[str, Any]:
    """Build the database for ``n`` targets; return what the children need."""
    from sqlalchemy import insert, select, update

    from shuangsuiji.db import Base, set_tenant
    from shuangsuiji.demo import generate as gen
    from shuangsuiji.models.directories import Target, TargetFlag
    from shuangsuiji.models.draws import Draw, DrawSelection, DrawVoid
    from shuangsuiji.models.plans import Task
    from shuangsuiji.services import audit, imports, plans
    from shuangsuiji.services import tenants as tenant_service

    started = time.perf_counter()
    inspections = n // 5
    draw_n = n // 20
    app = make_app(url)
    platform = app.extensions["shuangsuiji"]
    db = platform.db
    Base.metadata.create_all(db.engine)
    rnd = random.Random(n)
    with db.session() as s:
        tenant = tenant_service.create(s, platform, slug="miit", name="工业和信息化部",
                                       pack="miit", level="central")
        s.commit()
        tid = tenant.id
        set_tenant(s, tid)
        audit.set_actor(s, "bench")
        cats = tuple(c.code for c in platform.policy_for(tenant).rules(date(YEAR, 3, 1))
                     .item_categories)
        files = {
            "items": gen.to_csv(gen.ITEM_HEADINGS, gen.item_rows(cats, DEPARTMENTS[0])),
            "inspectors": gen.to_csv(gen.INSPECTOR_HEADINGS,
                                     gen.inspector_rows(60, DEPARTMENTS, seed=2)),
            "experts": gen.to_csv(gen.EXPERT_HEADINGS, gen.expert_rows(10, seed=3)),
        }
        for kind, data in files.items():
            imports.import_file(s, tenant, kind, data, f"{kind}.csv", actor="bench",
                                today=date(YEAR, 3, 1))
        from shuangsuiji.services import items as item_service

        # tasks take items of the approved, published list only (MIIT 第五条)
        item_service.approve_and_publish(s, approver="bench", approved_on=date(YEAR, 3, 1),
                                         document="bench-001", actor="bench")
        plans.create_plan(s, platform, tenant, YEAR, title=f"{YEAR}年度抽查工作计划",
                          made_on=date(YEAR, 2, 10))
        common = {"plan_year": YEAR, "title": "电信业务经营许可情况检查",
                  "department": DEPARTMENTS[0], "item_codes": [ITEM], "methods": ["on_site"],
                  "group_count": 3, "inspector_scope": "across_departments"}
        earlier = max(1, inspections // PER_TASK)
        voided = 2
        tasks: list[Task] = []
        for k in range(earlier + voided):
            start = date(YEAR, 1, 5) + timedelta(days=(k * 170) // (earlier + voided))
            tasks.append(plans.create_task(
                s, platform, tenant, code=f"BENCH-2026-{k + 1:03d}", starts_on=start,
                ends_on=start + timedelta(days=30), ratio_permille=10,
                division=f"第{k % 3 + 1}处", **common))
        # about draw_n drawn of the pool (the pool is smaller than n: exclusions)
        ratio = min(1000, -(-draw_n * 1000 // max(1, n - inspections)))
        plans.create_task(s, platform, tenant, code=TASK, starts_on=date(YEAR, 7, 1),
                          ends_on=date(YEAR, 8, 31), ratio_permille=ratio, division="第1处",
                          **common)
        s.commit()

        # targets and flags: bulk Core inserts, tenant set explicitly
        rows = target_rows(n, tid)
        rnd.shuffle(rows)  # ids do not follow credit-code order
        for i in range(0, n, 20_000):
            s.execute(insert(Target), rows[i:i + 20_000])
        del rows
        ids = [i for (i,) in s.execute(select(Target.id).where(Target.tenant_id == tid))]
        flag_rows = []
        for target_id in ids:
            r = rnd.random()
            if r < 0.03:
                f = FLAGS[int(r * 1000) % 4]
                flag_rows.append((target_id, f, None, None))
                if r < 0.003:
                    flag_rows.append((target_id, FLAGS[(int(r * 1000) + 1) % 4],
                                      date(YEAR - 1, 6, 1), None))
            elif r < 0.035:  # expired, or listed only after the task starts: not in force
                flag_rows.append((target_id, FLAGS[int(r * 10_000) % 4],
                                  date(YEAR - 1, 1, 1), date(YEAR, 3, 1)))
            elif r < 0.037:
                flag_rows.append((target_id, FLAGS[int(r * 10_000) % 4], date(YEAR, 9, 1), None))
        s.execute(insert(TargetFlag), [
            {"tenant_id": tid, "target_id": t, "flag": f, "listed_on": lo, "removed_on": ro,
             "source": "bench"} for t, f, lo, ro in flag_rows])
        codes = dict(s.execute(select(Target.id, Target.credit_code)
                               .where(Target.tenant_id == tid)).all())

        # earlier draws and their selections (the history the exclusions read)
        now = datetime.now(UTC)
        for k, task in enumerate(tasks):
            chosen = rnd.sample(ids, PER_TASK if k < earlier - 1 or earlier == 1
                                else inspections - PER_TASK * (earlier - 1))
            draw_id = s.execute(insert(Draw).values(
                tenant_id=tid, task_id=task.id, attempt=1, seed=f"bench-{k}",
                seed_source="generated", witnesses=[], inspection_date=task.starts_on,
                pool_digest="0" * 64, bundle_digest="0" * 64, pool_size=n,
                excluded_count=0, selected_count=len(chosen), rules_pack="miit",
                rules_version="2018", bundle={}, actor="bench", drawn_at=now,
            ).returning(Draw.id)).scalar_one()
            sel = [{"tenant_id": tid, "draw_id": draw_id, "task_id": task.id, "target_id": t,
                    "credit_code": codes[t], "stratum": "general", "position": p,
                    "batch_no": None} for p, t in enumerate(chosen)]
            for i in range(0, len(sel), 20_000):
                s.execute(insert(DrawSelection), sel[i:i + 20_000])
            if k >= earlier:
                s.execute(insert(DrawVoid).values(tenant_id=tid, draw_id=draw_id,
                                                  reason="bench: voided", actor="bench", at=now))
            status = ("planned" if k >= earlier else
                      ("work_ended", "published", "closed", "drawn", "in_progress")[k % 5])
            s.execute(update(Task).where(Task.id == task.id).values(status=status))
        s.commit()
    if db.dialect == "sqlite":
        with db.engine.connect() as c:
            c.exec_driver_sql("ANALYZE")
            c.commit()
    elif db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM ANALYZE")
    db.dispose()
    return {"tenant_id": tid, "setup_s": time.perf_counter() - started,
            "inspections": inspections, "flags": len(flag_rows)}


# --- children (each measured in its own process) ------------------------------------------

RAW_SQL = {
    "targets": "SELECT id, credit_code, name FROM targets WHERE tenant_id = {p}",
    "flags": "SELECT target_id, flag FROM target_flags WHERE tenant_id = {p} "
             "AND (listed_on IS NULL OR listed_on <= {p}) "
             "AND (removed_on IS NULL OR removed_on > {p})",
    "history": "SELECT s.credit_code, i.code, t.starts_on, t.division, t.department, t.code, "
               "t.status FROM draw_selections s JOIN draws d ON d.id = s.draw_id "
               "JOIN tasks t ON t.id = s.task_id JOIN task_items ti ON ti.task_id = t.id "
               "JOIN items i ON i.id = ti.item_id WHERE s.tenant_id = {p} "
               "AND d.id NOT IN (SELECT draw_id FROM draw_voids) AND t.id != {p} "
               "AND t.starts_on >= {p} AND t.starts_on <= {p}",
}


def child_raw(url: str, tid: int) -> dict[str, Any]:
    """The same columns, fetched with the same DBAPI driver, doing nothing else."""
    app = make_app(url)
    engine = app.extensions["shuangsuiji"].db.engine
    p = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    with engine.connect() as conn:
        task_id = conn.exec_driver_sql(
            f"SELECT id FROM tasks WHERE tenant_id = {p} AND code = {p}", (tid, TASK)).scalar()
        conn.rollback()
        dbapi = conn.connection.dbapi_connection
        on = date(YEAR, 7, 1)
        args = {"targets": (tid,), "flags": (tid, on, on),
                "history": (tid, task_id, date(YEAR, 1, 1), date(YEAR, 12, 31))}
        if p == "?":  # sqlite3 stores dates as ISO text (as SQLAlchemy does)
            args = {k: tuple(a.isoformat() if isinstance(a, date) else a for a in v)
                    for k, v in args.items()}
        runs = []
        counts: dict[str, int] = {}
        for _ in range(3):
            t0 = time.perf_counter()
            for key, sql in RAW_SQL.items():
                cur = dbapi.cursor()
                cur.execute(sql.format(p=p), args[key])
                counts[key] = len(cur.fetchall())
                cur.close()
            runs.append(time.perf_counter() - t0)
            dbapi.rollback()
        baselines = _baselines(dbapi, p, tid, engine.dialect.name, max(counts["targets"] // 20, 1))
    return {"raw_s": min(runs), "raw_runs": runs, "counts": counts, "peak_mib": peak_mib(),
            "service_read_s": service_read(app, tid), **baselines}


def _baselines(dbapi: Any, p: str, tid: int, dialect: str, k: int) -> dict[str, Any]:
    """What a user would do instead, and the floor, each 3 runs (min/median/max), with the
    load average when measured:

    * ``ORDER BY RANDOM() LIMIT k`` on the same table: a random sample the database picks
      (not reproducible, not verifiable — the draw's competitor only in speed);
    * the floor: one read of the pool's text (``code<TAB>name`` of every target, in
      credit-code order) and its SHA-256 — the least any verifiable draw must do.
    """
    import hashlib
    import statistics

    random_fn = "RAND()" if dialect in ("mysql", "mariadb") else "RANDOM()"
    out: dict[str, Any] = {"load": os.getloadavg()}
    for key, sql, args in (
        ("order_by_random",
         f"SELECT id, credit_code, name FROM targets WHERE tenant_id = {p} "
         f"ORDER BY {random_fn} LIMIT {p}", (tid, k)),
        ("floor", f"SELECT credit_code, name FROM targets WHERE tenant_id = {p} "
                  "ORDER BY credit_code", (tid,)),
    ):
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            cur = dbapi.cursor()
            cur.execute(sql, args)
            rows = cur.fetchall()
            cur.close()
            if key == "floor":
                hashlib.sha256("".join(f"{c}\t{n}\n" for c, n in rows).encode()).hexdigest()
            runs.append(time.perf_counter() - t0)
            dbapi.rollback()
        out[key] = {"min": min(runs), "median": statistics.median(runs), "max": max(runs)}
    return out


def service_read(app: Any, tid: int) -> float | None:
    """Shown, not a target: the draw service's own read of the directory alone — the text
    pages the database aggregates (SQLite, PostgreSQL) with their flags, doing nothing else
    with them — fastest of 3. None where the service reads rows (MariaDB)."""
    from shuangsuiji.db import set_tenant
    from shuangsuiji.services import draws

    platform = app.extensions["shuangsuiji"]
    if platform.db.dialect not in ("sqlite", "postgresql"):
        return None
    runs = []
    for _ in range(3):
        with platform.db.session() as s:
            set_tenant(s, tid)
            t0 = time.perf_counter()
            for _page in draws.load_candidates(s, date(YEAR, 7, 1)):
                pass
            runs.append(time.perf_counter() - t0)
    return min(runs)


def child_draw(url: str, tid: int, bundle_path: str) -> dict[str, Any]:
    from shuangsuiji.db import set_tenant
    from shuangsuiji.services import audit, draws
    from shuangsuiji.services import tenants as tenant_service

    app = make_app(url)
    platform = app.extensions["shuangsuiji"]
    gc.collect()
    base = rss_mib()
    stages: list[tuple[str, float, float, float]] = []
    t0 = time.perf_counter()

    def progress(stage: str, _done: int, _total: int) -> None:
        stages.append((stage, time.perf_counter() - t0, rss_mib(), peak_mib()))

    with platform.db.session() as s:
        tenant = tenant_service.get(s, "miit")
        set_tenant(s, tenant.id)
        audit.set_actor(s, "bench")
        record = draws.draw(s, platform, tenant, TASK, seed="bench: dice 3-5-1-6-2-4",
                            progress=progress)
        stages.append(("written", time.perf_counter() - t0, rss_mib(), peak_mib()))
        s.commit()
        elapsed = time.perf_counter() - t0
        stages.append(("committed", elapsed, rss_mib(), peak_mib()))
        peak = peak_mib()
        out = {"draw_s": elapsed, "peak_mib": peak, "base_mib": base, "stages": stages,
               "pool": record.pool_size, "excluded": record.excluded_count,
               "selected": record.selected_count, "pool_digest": record.pool_digest}
        # the committed bundle as published: the stored bundle with its pool put back from the
        # stored canonical lines (checked against the pool digest); after the measurement
        with open(bundle_path, "w", encoding="utf-8") as f:
            json.dump(draws.full_bundle(record), f, ensure_ascii=False)
    out["bundle_mb"] = os.path.getsize(bundle_path) / 1e6
    return out


def child_logcost(url: str, tid: int, runs: int = 3) -> dict[str, Any]:
    """What the transparency log adds to the draw (issue 12 item 11: at most 5 %): the same
    draw of the same task, alternately with the log and without it (``translog.append`` a
    no-op and no checkpoint at the commit event), ``runs`` times each, every one rolled back,
    so all see the same database; timed to the end of the draw's writes (its flush), which
    is where the log's work is — the COMMIT that follows is the same on both sides."""
    from shuangsuiji.db import set_tenant
    from shuangsuiji.services import audit, draws, translog
    from shuangsuiji.services import tenants as tenant_service

    app = make_app(url)
    platform = app.extensions["shuangsuiji"]
    real_append, real_actions = translog.append, audit.CHECKPOINT_ACTIONS
    times: dict[str, list[float]] = {"with": [], "without": []}
    for i in range(-1, runs * 2):  # -1: a warm-up draw (caches, the first mapper use), not kept
        side = "with" if i % 2 == 0 else "without"
        translog.append = real_append if side == "with" else (  # type: ignore[assignment]
            lambda session, event: b"")
        audit.CHECKPOINT_ACTIONS = real_actions if side == "with" else frozenset()
        gc.collect()
        with platform.db.session() as s:
            tenant = tenant_service.get(s, "miit")
            set_tenant(s, tenant.id)
            audit.set_actor(s, "bench")
            t0 = time.perf_counter()
            draws.draw(s, platform, tenant, TASK, seed="bench: dice 3-5-1-6-2-4")
            s.flush()
            if i >= 0:
                times[side].append(time.perf_counter() - t0)
            s.rollback()
    translog.append, audit.CHECKPOINT_ACTIONS = real_append, real_actions
    return {"with": times["with"], "without": times["without"], "load": os.getloadavg()}


PARTIES = {"工业和信息化局": "bench-secret-0123456789abcdef-局",
           "见证人 王五": "bench-secret-fedcba9876543210-见证"}


def child_announced(url: str, tid: int) -> dict[str, Any]:
    """The same task drawn again with the announcement step: the unannounced draw is voided
    (not timed), then announce (freezes and stores the pool), commit–reveal by two parties,
    and the draw, which reuses the announced pool (frozen once), each step committed as a
    user's would be."""
    from sqlalchemy import select

    from shuangsuiji.db import set_tenant
    from shuangsuiji.models.draws import Draw
    from shuangsuiji.services import announcements, audit, draws
    from shuangsuiji.services import tenants as tenant_service

    app = make_app(url)
    platform = app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        set_tenant(s, tid)
        audit.set_actor(s, "bench")
        tenant = tenant_service.get(s, "miit")
        live = s.scalars(select(Draw).order_by(Draw.id.desc())).first()
        draws.void(s, tenant, live.id, "bench: drawn again with the announcement step")
        s.commit()
        gc.collect()
        times: dict[str, float] = {}
        t0 = time.perf_counter()
        announcements.announce(s, platform, tenant, TASK, procedure="commit_reveal",
                               parties=tuple(PARTIES))
        s.commit()
        times["announce_s"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        for party, secret in PARTIES.items():
            announcements.commit(s, tenant, TASK, party, announcements.commitment_of(secret))
            s.commit()
        for party, secret in PARTIES.items():
            announcements.reveal(s, tenant, TASK, party, secret)
            s.commit()
        times["seed_s"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        record = draws.draw(s, platform, tenant, TASK)
        s.commit()
        times["draw_s"] = time.perf_counter() - t2
        times["total_s"] = time.perf_counter() - t0
        return {**times, "peak_mib": peak_mib(), "pool_digest": record.pool_digest,
                "format": record.bundle.get("format"), "selected": record.selected_count}


def child_verify(bundle_path: str) -> dict[str, Any]:
    from shuangsuiji import kernel

    gc.collect()
    base = rss_mib()
    t0 = time.perf_counter()
    with open(bundle_path, encoding="utf-8") as f:
        bundle = json.load(f)
    t1 = time.perf_counter()
    report = kernel.verify_bundle(bundle)
    t2 = time.perf_counter()
    return {"load_s": t1 - t0, "verify_s": t2 - t1, "ok": report.ok, "report": str(report),
            "peak_mib": peak_mib(), "base_mib": base}


def run_child(*args: str) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"child {args[0]} failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- databases ----------------------------------------------------------------------------


def fresh_url(base: str | None, n: int) -> tuple[str, Any]:
    """A fresh database for one size, and how to drop it."""
    if not base:
        DATA.mkdir(exist_ok=True)
        path = DATA / f"draw-{n}.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

        def drop() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

        return f"sqlite:///{path}", drop
    from sqlalchemy import create_engine

    from shuangsuiji.db.session import make_engine

    name = f"ssj_bench_{uuid.uuid4().hex[:10]}"
    admin_url = make_engine(base).url.render_as_string(hide_password=False)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    mysql = admin.dialect.name in ("mysql", "mariadb")
    quoted = f"`{name}`" if mysql else f'"{name}"'
    with admin.connect() as c:
        c.exec_driver_sql(f"CREATE DATABASE {quoted}" + (" CHARACTER SET utf8mb4" if mysql else ""))

    def drop_server() -> None:
        with admin.connect() as c:
            force = "" if mysql else " WITH (FORCE)"
            c.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted}{force}")
        admin.dispose()

    return base.rsplit("/", 1)[0] + "/" + name, drop_server


# --- main ---------------------------------------------------------------------------------


def measure(base_url: str | None, n: int, keep: bool) -> dict[str, Any]:
    url, drop = fresh_url(base_url, n)
    try:
        print(f"[{n:,}] building the database…", file=sys.stderr, flush=True)
        # in a child too: ru_maxrss survives fork and exec, so a parent holding the fixture
        # rows would pass its peak on to every child measured after it
        info = run_child("build", url, str(n))
        print(f"[{n:,}] built in {info['setup_s']:.0f} s; measuring", file=sys.stderr, flush=True)
        tid = str(info["tenant_id"])
        bundle_path = str(DATA / f"draw-{n}.bundle.json")
        DATA.mkdir(exist_ok=True)
        raw = run_child("raw", url, tid)
        logcost = run_child("logcost", url, tid)
        drawn = run_child("draw", url, tid, bundle_path)
        raw_after = run_child("raw", url, tid)
        announced = run_child("announced", url, tid)
        verify = run_child("verify", bundle_path)
        if not keep:
            Path(bundle_path).unlink(missing_ok=True)
    finally:
        if not keep:
            drop()
        elif base_url:  # bench/cli_e2e.py --database-url reads it
            print(f"[{n:,}] kept: {url}", file=sys.stderr, flush=True)
    raw_s = min(raw["raw_s"], raw_after["raw_s"])
    return {"n": n, "info": info, "raw": raw, "raw_s": raw_s, "draw": drawn,
            "verify": verify, "announced": announced, "logcost": logcost,
            "raw_runs": raw["raw_runs"] + raw_after["raw_runs"]}


def report(results: list[dict[str, Any]], dialect: str) -> bool:
    import sqlite3

    print()
    print(f"draw benchmark — {dialect}, {os.cpu_count()} cores, Python {host.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    ok = True
    for r in results:
        d, v, raw = r["draw"], r["verify"], r["raw"]
        c = raw["counts"]
        print()
        print(f"targets {r['n']:,}: {c['flags']:,} flags in force, {c['history']:,} earlier "
              f"inspections; pool {d['pool']:,} ({d['excluded']:,} excluded), "
              f"{d['selected']:,} drawn; bundle {d['bundle_mb']:.0f} MB")
        print(f"  {'measure':<44} {'time':>9} {'vs raw':>8} {'target':>8}  met")
        # the issue sets the ratios for a directory of a million; other sizes show growth
        sized = r["n"] == TARGET_SIZE
        rows = [
            ("raw scan (targets + flags + history join)", r["raw_s"], None),
            ("service draw (draws.draw + commit)", d["draw_s"],
             TARGETS["draw"] if sized else None),
            ("offline verify (kernel.verify_bundle)", v["verify_s"],
             TARGETS["verify"] if sized else None),
            ("  (+ reading the bundle JSON)", v["load_s"], None),
        ]
        if raw.get("service_read_s") is not None:
            rows.insert(1, ("  the service's own read alone (text pages)", raw["service_read_s"],
                            None))
        if not sized:
            print(f"  (the ratio targets are set for {TARGET_SIZE:,} targets; this size shows "
                  "growth)")
        for label, secs, target in rows:
            ratio = secs / r["raw_s"]
            met = "" if target is None else ("yes" if ratio <= target else "NO")
            ok = ok and met != "NO"
            tgt = "" if target is None else f"≤ {target}×"
            print(f"  {label:<44} {secs:8.2f}s {ratio:7.2f}× {tgt:>8}  {met}")
        mem_ok = d["peak_mib"] * 2**20 < MEMORY_LIMIT
        ok = ok and mem_ok
        print(f"  {'peak RSS, service draw (getrusage)':<44} {d['peak_mib']:7.0f} MiB "
              f"= {d['peak_mib'] * 2**20 / 1e6:.0f} MB {'< 400 MB':>9}  "
              f"{'yes' if mem_ok else 'NO'}")
        print(f"  {'peak RSS, verify':<44} {v['peak_mib']:7.0f} MiB")
        print(f"  {'peak RSS, raw scan':<44} {raw['peak_mib']:7.0f} MiB")
        print("  draw stages (s from start, RSS now / peak MiB): "
              f"start {d['base_mib']:.0f}; " + "; ".join(
                  f"{name} {t:.2f} s {now:.0f}/{pk:.0f}" for name, t, now, pk in d["stages"]))
        print(f"  raw scan runs: {', '.join(f'{x:.2f}' for x in r['raw_runs'])} s "
              f"(fastest used)")
        for key, label in (("order_by_random", "ORDER BY RANDOM() LIMIT k (what one would "
                                                "do instead)"),
                           ("floor", "floor: read the pool's text once + SHA-256")):
            b = raw.get(key)
            if b:
                print(f"  {label}: min {b['min']:.2f} / median {b['median']:.2f} / max "
                      f"{b['max']:.2f} s; service draw = {d['draw_s'] / b['median']:.2f}× "
                      "its median")
        a = r.get("announced")
        if a:
            same = "same pool" if a["pool_digest"] == d["pool_digest"] else "POOL DIFFERS"
            print(f"  with the announcement step (commit–reveal, pool frozen once; {same}, "
                  f"{a['format']}): announce {a['announce_s']:.2f} s + commit–reveal "
                  f"{a['seed_s']:.2f} s + draw {a['draw_s']:.2f} s = {a['total_s']:.2f} s; "
                  f"peak RSS {a['peak_mib']:.0f} MiB")
            print(f"  announced / unannounced draw: {a['total_s'] / d['draw_s']:.2f}× "
                  f"(the draw step alone: {a['draw_s'] / d['draw_s']:.2f}×)")
        lc = r.get("logcost")
        if lc:
            w, wo = sorted(lc["with"]), sorted(lc["without"])
            added = (w[len(w) // 2] - wo[len(wo) // 2]) / wo[len(wo) // 2]
            log_ok = added <= 0.05
            ok = ok and log_ok
            print(f"  {'the transparency log (draw to its flush)':<44} with "
                  f"{'/'.join(f'{x:.2f}' for x in w)} s, without "
                  f"{'/'.join(f'{x:.2f}' for x in wo)} s (min/median/max): adds "
                  f"{added * 100:+.1f} % of the median {'≤ 5 %':>8}  "
                  f"{'yes' if log_ok else 'NO'}; load {lc['load'][0]:.2f}")
        if raw.get("load"):
            print("  load average at the raw-scan child: "
                  + " ".join(f"{x:.2f}" for x in raw["load"]))
        if not v["ok"]:
            ok = False
            print(f"  VERIFY FAILED: {v['report']}")
    if len(results) > 1:
        a, b = results[0], results[-1]
        k = b["n"] / a["n"]
        print()
        print(f"growth {a['n']:,} → {b['n']:,} targets (×{k:g}; linear means ×{k:g}):")
        for label, key in (("raw scan", lambda r: r["raw_s"]),
                           ("service draw", lambda r: r["draw"]["draw_s"]),
                           ("offline verify", lambda r: r["verify"]["verify_s"]),
                           ("peak RSS above start, draw",
                            lambda r: r["draw"]["peak_mib"] - r["draw"]["base_mib"])):
            print(f"  {label:<28} ×{key(b) / key(a):.1f}")
    return ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--targets", type=int, help="one size only (default: 100,000 and 1,000,000)")
    ap.add_argument("--database-url",
                    help="a PostgreSQL or MariaDB server; a fresh database is made on it")
    ap.add_argument("--keep", action="store_true", help="keep the databases and bundles")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        if kind == "build":
            out = build(rest[0], int(rest[1]))
        elif kind == "raw":
            out = child_raw(rest[0], int(rest[1]))
        elif kind == "draw":
            out = child_draw(rest[0], int(rest[1]), rest[2])
        elif kind == "announced":
            out = child_announced(rest[0], int(rest[1]))
        elif kind == "logcost":
            out = child_logcost(rest[0], int(rest[1]))
        else:
            out = child_verify(rest[0])
        print(json.dumps(out, default=str))
        return 0
    sizes = [args.targets] if args.targets else [100_000, 1_000_000]
    results = [measure(args.database_url, n, args.keep) for n in sizes]
    url = args.database_url or ""
    dialect = "SQLite" if not url else "MariaDB" if url.startswith("mysql") else "PostgreSQL"
    ok = report(results, dialect)
    print()
    print("all targets met" if ok else "some targets NOT met (see NO above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
