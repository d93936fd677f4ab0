"""Benchmark at provincial size on a database server (issue 17 item 7): one named database,
built once in bulk, then the service draw N times, the raw scan, and the whole-process CLI
steps a user runs (``ssj draw export``, ``ssj verify``) with their peak memory.

    PG=postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/draw_scale.py --server $PG --targets 1000000 --draws 3
    MY=mysql+pymysql://root@127.0.0.1:3306/mysql
    .venv/bin/python bench/draw_scale.py --server $MY --targets 3000000 --draws 1 --cli
    ... --reuse          # the database is there already (built by an earlier run): no build
    ... --drop           # drop the database at the end

The directory is ``bench/draw.py``'s (the same rows, flags, history and task for the same N:
the same generator and the same shuffle), but on PostgreSQL the targets, flags and earlier
selections are loaded with ``COPY`` from a stream (nothing held per row but the ids), so
10,000,000 targets build in minutes in bounded memory. On MariaDB ``bench/draw.py``'s own
build is used.

Between draws the previous one is voided (not timed), so each draw is the same task's next
attempt over the same pool. Every figure is printed with the 1-minute load average taken
just before it.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
BIN = Path(sys.executable).parent


def _draw_module() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_draw", HERE / "draw.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bd = _draw_module()


def load() -> float:
    return os.getloadavg()[0]


# --- bulk build (PostgreSQL) ---------------------------------------------------------------


def _target_lines(n: int, tid: int, order: list[int]) -> Any:
    """bench/draw.py's target rows (same generator, same names), in the shuffled order, as
    COPY text lines; returned in blocks of bytes."""
    from stdnum.cn import uscc

    rnd = random.Random(20260701)
    names = []
    for i in range(n):  # the names draw from one generator in index order, as draw.py's do
        names.append(f"{rnd.choice(bd.WORDS)}{rnd.choice(bd.TRADES)}{i}"
                     f"{rnd.choice(bd.SUFFIXES)}")
    buf = io.StringIO()
    for k, i in enumerate(order, 1):
        region = bd.REGIONS[i % len(bd.REGIONS)]
        body = f"91{region}{(i * 387420489 + 12345) % 10**9:09d}"
        buf.write(f"{tid}\t{body}{uscc.calc_check_digit(body)}\t{names[i]}\t{region}"
                  "\t电信业务\tB\t\n")
        if k % 200_000 == 0:
            yield buf.getvalue().encode()
            buf = io.StringIO()
    yield buf.getvalue().encode()


def _drop_secondary_indexes(dbapi: Any, table: str) -> list[str]:
    """Drop ``table``'s unique constraints and indexes but its primary key; return the
    statements that make them again (the schema's own definitions, read from the catalog)."""
    with dbapi.cursor() as cur:
        cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                    " WHERE conrelid = %s::regclass AND contype = 'u'", (table,))
        constraints = cur.fetchall()
        cur.execute("SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s"
                    " AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
                    " WHERE c.conname = i.indexname)", (table,))
        indexes = cur.fetchall()
        for name, _ in constraints:
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
    return ([f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
             for name, definition in constraints] + [definition for _, definition in indexes])


def build_copy(url: str, n: int) -> dict[str, Any]:
    """draw.py's build with the bulk rows by COPY."""
    from sqlalchemy import select, update

    from shuangsuiji.db import Base, set_tenant
    from shuangsuiji.demo import generate as gen
    from shuangsuiji.models.directories import Target
    from shuangsuiji.models.draws import Draw
    from shuangsuiji.models.plans import Task
    from shuangsuiji.services import audit, imports, plans
    from shuangsuiji.services import items as item_service
    from shuangsuiji.services import tenants as tenant_service

    started = time.perf_counter()
    steps: dict[str, float] = {}
    inspections, draw_n = n // 5, n // 20
    app = bd.make_app(url)
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
        cats = tuple(c.code for c in platform.policy_for(tenant).rules(date(bd.YEAR, 3, 1))
                     .item_categories)
        files = {
            "items": gen.to_csv(gen.ITEM_HEADINGS, gen.item_rows(cats, bd.DEPARTMENTS[0])),
            "inspectors": gen.to_csv(gen.INSPECTOR_HEADINGS,
                                     gen.inspector_rows(60, bd.DEPARTMENTS, seed=2)),
            "experts": gen.to_csv(gen.EXPERT_HEADINGS, gen.expert_rows(10, seed=3)),
        }
        for kind, data in files.items():
            imports.import_file(s, tenant, kind, data, f"{kind}.csv", actor="bench",
                                today=date(bd.YEAR, 3, 1))
        item_service.approve_and_publish(s, approver="bench", approved_on=date(bd.YEAR, 3, 1),
                                         document="bench-001", actor="bench")
        plans.create_plan(s, platform, tenant, bd.YEAR, title=f"{bd.YEAR}年度抽查工作计划",
                          made_on=date(bd.YEAR, 2, 10))
        common = {"plan_year": bd.YEAR, "title": "电信业务经营许可情况检查",
                  "department": bd.DEPARTMENTS[0], "item_codes": [bd.ITEM],
                  "methods": ["on_site"], "group_count": 3,
                  "inspector_scope": "across_departments"}
        earlier = max(1, inspections // bd.PER_TASK)
        voided = 2
        tasks: list[Task] = []
        for k in range(earlier + voided):
            start = date(bd.YEAR, 1, 5) + timedelta(days=(k * 170) // (earlier + voided))
            tasks.append(plans.create_task(
                s, platform, tenant, code=f"BENCH-2026-{k + 1:03d}", starts_on=start,
                ends_on=start + timedelta(days=30), ratio_permille=10,
                division=f"第{k % 3 + 1}处", **common))
        ratio = min(1000, -(-draw_n * 1000 // max(1, n - inspections)))
        plans.create_task(s, platform, tenant, code=bd.TASK, starts_on=date(bd.YEAR, 7, 1),
                          ends_on=date(bd.YEAR, 8, 31), ratio_permille=ratio, division="第1处",
                          **common)
        s.commit()
        steps["services"] = time.perf_counter() - started

        dbapi = s.connection().connection.dbapi_connection
        order = list(range(n))
        rnd.shuffle(order)  # the permutation draw.py's shuffle of its row list makes
        t0 = time.perf_counter()
        rebuild = _drop_secondary_indexes(dbapi, "targets")  # built by sorting, after the load
        with dbapi.cursor() as cur, cur.copy(
                "COPY targets (tenant_id, credit_code, name, region_code, industry,"
                " credit_rating, address) FROM STDIN") as copy:
            for block in _target_lines(n, tid, order):
                copy.write(block)
        del order
        steps["targets_copy"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        with dbapi.cursor() as cur:
            cur.execute("SET maintenance_work_mem = '1GB'")
            for statement in rebuild:
                cur.execute(statement)
        steps["targets_indexes"] = time.perf_counter() - t0
        ids = [i for (i,) in s.execute(select(Target.id).where(Target.tenant_id == tid)
                                       .order_by(Target.id))]
        flag_rows = []
        for target_id in ids:
            r = rnd.random()
            if r < 0.03:
                f = bd.FLAGS[int(r * 1000) % 4]
                flag_rows.append((target_id, f, None, None))
                if r < 0.003:
                    flag_rows.append((target_id, bd.FLAGS[(int(r * 1000) + 1) % 4],
                                      date(bd.YEAR - 1, 6, 1), None))
            elif r < 0.035:
                flag_rows.append((target_id, bd.FLAGS[int(r * 10_000) % 4],
                                  date(bd.YEAR - 1, 1, 1), date(bd.YEAR, 3, 1)))
            elif r < 0.037:
                flag_rows.append((target_id, bd.FLAGS[int(r * 10_000) % 4],
                                  date(bd.YEAR, 9, 1), None))
        with dbapi.cursor() as cur, cur.copy(
                "COPY target_flags (tenant_id, target_id, flag, listed_on, removed_on, source)"
                " FROM STDIN") as copy:
            for t, f, lo, ro in flag_rows:
                copy.write_row((tid, t, f, lo, ro, "bench"))
        codes = dict(s.execute(select(Target.id, Target.credit_code)
                               .where(Target.tenant_id == tid)).all())
        now = datetime.now(UTC)
        t0 = time.perf_counter()
        from sqlalchemy import insert

        from shuangsuiji.models.draws import DrawVoid

        for k, task in enumerate(tasks):
            chosen = rnd.sample(ids, bd.PER_TASK if k < earlier - 1 or earlier == 1
                                else inspections - bd.PER_TASK * (earlier - 1))
            draw_id = s.execute(insert(Draw).values(
                tenant_id=tid, task_id=task.id, attempt=1, seed=f"bench-{k}",
                seed_source="generated", witnesses=[], inspection_date=task.starts_on,
                pool_digest="0" * 64, bundle_digest="0" * 64, pool_size=n,
                excluded_count=0, selected_count=len(chosen), rules_pack="miit",
                rules_version="2018", bundle={}, actor="bench", drawn_at=now,
            ).returning(Draw.id)).scalar_one()
            with dbapi.cursor() as cur, cur.copy(
                    "COPY draw_selections (tenant_id, draw_id, task_id, target_id, credit_code,"
                    " stratum, position, batch_no) FROM STDIN") as copy:
                for p, t in enumerate(chosen):
                    copy.write_row((tid, draw_id, task.id, t, codes[t], "general", p, None))
            if k >= earlier:
                s.execute(insert(DrawVoid).values(tenant_id=tid, draw_id=draw_id,
                                                  reason="bench: voided", actor="bench", at=now))
            status = ("planned" if k >= earlier else
                      ("work_ended", "published", "closed", "drawn", "in_progress")[k % 5])
            s.execute(update(Task).where(Task.id == task.id).values(status=status))
        steps["history_copy"] = time.perf_counter() - t0
        s.commit()
    t0 = time.perf_counter()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql("VACUUM ANALYZE")
    steps["vacuum_analyze"] = time.perf_counter() - t0
    db.dispose()
    return {"tenant_id": tid, "setup_s": time.perf_counter() - started, "steps": steps,
            "inspections": inspections, "flags": len(flag_rows)}


# --- children ------------------------------------------------------------------------------


def child_void(url: str, tid: int) -> dict[str, Any]:
    """Void the task's live draw (between measured draws; not timed)."""
    from sqlalchemy import select

    from shuangsuiji.db import set_tenant
    from shuangsuiji.models.draws import Draw, DrawVoid
    from shuangsuiji.services import audit, draws
    from shuangsuiji.services import tenants as tenant_service

    app = bd.make_app(url)
    platform = app.extensions["shuangsuiji"]
    with platform.db.session() as s:
        set_tenant(s, tid)
        audit.set_actor(s, "bench")
        tenant = tenant_service.get(s, "miit")
        live = s.scalars(select(Draw).where(Draw.id.not_in(select(DrawVoid.draw_id)))
                         .order_by(Draw.id.desc())).first()
        if live is not None and live.seed.startswith("bench: dice"):
            draws.void(s, tenant, live.id, "bench: measured again")
            s.commit()
            return {"voided": live.id}
    return {"voided": None}


def child_draw(url: str, tid: int) -> dict[str, Any]:
    """bench/draw.py's measured draw without its epilogue (the whole bundle written to a JSON
    file, which at 10,000,000 targets is minutes and gigabytes of work nobody measures here:
    the CLI steps export and verify it as a user would)."""
    from shuangsuiji.db import set_tenant
    from shuangsuiji.services import audit, draws
    from shuangsuiji.services import tenants as tenant_service

    app = bd.make_app(url)
    platform = app.extensions["shuangsuiji"]
    gc.collect()
    base = bd.rss_mib()
    stages: list[tuple[str, float, float, float]] = []
    t0 = time.perf_counter()

    def progress(stage: str, _done: int, _total: int) -> None:
        stages.append((stage, time.perf_counter() - t0, bd.rss_mib(), bd.peak_mib()))

    with platform.db.session() as s:
        tenant = tenant_service.get(s, "miit")
        set_tenant(s, tenant.id)
        audit.set_actor(s, "bench")
        record = draws.draw(s, platform, tenant, bd.TASK, seed="bench: dice 3-5-1-6-2-4",
                            progress=progress)
        stages.append(("written", time.perf_counter() - t0, bd.rss_mib(), bd.peak_mib()))
        s.commit()
        elapsed = time.perf_counter() - t0
        stages.append(("committed", elapsed, bd.rss_mib(), bd.peak_mib()))
        return {"draw_s": elapsed, "peak_mib": bd.peak_mib(), "base_mib": base,
                "stages": stages, "pool": record.pool_size, "excluded": record.excluded_count,
                "selected": record.selected_count, "pool_digest": record.pool_digest}


def child_raw(url: str, tid: int) -> dict[str, Any]:
    """bench/draw.py's raw scan (3 runs, the floor and ORDER BY RANDOM() 3 runs each, the
    service's own read 3 runs); above 5,000,000 targets (MariaDB: 2,000,000, PyMySQL fetches in
    pure Python) the raw scan and the floor once (one floor run is minutes there)."""
    from sqlalchemy import create_engine

    from shuangsuiji.db.session import make_engine

    engine = create_engine(make_engine(url).url.render_as_string(hide_password=False))
    with engine.connect() as c:
        count = c.exec_driver_sql("SELECT count(*) FROM targets").scalar() or 0
    engine.dispose()
    mysql = engine.dialect.name in ("mysql", "mariadb")
    if count <= (2_000_000 if mysql else 5_000_000):
        return dict(bd.child_raw(url, tid))
    import hashlib

    app = bd.make_app(url)
    engine = app.extensions["shuangsuiji"].db.engine
    p = "%s"
    with engine.connect() as conn:
        task_id = conn.exec_driver_sql(
            f"SELECT id FROM tasks WHERE tenant_id = {p} AND code = {p}", (tid, bd.TASK)).scalar()
        conn.rollback()
        dbapi = conn.connection.dbapi_connection
        on = date(bd.YEAR, 7, 1)
        args = {"targets": (tid,), "flags": (tid, on, on),
                "history": (tid, task_id, date(bd.YEAR, 1, 1), date(bd.YEAR, 12, 31))}
        counts: dict[str, int] = {}
        t0 = time.perf_counter()
        for key, sql in bd.RAW_SQL.items():
            cur = dbapi.cursor()
            cur.execute(sql.format(p=p), args[key])
            counts[key] = len(cur.fetchall())
            cur.close()
        raw_s = time.perf_counter() - t0
        dbapi.rollback()
        floor_load = load()
        t0 = time.perf_counter()
        cur = dbapi.cursor()
        cur.execute(f"SELECT credit_code, name FROM targets WHERE tenant_id = {p} "
                    "ORDER BY credit_code", (tid,))
        rows = cur.fetchall()
        cur.close()
        hashlib.sha256("".join(f"{c}\t{n}\n" for c, n in rows).encode()).hexdigest()
        del rows
        floor_s = time.perf_counter() - t0
        dbapi.rollback()
    one = {"min": floor_s, "median": floor_s, "max": floor_s}
    return {"raw_s": raw_s, "raw_runs": [raw_s], "counts": counts, "peak_mib": bd.peak_mib(),
            "service_read_s": None, "floor": one, "load": [floor_load]}


def run_child(*args: str) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"child {args[0]} failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def timed_cli(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """A whole ``ssj`` process under /usr/bin/time -v: wall seconds, peak RSS, exit code."""
    loadavg = load()
    t0 = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", str(BIN / "ssj"), *args], env=env,
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    peak = next((int(line.split(":")[1]) for line in proc.stderr.splitlines()
                 if "Maximum resident set size" in line), 0)
    return {"args": args, "wall_s": wall, "peak_mib": peak / 1024, "rc": proc.returncode,
            "load": loadavg, "tail": proc.stdout[-300:] + proc.stderr[-600:]}


# --- main ----------------------------------------------------------------------------------


def _db_url(server: str, name: str) -> str:
    return server.rsplit("/", 1)[0] + "/" + name


def _admin(server: str) -> Any:
    from sqlalchemy import create_engine

    from shuangsuiji.db.session import make_engine

    return create_engine(make_engine(server).url.render_as_string(hide_password=False),
                         isolation_level="AUTOCOMMIT")


def _quoted(admin: Any, name: str) -> str:
    return f"`{name}`" if admin.dialect.name in ("mysql", "mariadb") else f'"{name}"'


def create_db(server: str, name: str) -> None:
    admin = _admin(server)
    mysql = admin.dialect.name in ("mysql", "mariadb")
    with admin.connect() as c:
        c.exec_driver_sql(f"DROP DATABASE IF EXISTS {_quoted(admin, name)}"
                          + ("" if mysql else " WITH (FORCE)"))
        c.exec_driver_sql(f"CREATE DATABASE {_quoted(admin, name)}"
                          + (" CHARACTER SET utf8mb4" if mysql else ""))
    admin.dispose()


def drop_db(server: str, name: str) -> None:
    admin = _admin(server)
    mysql = admin.dialect.name in ("mysql", "mariadb")
    with admin.connect() as c:
        c.exec_driver_sql(f"DROP DATABASE IF EXISTS {_quoted(admin, name)}"
                          + ("" if mysql else " WITH (FORCE)"))
    admin.dispose()


def db_size(url: str) -> str:
    from sqlalchemy import create_engine

    from shuangsuiji.db.session import make_engine

    engine = create_engine(make_engine(url).url.render_as_string(hide_password=False))
    with engine.connect() as c:
        if engine.dialect.name == "postgresql":
            size = c.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()
        else:
            size = c.exec_driver_sql(
                "SELECT SUM(data_length + index_length) FROM information_schema.tables"
                " WHERE table_schema = DATABASE()").scalar()
    engine.dispose()
    return f"{int(size or 0) / 2**30:.2f} GiB"


def _mmm(xs: list[float]) -> str:
    return f"{min(xs):.2f} / {statistics.median(xs):.2f} / {max(xs):.2f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server", help="a PostgreSQL or MariaDB server URL (any database)")
    ap.add_argument("--name", default="ssj_bench_dbscale", help="the benchmark database")
    ap.add_argument("--targets", type=int, default=1_000_000)
    ap.add_argument("--draws", type=int, default=3, help="service draws measured")
    ap.add_argument("--reuse", action="store_true", help="the database is built already")
    ap.add_argument("--cli", action="store_true",
                    help="also ssj draw export and ssj verify, whole processes")
    ap.add_argument("--drop", action="store_true", help="drop the database at the end")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        if kind == "build_copy":
            out = build_copy(rest[0], int(rest[1]))
        elif kind == "build":
            out = bd.build(rest[0], int(rest[1]))
        elif kind == "void":
            out = child_void(rest[0], int(rest[1]))
        elif kind == "raw":
            out = child_raw(rest[0], int(rest[1]))
        elif kind == "draw":
            out = child_draw(rest[0], int(rest[1]))
        else:
            raise SystemExit(f"unknown child {kind}")
        print(json.dumps(out, default=str))
        return 0
    url = _db_url(args.server, args.name)
    mysql = url.startswith("mysql") or url.startswith("mariadb")
    n = args.targets
    out: dict[str, Any] = {"n": n, "url": url, "started": f"{datetime.now(UTC):%H:%M} UTC"}
    if not args.reuse:
        create_db(args.server, args.name)
        print(f"[{n:,}] building (load {load():.2f})…", file=sys.stderr, flush=True)
        info = run_child("build" if mysql else "build_copy", url, str(n))
        print(f"[{n:,}] built in {info['setup_s']:.0f} s {info.get('steps', '')}; "
              f"{db_size(url)}", file=sys.stderr, flush=True)
        out["build"] = info
    tid = "1"
    raw_load = load()
    raw = run_child("raw", url, tid)
    print(f"[{n:,}] raw scan {raw['raw_s']:.2f} s (runs {raw['raw_runs']}; load {raw_load:.2f}); "
          f"own read {raw.get('service_read_s')}; floor {raw.get('floor')}; "
          f"ORDER BY RANDOM {raw.get('order_by_random')}; peak {raw['peak_mib']:.0f} MiB",
          file=sys.stderr, flush=True)
    draws = []
    bundle_path = str(bd.DATA / f"scale-{n}.bundle.json")
    bd.DATA.mkdir(exist_ok=True)
    for k in range(args.draws):
        run_child("void", url, tid)
        before = load()
        d = run_child("draw", url, tid, bundle_path)
        d["load"] = before
        draws.append(d)
        Path(bundle_path).unlink(missing_ok=True)
        stages = "; ".join(f"{name} {t:.2f}s {now:.0f}/{pk:.0f}"
                           for name, t, now, pk in d["stages"])
        print(f"[{n:,}] draw {k + 1}: {d['draw_s']:.2f} s = {d['draw_s'] / raw['raw_s']:.2f}× raw, "
              f"peak {d['peak_mib']:.0f} MiB, load {before:.2f}; pool {d['pool']:,}, excluded "
              f"{d['excluded']:,}, drawn {d['selected']:,}; stages: {stages}",
              file=sys.stderr, flush=True)
    out["raw"], out["draws"] = raw, draws
    if draws:
        times = [d["draw_s"] for d in draws]
        print(f"[{n:,}] service draw min/median/max {_mmm(times)} s; ratio to raw scan "
              f"{_mmm([t / raw['raw_s'] for t in times])}×", file=sys.stderr, flush=True)
    if args.cli:
        env = dict(os.environ, SSJ_DATABASE_URL=url)
        export = bd.DATA / f"scale-{n}.bundle.json.gz"
        cli = [timed_cli(["draw", "export", "--tenant", "miit", bd.TASK, "-o", str(export)],
                         env)]
        cli.append(timed_cli(["verify", str(export)], env))
        for c in cli:
            print(f"[{n:,}] ssj {' '.join(c['args'][:2])}: {c['wall_s']:.1f} s, peak "
                  f"{c['peak_mib']:.0f} MiB, exit {c['rc']}, load {c['load']:.2f}"
                  + ("" if c["rc"] == 0 else f"\n{c['tail']}"), file=sys.stderr, flush=True)
        out["cli"] = cli
        out["export_mib"] = export.stat().st_size / 2**20 if export.exists() else None
        export.unlink(missing_ok=True)
    out["size"] = db_size(url)
    if args.drop:
        drop_db(args.server, args.name)
    print(json.dumps(out, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
