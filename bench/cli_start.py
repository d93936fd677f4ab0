"""Whole-process start-up of the ``ssj`` command line, against ``python -c pass``.

    .venv/bin/python bench/cli_start.py [--runs 7]

Each command is started as a new process, as a user starts it, ``--runs`` times: ``python -c
pass`` (the interpreter's own floor), ``ssj --help`` and ``ssj tenants list`` on a SQLite
database made once in a temporary folder (``ssj db upgrade``, one tenant). Printed per
command: wall-clock min / median / max, the CPU time (user + system) of the median run, and
the load average before each command's runs (a busy machine inflates wall-clock times; the
CPU time is steadier). Target: ``ssj --help`` and ``ssj tenants list`` under 0.5 s wall-clock
on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
SSJ = str(Path(PY).with_name("ssj"))
TARGET_SECONDS = 0.5


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(label: str, argv: list[str], env: dict[str, str], runs: int) -> dict[str, float]:
    load = os.getloadavg()
    samples = sorted((_timed(argv, env) for _ in range(runs)), key=lambda s: s[0])
    walls = [w for w, _ in samples]
    median_cpu = samples[len(samples) // 2][1]
    print(f"{label:<22} min {min(walls):6.3f} s  median {statistics.median(walls):6.3f} s  "
          f"max {max(walls):6.3f} s  cpu(median run) {median_cpu:6.3f} s  "
          f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return {"min": min(walls), "median": statistics.median(walls), "max": max(walls),
            "cpu": median_cpu}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ, SSJ_DATABASE_URL=f"sqlite:///{folder}/cli.sqlite")
        env.pop("SSJ_AUDIT_GUARD", None)
        # as a user starts it: the installed package has its bytecode (the first run below
        # writes it, if missing); a shell with PYTHONDONTWRITEBYTECODE would compile every
        # module of the package again at each start
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([SSJ, "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([SSJ, "tenants", "create", "cq", "--name", "重庆", "--pack",
                        "chongqing"], env=env, check=True, capture_output=True)
        for warm in ([SSJ, "--help"], [SSJ, "tenants", "list"]):
            subprocess.run(warm, env=env, check=True, capture_output=True)
        print(f"{args.runs} runs each; whole process, new interpreter every time")
        floor = measure("python -c pass", [PY, "-c", "pass"], env, args.runs)
        results = {
            "ssj --help": measure("ssj --help", [SSJ, "--help"], env, args.runs),
            "ssj tenants list": measure("ssj tenants list", [SSJ, "tenants", "list"], env,
                                        args.runs),
        }
    ok = True
    for label, result in results.items():
        met = result["median"] < TARGET_SECONDS
        ok &= met
        print(f"{label:<22} median {result['median']:.3f} s = python floor + "
              f"{result['median'] - floor['median']:.3f} s; target < {TARGET_SECONDS} s: "
              f"{'met' if met else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
