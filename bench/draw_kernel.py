"""Benchmark of the pure kernel alone: freeze, draw, bundle and verify at directory scale.

Generates (in memory, from a fixed seed of its own) a directory of 1,000,000 targets and
200,000 earlier inspections, then times ``freeze_pool``, ``draw`` of 50,000 targets with
inspector groups, ``make_bundle`` and ``verify_bundle``, and prints peak memory.

    .venv/bin/python bench/draw_kernel.py            # full size
    .venv/bin/python bench/draw_kernel.py --targets 100000 --inspections 20000 --draw 5000
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVar

from shuangsuiji.kernel import (
    Credential,
    DrawParams,
    DrawRules,
    Expert,
    Inspection,
    Inspector,
    PoolRules,
    Sampling,
    Target,
    Task,
    draw,
    freeze_pool,
    make_bundle,
    verify_bundle,
)
from shuangsuiji.rules import (
    Citation,
    Eligibility,
    ExclusionPolicy,
    GroupRule,
    ItemCategory,
    RiskRule,
)

T = TypeVar("T")
CITE = Citation("bench", "1", "第十条")
FLAGS = ("complaints", "bad_credit", "administrative_penalty", "abnormal_operations")


def _det(i: int, salt: str) -> int:
    """Deterministic pseudo-random integer for synthetic data (not the kernel's streams)."""
    return int.from_bytes(hashlib.blake2b(f"{salt}{i}".encode(), digest_size=8).digest(), "big")


def make_targets(n: int) -> list[Target]:
    """n targets with 18-character codes, in a scrambled (non-canonical) order; ~2 % flagged.

    Codes are unique: the 16 digits are a permutation of the index (multiplication by an odd
    constant modulo 10**16 is a bijection).
    """
    targets = []
    for i in range(n):
        h = _det(i, "t")
        flags = frozenset({FLAGS[h % 4]}) if h % 50 == 0 else frozenset()
        code = (i * 7_919_000_000_000_003) % 10**16
        targets.append(Target(f"91{code:016d}", f"企业{i}有限公司", flags))
    return targets


def make_inspections(targets: list[Target], m: int, year: int) -> list[Inspection]:
    """m earlier inspections of random targets, over the previous and the current year."""
    out = []
    start = date(year - 1, 1, 1)
    for i in range(m):
        h = _det(i, "i")
        t = targets[h % len(targets)]
        out.append(
            Inspection(
                credit_code=t.credit_code,
                item_code=f"ITEM-{h % 7}",
                date=start + timedelta(days=(h >> 20) % 540),
                division=f"DIV-{(h >> 40) % 5}",
                task_id=f"T-{i // 100}",
                status="completed" if h % 3 else "ongoing",
            )
        )
    return out


def make_inspectors(n: int) -> list[Inspector]:
    return [
        Inspector(
            person_id=f"P{i:06d}",
            name=f"检查员{i}",
            department="DEPT-1" if i % 4 else "DEPT-2",
            division=f"DIV-{i % 5}",
            credentials=(Credential("enforcement_certificate", date(2030, 1, 1)),),
        )
        for i in range(n)
    ]


def timed(label: str, fn: Callable[[], T]) -> T:
    """Run ``fn``; print wall-clock and CPU time (CPU time is less disturbed by other load)."""
    t0, c0 = time.perf_counter(), time.process_time()
    value = fn()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"{label:<28} {wall:8.2f} s wall {cpu:8.2f} s CPU", flush=True)
    return value


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--targets", type=int, default=1_000_000)
    ap.add_argument("--inspections", type=int, default=200_000)
    ap.add_argument("--draw", type=int, default=50_000)
    ap.add_argument(
        "--sorted",
        action="store_true",
        help="pass targets in canonical order, as a query ORDER BY credit_code COLLATE \"C\" "
        "returns them (the kernel's sort is then linear)",
    )
    args = ap.parse_args(argv)

    year = 2025
    t0 = time.perf_counter()
    targets = make_targets(args.targets)
    inspections = make_inspections(targets, args.inspections, year)
    if args.sorted:
        # rebuilt in order, as rows fetched in that order would be laid out in memory
        targets = [Target(*t) for t in sorted(targets)]
    inspectors = make_inspectors(3000)
    experts = [Expert(f"E{i:04d}", f"专家{i}") for i in range(200)]
    print(f"{'generate synthetic data':<28} {time.perf_counter() - t0:8.2f} s")

    task = Task("BENCH-1", ("ITEM-1", "ITEM-2"), date(year, 5, 1), "DEPT-1", "DIV-0")
    ratio = -(-args.draw * 1000 // args.targets)  # per mille giving about --draw targets
    sampling = Sampling(ratio_permille=ratio, min_count=1, max_count=args.draw)
    policy = ExclusionPolicy(True, True, frozenset({"complaints", "bad_credit"}), CITE)
    rules = PoolRules(policy, (), tuple(RiskRule(f, 0, 2, CITE) for f in FLAGS[:3]))
    draw_rules = DrawRules(
        ItemCategory("key", "重点检查事项", "key item", None, False, True, 10, CITE),
        GroupRule(2, True, ("across_departments",), CITE),
        Eligibility(("enforcement_certificate",), True, CITE),
    )
    params = DrawParams(scope="across_departments", targets_per_group=50, experts_count=5)

    pool = timed("freeze_pool", lambda: freeze_pool(targets, inspections, task, sampling, rules))
    print(
        f"  pool: {pool.size} targets in {len(pool.strata)} strata, {len(pool.excluded)} excluded"
    )
    result = timed(
        "draw",
        lambda: draw(
            pool,
            "bench-seed",
            rules=draw_rules,
            params=params,
            inspectors=inspectors,
            experts=experts,
        ),
    )
    print(f"  drawn: {len(result.selected)} targets, {len(result.groups)} groups")
    bundle: dict[str, Any] = timed("make_bundle", lambda: make_bundle(result))
    report = timed("verify_bundle", lambda: verify_bundle(bundle))
    print(f"  {report}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(f"{'peak memory (RSS)':<28} {peak / 1024:8.0f} MiB")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
