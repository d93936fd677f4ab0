"""Peak memory of reading a large bundle: ``ssj verify``, ``python -m shuangsuiji.kernel.verify``
and the one-file ``ssj-verify.pyz``, each a whole process (``/usr/bin/time -v``), against the
whole-file reader they replaced (``strict_loads`` of the file, then ``verify_bundle``).

Builds (once, from the kernel benchmark's synthetic directory) a bundle of ``--targets``
members and writes it as the portal serves it: canonical JSON, streamed from the pool's lines
(:mod:`shuangsuiji.kernel.bundlestream`). Prints elapsed seconds, peak RSS and the load
average before each run: the machine may be shared, so read the load beside the figures.

    .venv/bin/python bench/stream_memory.py --targets 1000000
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from draw_kernel import CITE, FLAGS, make_inspectors, make_targets

from shuangsuiji import standalone
from shuangsuiji.kernel import (
    DrawParams,
    DrawRules,
    Expert,
    PoolRules,
    Sampling,
    Task,
    draw,
    freeze_pool,
    frozen_pool_text,
    make_bundle,
)
from shuangsuiji.kernel.bundlestream import bundle_json, pool_json
from shuangsuiji.rules import (
    Eligibility,
    ExclusionPolicy,
    GroupRule,
    ItemCategory,
    RiskRule,
)

WHOLE = ("import sys; from shuangsuiji.kernel.codec import strict_loads; "
         "from shuangsuiji.kernel import verify_bundle; "
         "r = verify_bundle(strict_loads(open(sys.argv[1], 'rb').read())); "
         "sys.exit(0 if r.ok else 1)")


def write_bundle(path: Path, n: int, drawn: int) -> None:
    targets = make_targets(n)
    task = Task("BENCH-1", ("ITEM-1", "ITEM-2"), date(2025, 5, 1), "DEPT-1", "DIV-0")
    sampling = Sampling(ratio_permille=-(-drawn * 1000 // n), min_count=1, max_count=drawn)
    policy = ExclusionPolicy(True, True, frozenset({"complaints", "bad_credit"}), CITE)
    rules = PoolRules(policy, (), tuple(RiskRule(f, 0, 2, CITE) for f in FLAGS[:3]))
    pool = freeze_pool(targets, [], task, sampling, rules)
    del targets
    result = draw(pool, "bench-seed", rules=DrawRules(
        ItemCategory("key", "重点检查事项", "key item", None, False, True, 10, CITE),
        GroupRule(2, True, ("across_departments",), CITE),
        Eligibility(("enforcement_certificate",), True, CITE)),
        params=DrawParams(scope="across_departments", targets_per_group=50, experts_count=5),
        inspectors=make_inspectors(3000), experts=[Expert(f"E{i:04d}", f"专家{i}")
                                                   for i in range(200)])
    rest = make_bundle(result, pool=False)
    with open(path, "wb") as f:
        for chunk in bundle_json(rest, pool_json(lambda: frozen_pool_text(pool))):
            f.write(chunk)


def measure(label: str, cmd: list[str]) -> None:
    load = os.getloadavg()
    run = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True,
                         check=False)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr)[1])
    wall = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", run.stderr)[1]
    print(f"{label:<44} exit {run.returncode}  wall {wall:>8}  peak RSS {rss / 1024:7.0f} MiB"
          f"  (load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f})", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--targets", type=int, default=1_000_000)
    ap.add_argument("--draw", type=int, default=50_000)
    ap.add_argument("--skip-whole", action="store_true", help="leave out the old reader")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bundle = Path(tmp) / "bundle.json"
        write_bundle(bundle, args.targets, args.draw)
        print(f"bundle: {args.targets} targets, {bundle.stat().st_size / 2**20:.0f} MiB "
              f"canonical JSON; {os.cpu_count()} CPUs", flush=True)
        pyz = Path(tmp) / standalone.FILENAME
        pyz.write_bytes(standalone.build())
        py = sys.executable
        ssj = str(Path(py).with_name("ssj"))
        measure("python -m shuangsuiji.kernel.verify (stream)",
                [py, "-m", "shuangsuiji.kernel.verify", str(bundle)])
        measure("python3 -I -S ssj-verify.pyz (stream)", [py, "-I", "-S", str(pyz), str(bundle)])
        measure("ssj verify (stream)", [ssj, "verify", str(bundle)])
        if not args.skip_whole:
            measure("whole file: strict_loads + verify_bundle", [py, "-c", WHOLE, str(bundle)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
