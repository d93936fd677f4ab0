"""Benchmark: what the transparency log adds to a one-row write, and how proofs grow.

    .venv/bin/python bench/log.py                       # SQLite, 2,000 events, 300 writes
    .venv/bin/python bench/log.py --events 100000 --writes 1000
    .venv/bin/python bench/log.py --database-url postgresql://postgres@127.0.0.1/postgres

On a fresh database (SQLite file in a temporary folder, or a new database on the given
server, dropped after): two tenants with ``--events`` events each, one logged, one not;
then
``--writes`` one-row writes — one ``audit.record`` and its commit, the unit every service
write pays — timed one by one, alternating with and without the log (``translog.append``
replaced by a no-op for the second tenant), so drift on a busy machine hits both sides
alike. The median and the 90th percentile of each side, and the difference of the medians,
are printed (issue 12 item 11: at most 1 ms).

Then, for trees of 2^k ± 1 leaves, the inclusion and consistency proof lengths and the
number of stored nodes read to answer them: O(log n).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text


def _app(url: str | None, folder: Path) -> Any:
    from shuangsuiji import create_app
    from shuangsuiji.db import Base

    app = create_app({"SSJ_DATABASE_URL": url or f"sqlite:///{folder / 'bench.sqlite'}",
                      "SECRET_KEY": "bench"})
    app.instance_path = str(folder / "instance")
    Base.metadata.create_all(app.extensions["shuangsuiji"].db.engine)
    return app


def _server_database(url: str) -> tuple[str, Any]:
    from sqlalchemy import create_engine

    name = f"ssj_bench_log_{int(time.time())}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"' if admin.dialect.name == "postgresql"
                          else f"CREATE DATABASE `{name}`"))
    return url.rsplit("/", 1)[0] + "/" + name, (admin, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    from shuangsuiji.services import audit, translog
    from shuangsuiji.services import tenants as tenant_service

    with tempfile.TemporaryDirectory() as tmp:
        url, server = (_server_database(args.database_url) if args.database_url
                       else (None, None))
        app = _app(url, Path(tmp))
        platform = app.extensions["shuangsuiji"]
        with platform.db.session() as s:
            # one tenant logged, one not (its tree would miss the unlogged leaves)
            ids = {True: tenant_service.create(s, platform, slug="logged", name="基准",
                                               pack="miit", level="central").id,
                   False: tenant_service.create(s, platform, slug="unlogged", name="对照",
                                                pack="miit", level="central").id}
            for i in range(args.events):
                for tid in ids.values():
                    audit.record(s, tenant_id=tid, action="bench.setup", object_type="row",
                                 object_id=i, payload={"i": i})
                if i % 1000 == 999:
                    s.commit()
            s.commit()
        real_append = translog.append
        times: dict[bool, list[float]] = {True: [], False: []}
        in_append: list[float] = []

        def timed(session: Any, event: Any) -> bytes:
            start = time.perf_counter()
            leaf = real_append(session, event)
            in_append.append(time.perf_counter() - start)
            return leaf

        def noop(session: Any, event: Any) -> bytes:
            return b""

        for i in range(args.writes * 2):
            with_log = i % 2 == 0
            translog.append = timed if with_log else noop  # type: ignore[assignment]
            with platform.db.session() as s:
                start = time.perf_counter()
                audit.record(s, tenant_id=ids[with_log], action="bench.write", object_type="row",
                             object_id=i, payload={"i": i, "with_log": with_log})
                s.commit()
                times[with_log].append(time.perf_counter() - start)
        translog.append = real_append  # type: ignore[assignment]
        platform.db.dispose()
        if server is not None:
            admin, name = server
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'
                                  if admin.dialect.name == "postgresql"
                                  else f"DROP DATABASE `{name}`"))

    print(f"one-row write (audit.record + commit), {args.events:,} events before, "
          f"{args.writes} writes each side, {platform.db.dialect}:")
    for label, key in (("without the log", False), ("with the log", True)):
        xs = sorted(times[key])
        print(f"  {label:<16} median {statistics.median(xs) * 1e3:7.3f} ms   "
              f"p90 {xs[int(len(xs) * 0.9)] * 1e3:7.3f} ms")
    added = statistics.median(times[True]) - statistics.median(times[False])
    print(f"  the log adds     {added * 1e3:7.3f} ms per write (median; limit 1 ms)")
    print(f"  inside translog.append (leaf, hashes, frontier; no statement): median "
          f"{statistics.median(in_append) * 1e3:.3f} ms")
    print()
    _proof_sizes()


def _proof_sizes() -> None:
    from shuangsuiji.kernel import logtree

    print("proof sizes (hashes) and stored nodes read, by tree size:")
    print(f"  {'size':>14} {'inclusion':>9} {'nodes':>5} {'consistency':>11} {'nodes':>5}")
    for k in (4, 10, 16, 20, 24, 30):
        for n in (2**k - 1, 2**k + 1):
            inc = logtree.inclusion_ranges(n // 3, n)
            con = logtree.consistency_ranges(n // 3, n)
            print(f"  {n:>14,} {len(inc):>9} {len(logtree.nodes_of(inc)):>5} "
                  f"{len(con):>11} {len(logtree.nodes_of(con)):>5}")


if __name__ == "__main__":
    main()
