"""Whole ``ssj`` processes as a user runs them on a 1,000,000-target tenant, against the floor
(issue 17 item 6): ``ssj draw``, ``ssj draw export`` and ``ssj verify``, each a new process
from the shell prompt back to the prompt (interpreter start, imports, packs, the database,
the work, the output).

    .venv/bin/python bench/draw.py --targets 1000000 --keep     # once: the tenant and its task
    .venv/bin/python bench/cli_e2e.py [--database bench/data/draw-1000000.sqlite] [--runs 3]

    # PostgreSQL: keep the database bench/draw.py builds there (it prints its URL), then
    .venv/bin/python bench/draw.py --targets 1000000 --keep \
        --database-url postgresql+psycopg://postgres@127.0.0.1/postgres
    .venv/bin/python bench/cli_e2e.py \
        --database-url postgresql+psycopg://postgres@127.0.0.1/ssj_bench_…

The database is copied first (SQLite: the file; PostgreSQL: ``CREATE DATABASE … TEMPLATE``,
dropped after). Each run voids the task's live draw (``ssj draw void``, not
timed; the draw bench/draw.py leaves was announced, so its redraw must be announced again),
then times under ``/usr/bin/time -v``, which gives the peak resident size:

1. ``ssj draw announce --procedure ceremony`` (the pool frozen, stored and logged, once);
2. ``ssj draw --tenant T --task K --seed …`` (the announced draw with the ceremony's seed:
   committed, then printed; stdout to /dev/null);
3. ``ssj draw export K -o F.json.gz`` (the public bundle, as the portal serves it);
4. ``ssj verify F.json.gz`` (read, parse, rebuild and compare; exit 0 = verified);
5. ``ssj draw export K --format text -o F.txt.gz`` and ``ssj verify F.txt.gz``: the same
   draw as the ``shuangsuiji-draw/3`` text file (docs/draw-spec.md §16).

The floor is measured in the same run, in this process, three times before each run's
commands: one read of the pool's text (``code<TAB>name`` of every target in credit-code
order) plus its SHA-256, as ``bench/draw.py`` defines it; the ratios use the median of all
its readings. Printed: min / median / max of ``--runs`` runs, the peak RSS of
the median run, each command as a multiple of the floor's median (targets: ``ssj draw`` ≤ 2×,
``ssj verify`` ≤ 1.5× — the issue's; they are for the whole command here, which is harder
than the in-process figures of bench/draw.py), and the load average at each run.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kept import KEPT, copy_kept

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
SSJ = str(Path(sys.executable).with_name("ssj"))
TASK = "BENCH-2026-DRAW"
FLOOR_READS = 3  # floor readings per run (their median over all runs is the floor)


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one whole process; it must exit 0."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", *argv], env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    assert peak is not None
    return wall, int(peak.group(1)) / 1024


class Database:
    """The run's copy of the kept database: its URL for ``ssj``, the tenant, and the floor
    read through the same driver the platform uses."""

    def __init__(self, url: str, connect: Callable[[], Any], placeholder: str,
                 dialect: str, drop: Callable[[], None]) -> None:
        self.url, self.connect, self.dialect, self.drop = url, connect, dialect, drop
        self.placeholder = placeholder
        conn = connect()
        try:
            cur = conn.cursor()
            cur.execute("SELECT id, slug FROM tenants")
            (self.tenant_id, self.slug), = cur.fetchall()
            cur.execute("SELECT count(*) FROM targets")
            (self.targets,), = cur.fetchall()
        finally:
            conn.close()

    def floor(self) -> float:
        """One read of the pool's text (``code<TAB>name`` in credit-code order, connecting
        included) plus its SHA-256, as bench/draw.py defines it."""
        start = time.perf_counter()
        conn = self.connect()
        try:
            cur = conn.cursor()
            cur.execute("SELECT credit_code, name FROM targets WHERE tenant_id = "
                        f"{self.placeholder} ORDER BY credit_code", (self.tenant_id,))
            rows = cur.fetchall()
        finally:
            conn.close()
        hashlib.sha256("".join(f"{c}\t{n}\n" for c, n in rows).encode()).hexdigest()
        return time.perf_counter() - start


def sqlite_copy(source: Path) -> Database:
    path = copy_kept(source, "cli-e2e.sqlite")
    return Database(f"sqlite:///{path}", lambda: sqlite3.connect(path), "?", "SQLite",
                    lambda: None)


def postgresql_copy(kept_url: str) -> Database:
    """A copy of the kept PostgreSQL database (``CREATE DATABASE … TEMPLATE``), dropped by
    ``drop()``."""
    import psycopg
    from sqlalchemy.engine import make_url

    kept = make_url(kept_url)
    if not kept.drivername.startswith("postgresql") or not kept.database:
        raise SystemExit(f"--database-url must name a kept PostgreSQL database, not {kept_url}")
    name = f"{kept.database}_e2e"
    plain = kept.set(drivername="postgresql")

    def server(database: str) -> Any:
        return psycopg.connect(plain.set(database=database).render_as_string(
            hide_password=False), autocommit=True)

    with server("postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{kept.database}"')

    def drop() -> None:
        with server("postgres") as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return Database(kept.set(database=name).render_as_string(hide_password=False),
                    lambda: server(name), "%s", "PostgreSQL", drop)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", type=Path, default=KEPT)
    parser.add_argument("--database-url",
                        help="a PostgreSQL database that bench/draw.py --keep left "
                             "(copied, not changed)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    db = postgresql_copy(args.database_url) if args.database_url else sqlite_copy(args.database)
    try:
        return run(db, args.runs)
    finally:
        db.drop()


def run(db: Database, runs: int) -> int:
    slug, targets = db.slug, db.targets
    env = {**os.environ, "SSJ_DATABASE_URL": db.url}
    env.pop("SSJ_AUDIT_GUARD", None)
    bundle = DATA / "cli-e2e.json.gz"
    text_file = DATA / "cli-e2e.txt.gz"
    commands = {
        "ssj draw announce": [SSJ, "draw", "announce", "--tenant", slug, "--task", TASK,
                              "--procedure", "ceremony"],
        "ssj draw": [SSJ, "draw", "--tenant", slug, "--task", TASK, "--seed", "bench e2e"],
        "ssj draw export": [SSJ, "draw", "export", TASK, "--tenant", slug, "-o", str(bundle)],
        "ssj verify": [SSJ, "verify", str(bundle)],
        "ssj draw export --format text": [SSJ, "draw", "export", TASK, "--tenant", slug,
                                          "--format", "text", "-o", str(text_file)],
        "ssj verify (the text file)": [SSJ, "verify", str(text_file)],
    }
    figures: dict[str, list[tuple[float, float, float]]] = {k: [] for k in commands}
    floors = []
    for run in range(runs):
        # the floor three times a run: on a shared VM one reading moves by ±30 %
        floors.extend(db.floor() for _ in range(FLOOR_READS))
        subprocess.run([SSJ, "draw", "void", TASK, "--tenant", slug, "--reason",
                        f"benchmark run {run + 1}: drawn again"], env=env, check=True,
                       capture_output=True)
        for name, argv in commands.items():
            load = os.getloadavg()[0]
            wall, peak = timed(argv, env)
            figures[name].append((wall, peak, load))
    floor_median = statistics.median(floors)
    print(f"\nwhole processes, {db.dialect}, {targets:,} targets, {runs} runs each; "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} cores\n")
    print(f"  {f'floor: pool text + SHA-256 ({len(floors)} readings)':<44} min {min(floors):6.2f}  "
          f"median {floor_median:6.2f}  max {max(floors):6.2f} s")
    targets_of = {"ssj draw": 2.0, "ssj verify": 1.5, "ssj verify (the text file)": 1.5}
    both = [a[0] + d[0] for a, d in zip(figures["ssj draw announce"], figures["ssj draw"],
                                        strict=True)]
    for name, runs in figures.items():
        walls = sorted(w for w, _, _ in runs)
        median = statistics.median(walls)
        peak = statistics.median(p for _, p, _ in runs)
        loads = ", ".join(f"{x:.2f}" for _, _, x in runs)
        ratio = median / floor_median
        target = targets_of.get(name)
        verdict = "" if target is None else \
            f"  target ≤ {target}×: {'met' if ratio <= target else 'NOT met'}"
        print(f"  {name:<44} min {walls[0]:6.2f}  median {median:6.2f}  max {walls[-1]:6.2f} s"
              f"  = {ratio:5.2f}× floor  peak {peak:6.0f} MiB  load {loads}{verdict}")
    ceremony = statistics.median(both)
    print(f"  {'announce + draw, the whole ceremony':<44} min {min(both):6.2f}  median "
          f"{ceremony:6.2f}  max {max(both):6.2f} s  = {ceremony / floor_median:5.2f}× floor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
