"""Benchmark: import a million targets through the real import path, against a bare executemany.

    .venv/bin/python bench/import_targets.py            # 1,000,000 rows
    .venv/bin/python bench/import_targets.py --rows 100000

Generates a targets CSV (valid credit codes, realistic Chinese names, some risk flags) into
bench/data/ (gitignored), then
1. imports it with ``services.imports.import_file`` — reading, decoding, normalising, checking
   every credit code and flag, looking up existing keys, bulk inserts, the audit event — into a
   fresh SQLite database, and
2. inserts the same rows (the same columns of ``targets`` and ``target_flags``, values already
   in memory) with a bare ``sqlite3`` ``executemany`` into another fresh database built from
   the same schema — once in file order, once sorted by credit code (the import inserts new
   rows in key order, which SQLite's unique index rewards; the sorted bare insert shows what
   that alone is worth),
3. runs ``ssj import targets`` on the same file as a new process (whole-process time and the
   process's peak RSS; target under 300 MB), and with ``--also gbk,xlsx`` on the same rows as
   a GBK CSV and as an XLSX written as Excel writes it (every text in the shared-string table;
   beside it, openpyxl's read-only reader, which the import used before, reading it alone),
each ``--runs`` times (default 3), and prints min / median / max of each, the load average,
and the ratio of the medians against the **sorted** bare insert, the fair baseline (target:
at most 2×). Results go in docs/performance.md.

    .venv/bin/python bench/import_targets.py --rows 1000000 --runs 3 --also gbk,xlsx
"""

from __future__ import annotations

import argparse
import os
import platform as host
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from stdnum.cn import uscc

from shuangsuiji.db import Base, Database
from shuangsuiji.models.tenants import Tenant
from shuangsuiji.services.imports import import_file

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
sys.path.insert(0, str(HERE.parent))  # the XLSX writer of the tests

from tests.directories.samples import write_excel_xlsx  # noqa: E402

REGIONS = ["500101", "500102", "500103", "500104", "500105", "500106", "500107", "500108",
           "500112", "500113", "110105", "310115", "440305", "510107", "330106"]
CITIES = {"50": "重庆", "11": "北京", "31": "上海", "44": "深圳", "51": "成都", "33": "杭州"}
WORDS = ["精密", "机械", "电子", "新材料", "智能", "光电", "汽车零部件", "化工", "医药",
         "食品", "纺织", "建材", "通信", "软件", "能源", "环保", "物流", "数据", "半导体", "装备"]
SHAPES = ["有限公司", "有限责任公司", "股份有限公司", "科技有限公司", "制造有限公司"]
TRADE = ["长江", "嘉陵", "两江", "山城", "渝州", "巴渝", "朝天门", "解放碑", "南岸", "江北",
         "华创", "恒通", "鑫达", "宏远", "瑞丰", "众诚", "天成", "博元", "立信", "中科"]
INDUSTRIES = ["制造业", "信息传输、软件和信息技术服务业", "批发和零售业", "建筑业",
              "电力、热力、燃气及水生产和供应业", "交通运输、仓储和邮政业"]
FLAGS = ["投诉举报多", "经营异常名录(2025-11-03)", "不良信用记录",
         "行政处罚(2024-06-18~2025-06-18)"]
HEADINGS = "统一社会信用代码,企业名称,行政区划代码,所属行业,信用等级,住所,风险标记\r\n"


def target_values(rows: int, seed: int = 20260301) -> Iterator[list[str]]:
    """The cells of ``rows`` targets, in the order of :data:`HEADINGS`."""
    rnd = random.Random(seed)
    for n in range(rows):
        region = rnd.choice(REGIONS)
        # n times a unit modulo 10**9 is a bijection: unique codes that do not look serial
        body = f"91{region}{(n * 387420489 + 12345) % 10**9:09d}"
        code = body + uscc.calc_check_digit(body)
        city = CITIES[region[:2]]
        name = f"{city}{rnd.choice(TRADE)}{rnd.choice(WORDS)}{n}{rnd.choice(SHAPES)}"
        flags = rnd.choice(FLAGS) if rnd.random() < 0.03 else ""
        address = f"{city}市{rnd.randrange(1, 300)}号"
        yield [code, name, region, rnd.choice(INDUSTRIES), rnd.choice("ABCD"), address, flags]


def generate(path: Path, rows: int) -> None:
    """Write ``rows`` targets as a UTF-8 (BOM) CSV, as a regulator's system would export."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(HEADINGS)
        for code, name, region, industry, rating, address, flags in target_values(rows):
            out.write(f"{code},{name},{region},\"{industry}\",{rating},{address},{flags}\r\n")


def generate_also(kind: str, rows: int) -> Path:
    """The same targets as a GBK CSV (``gbk``) or as an XLSX as Excel writes it, every text in
    the shared-string table (``xlsx``); made once into bench/data/."""
    path = DATA / (f"targets-{rows}-gbk.csv" if kind == "gbk" else f"targets-{rows}.xlsx")
    if path.exists():
        return path
    started = time.perf_counter()
    if kind == "gbk":
        with path.open("w", encoding="gbk", newline="") as out:
            out.write(HEADINGS)
            for code, name, region, industry, rating, address, flags in target_values(rows):
                out.write(f"{code},{name},{region},\"{industry}\",{rating},{address},"
                          f"{flags}\r\n")
    else:
        with path.open("wb") as out:
            write_excel_xlsx(out, HEADINGS.strip().split(","), target_values(rows),
                             count=rows)
    print(f"generated {path.name} ({path.stat().st_size / 1e6:.0f} MB) in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


def fresh_database(path: Path) -> Database:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = Database(f"sqlite:///{path}")
    Base.metadata.create_all(db.engine)
    with db.session() as s:
        s.add(Tenant(slug="bench", name="基准测试", pack="miit", level="province"))
        s.commit()
    return db


def real_import(db: Database, csv_path: Path) -> tuple[float, int, int]:
    with db.session() as s:
        tenant_id = s.query(Tenant.id).scalar()
        started = time.perf_counter()
        report = import_file(s, tenant_id, "targets", csv_path, actor="bench")
        s.commit()
        elapsed = time.perf_counter() - started
    return elapsed, report.inserted, report.rows


def bare_rows(csv_path: Path) -> tuple[list[tuple[object, ...]], list[tuple[int, str]]]:
    """The same values the import stores, prepared in memory (not timed)."""
    import csv

    targets, flags = [], []
    with csv_path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for i, (code, name, region, industry, rating, address, flag) in enumerate(reader, 1):
            targets.append((1, code, name, region, industry, rating, address))
            if flag:
                flags.append((i, flag))
    return targets, flags


def bare_insert(db_path: Path, csv_path: Path, *, in_key_order: bool = False) -> float:
    fresh_database(db_path).dispose()
    targets, flags = bare_rows(csv_path)
    if in_key_order:
        targets.sort(key=lambda row: str(row[1]))
    flag_rows = [(1, tid, "complaints", None, None, "bench") for tid, _ in flags]
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO targets (tenant_id, credit_code, name, region_code, industry, "
        "credit_rating, address) VALUES (?, ?, ?, ?, ?, ?, ?)", targets)
    conn.executemany(
        "INSERT INTO target_flags (tenant_id, target_id, flag, listed_on, removed_on, source) "
        "VALUES (?, ?, ?, ?, ?, ?)", flag_rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def _stats(label: str, runs: list[float], rows: int) -> float:
    median = statistics.median(runs)
    print(f"{label:<52} min {min(runs):7.2f} s  median {median:7.2f} s  max {max(runs):7.2f} s"
          f"  ({rows / median:,.0f} rows/s)")
    return median


def _peaks(label: str, runs: list[float]) -> None:
    print(f"{label:<52} min {min(runs):7.0f} MiB median {statistics.median(runs):7.0f} MiB "
          f"max {max(runs):7.0f} MiB (target < 300 MB: "
          f"{'met' if max(runs) < 300 else 'NOT met'})")


OPENPYXL_READ = ("import sys; from openpyxl import load_workbook; "
                 "wb = load_workbook(sys.argv[1], read_only=True, data_only=True); "
                 "n = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True)); "
                 "wb.close(); print(n)")


def _measured(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Seconds and peak RSS in MiB, under ``/usr/bin/time`` (a small process forks the
    command: ``ru_maxrss`` survives fork and exec, so a child of this process, which holds the
    bare insert's rows, would report this process's size)."""
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *command], env=env, check=True,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    return elapsed, int(done.stderr.strip().splitlines()[-1]) / 1024


def openpyxl_read(xlsx_path: Path) -> tuple[float, float]:
    """openpyxl's read-only reader (what the import used before) reading every row of the
    XLSX and nothing else, as a process: the floor of the reader this import replaced."""
    return _measured([sys.executable, "-c", OPENPYXL_READ, str(xlsx_path)])


def cli_import(csv_path: Path) -> tuple[float, float]:
    """``ssj import targets`` as a user runs it: a new process, from start to exit, into a
    fresh database with the tenant made beforehand (not timed). Seconds and the process's
    peak RSS in MiB."""
    path = DATA / "cli.sqlite"
    fresh_database(path).dispose()
    env = dict(os.environ, SSJ_DATABASE_URL=f"sqlite:///{path}")
    env.pop("SSJ_AUDIT_GUARD", None)
    ssj = str(Path(sys.executable).with_name("ssj"))
    measured = _measured([ssj, "import", "targets", "--tenant", "bench", str(csv_path)], env)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--also", default="", help="comma-separated: gbk, xlsx — also time "
                        "`ssj import targets` on the same rows as a GBK CSV or an XLSX")
    args = parser.parse_args()
    also = [k for k in args.also.split(",") if k]
    if set(also) - {"gbk", "xlsx"}:
        parser.error("--also takes gbk and xlsx")
    DATA.mkdir(exist_ok=True)
    csv_path = DATA / f"targets-{args.rows}.csv"
    if not csv_path.exists():
        started = time.perf_counter()
        generate(csv_path, args.rows)
        print(f"generated {csv_path.name} ({csv_path.stat().st_size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - started:.1f} s", file=sys.stderr)

    others = {kind: generate_also(kind, args.rows) for kind in also}
    load = os.getloadavg()
    reals, bares, sorted_bares, clis, peaks = [], [], [], [], []
    other_runs: dict[str, list[tuple[float, float]]] = {kind: [] for kind in others}
    openpyxl_runs: list[tuple[float, float]] = []
    for _ in range(args.runs):
        db = fresh_database(DATA / "real.sqlite")
        real, inserted, rows = real_import(db, csv_path)
        db.dispose()
        assert inserted == rows == args.rows, (inserted, rows)
        reals.append(real)
        bares.append(bare_insert(DATA / "bare.sqlite", csv_path))
        sorted_bares.append(bare_insert(DATA / "bare.sqlite", csv_path, in_key_order=True))
        elapsed, peak = cli_import(csv_path)
        clis.append(elapsed)
        peaks.append(peak)
        for kind, path in others.items():
            other_runs[kind].append(cli_import(path))
        if "xlsx" in others:
            openpyxl_runs.append(openpyxl_read(others["xlsx"]))
    print(f"rows: {args.rows:,} on {os.cpu_count()} cores, Python {host.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}; {args.runs} runs each; load average before "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, after "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    real = _stats("real import (read, check, bulk insert, audit)", reals, args.rows)
    _stats("ssj import targets (whole process)", clis, args.rows)
    _peaks("ssj import targets, peak RSS", peaks)
    for kind, runs in other_runs.items():
        label = "GBK CSV" if kind == "gbk" else "XLSX (shared strings)"
        _stats(f"ssj import targets, {label}", [t for t, _ in runs], args.rows)
        _peaks(f"ssj import targets, {label}, peak RSS", [m for _, m in runs])
    if openpyxl_runs:
        _stats("openpyxl read-only, reading the XLSX alone", [t for t, _ in openpyxl_runs],
               args.rows)
        _peaks("openpyxl read-only, reading alone, peak RSS", [m for _, m in openpyxl_runs])
    bare = _stats("bare executemany, file order", bares, args.rows)
    sorted_bare = _stats("bare executemany, sorted by credit code", sorted_bares, args.rows)
    print(f"ratio (medians): {real / sorted_bare:.2f}x against the sorted bare insert, the fair "
          f"baseline (target <= 2x: {'met' if real / sorted_bare <= 2 else 'NOT met'}); "
          f"{real / bare:.2f}x against the bare insert in file order")
    for name in ("real.sqlite", "bare.sqlite"):
        for suffix in ("", "-wal", "-shm"):
            (DATA / f"{name}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
