"""A/B on PostgreSQL, same database, same run: the draw's selections checked by the two
per-row foreign keys (before migration 0006) against the statement-level checks of
``shuangsuiji.db.selection_checks`` (after). Needs a database built by ``bench/draw_scale.py``
(``--reuse`` here is implied: nothing is built).

    PG=postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/draw_scale.py --server $PG --targets 1000000 --draws 0   # build
    .venv/bin/python bench/selection_checks_ab.py --server $PG --rounds 3

First the selections' write alone: the last draw's rows written again for a bare draw row
by the service's own PostgreSQL path, for each side and each form of the columns (texts, the
default; arrays, before) in turn, ``--writes`` times over, each in one transaction that puts
the side in place (DDL, not timed) and is rolled back: nothing drifts between the sides but
the machine. Then ``--rounds`` whole service draws per side in alternating order
(``draw_scale.py``'s draw child; the previous draw voided first, not timed). The raw scan is
measured before and after. Every figure has the 1-minute load average taken just before it;
only same-run ratios mean anything on a loaded machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]


def _scale() -> Any:
    spec = importlib.util.spec_from_file_location("bench_draw_scale", HERE / "draw_scale.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ds = _scale()
SIDES = ("foreign keys", "statement checks")


def set_side(url: str, side: str) -> None:
    from shuangsuiji.db import selection_checks
    from shuangsuiji.db.session import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        if selection_checks.installed(conn):
            selection_checks.uninstall(conn)  # made again below: this code's version
        else:
            for key in (selection_checks.DRAW_KEY, selection_checks.TARGET_KEY):
                conn.exec_driver_sql(f'ALTER TABLE draw_selections DROP CONSTRAINT "{key}"')
        if side == SIDES[0]:
            selection_checks.use_foreign_keys(conn)
        else:
            selection_checks.use_statement_checks(conn)
    engine.dispose()


def child_selections(url: str, repeats: int) -> dict[str, Any]:
    """The last draw's selection rows written again by the service's PostgreSQL path (for a
    bare draw row of the same task), for each side and form (columns as texts, the default;
    as arrays, before) in turn, ``repeats`` times over: each in one transaction that first
    puts the side in place (DDL, not timed) and is rolled back, so nothing drifts between
    the sides but the machine."""
    from sqlalchemy import insert, text

    from shuangsuiji.db import selection_checks
    from shuangsuiji.db.session import make_engine
    from shuangsuiji.models.draws import Draw
    from shuangsuiji.services.draws import storage

    engine = make_engine(url)
    times: dict[str, list[float]] = {}
    with engine.connect() as conn:
        last = conn.execute(text("SELECT id, task_id, tenant_id FROM draws ORDER BY id DESC "
                                 "LIMIT 1")).one()
        rows = [tuple(r) for r in conn.execute(text(
            "SELECT credit_code, stratum, position, batch_no FROM draw_selections "
            "WHERE draw_id = :d ORDER BY credit_code"), {"d": last.id})]
        assert selection_checks.installed(conn), "set_side(statement checks) first"
        conn.rollback()
        for k in range(repeats * 4):
            side, form = SIDES[k % 2], ("texts", "arrays")[(k // 2) % 2]
            if side == SIDES[0]:
                selection_checks.use_foreign_keys(conn)
            bare = conn.execute(insert(Draw).values(
                tenant_id=last.tenant_id, task_id=last.task_id, attempt=10_000, seed="ab",
                seed_source="generated", witnesses=[], inspection_date=date(2026, 7, 1),
                pool_digest="0" * 64, bundle_digest="0" * 64, pool_size=0, excluded_count=0,
                selected_count=len(rows), rules_pack="miit", rules_version="2018", bundle={},
                actor="bench", drawn_at=datetime.now(UTC)).returning(Draw.id)).scalar_one()
            t0 = time.perf_counter()
            storage._insert_selections_pg(conn, last.tenant_id, bare, last.task_id, rows,
                                          arrays=form == "arrays")
            times.setdefault(f"{side}, {form}", []).append(time.perf_counter() - t0)
            conn.rollback()
    engine.dispose()
    return {"rows": len(rows), "times": times, "load": ds.load()}


def run_child(*args: str) -> dict[str, Any]:
    import subprocess

    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"child {args[0]} failed (exit {proc.returncode})")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def _mmm(xs: list[float]) -> str:
    return f"{min(xs):.2f} / {statistics.median(xs):.2f} / {max(xs):.2f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server", help="a PostgreSQL server URL (any database)")
    ap.add_argument("--name", default="ssj_bench_dbscale")
    ap.add_argument("--rounds", type=int, default=3, help="whole draws per side")
    ap.add_argument("--writes", type=int, default=5,
                    help="selection writes per side and form, interleaved")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child_selections(args.child[1], int(args.child[2]))))
        return 0
    url = ds._db_url(args.server, args.name)
    tid = "1"
    out: dict[str, Any] = {"url": url, "started": f"{datetime.now(UTC):%H:%M} UTC", "raw": [],
                           "draws": {s: [] for s in SIDES}}

    def raw() -> None:
        before = ds.load()
        r = ds.run_child("raw", url, tid)
        out["raw"].append({"raw_s": r["raw_s"], "load": before})
        print(f"raw scan {r['raw_s']:.2f} s (load {before:.2f})", file=sys.stderr, flush=True)

    raw()
    set_side(url, SIDES[1])
    before = ds.load()
    w = run_child("selections", url, str(args.writes))
    out["writes"] = {"load": [before, w["load"]], "times": w["times"]}
    for key, xs in w["times"].items():
        print(f"{w['rows']:,} selections, {key}: {_mmm(xs)} s (load {before:.2f}–"
              f"{w['load']:.2f})", file=sys.stderr, flush=True)
    for k in range(args.rounds):
        for side in (SIDES if k % 2 == 0 else SIDES[::-1]):
            set_side(url, side)
            ds.run_child("void", url, tid)
            before = ds.load()
            d = ds.run_child("draw", url, tid, "-")
            stages = {name: t for name, t, _now, _pk in d["stages"]}
            out["draws"][side].append({"s": d["draw_s"], "load": before, "stages": stages})
            print(f"round {k + 1}, {side}: draw {d['draw_s']:.2f} s (drawn→written "
                  f"{stages['written'] - stages['drawn']:.2f} s), load {before:.2f}",
                  file=sys.stderr, flush=True)
    raw()
    set_side(url, SIDES[1])  # leave the database as migration 0006 makes it
    raw_s = min(r["raw_s"] for r in out["raw"])
    for side in SIDES:
        draw_s = [d["s"] for d in out["draws"][side]]
        if draw_s:
            print(f"{side}: draw {_mmm(draw_s)} s = {_mmm([t / raw_s for t in draw_s])}× the "
                  f"best raw scan ({raw_s:.2f} s)", file=sys.stderr, flush=True)
    med = {key: statistics.median(xs) for key, xs in out["writes"]["times"].items()}
    before_s, after_s = med[f"{SIDES[0]}, arrays"], med[f"{SIDES[1]}, texts"]
    print(f"same-run ratios of the selections' write (medians): statement checks / foreign "
          f"keys {med[f'{SIDES[1]}, arrays'] / before_s:.2f} (arrays), "
          f"{after_s / med[f'{SIDES[0]}, texts']:.2f} (texts); after / before (checks and "
          f"texts / keys and arrays) {after_s / before_s:.2f}", file=sys.stderr, flush=True)
    if all(out["draws"].values()):
        fk, st = (statistics.median([d["s"] for d in out["draws"][s]]) for s in SIDES)
        print(f"same-run ratio of the whole draw (medians), statement checks / foreign keys: "
              f"{st / fk:.2f}", file=sys.stderr, flush=True)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
