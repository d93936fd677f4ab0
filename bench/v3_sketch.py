"""A sketch, not the verifier: what a bundle format v3 could cost a verifier at 1M targets.

Issue 17 asks ``ssj verify`` for ≤ 1.5× the floor; the v2 bundle (pool as JSON rows, its
Merkle tree over every pool line: two million SHA-256 calls) is 3–5× on a 2-core VM. This
measures, before anyone builds it, the checks a v3 verifier would make if the pool came as
its own zlib member holding the §3.3 text itself (docs/draw-spec.md) and the Merkle leaves
were blocks of 256 lines: inflate, the flat digest, the block leaves, UTF-8/NFC/printable,
each stratum's members (four fields, ``member`` lines, codes strictly ascending), the
excluded lines, every code unique. It leaves out the header's JSON, stratum sizes and flags,
the draw and the comparison (small at 53,268 drawn) and streaming (its peak is ~500 MiB).

Each round runs the floor (bench/cli_e2e.py's: the pool's text read from SQLite and hashed)
and the sketch in fresh processes, one after the other; prints min/median/max and the load.

    .venv/bin/python bench/v3_sketch.py [--runs 3]     (needs bench/draw.py --keep first)
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
import unicodedata
import zlib
from itertools import repeat
from pathlib import Path

from kept import DATA, KEPT

SKETCH = DATA / "v3-sketch.pool.z"
BLOCK = 256  # pool lines per Merkle leaf


def make(db: Path) -> None:
    """The kept database's last announced pool, as a zlib member of its §3.3 text."""
    conn = sqlite3.connect(db)
    aid, head = conn.execute(
        "SELECT id, pool FROM draw_announcements ORDER BY id DESC LIMIT 1").fetchone()
    rest = [r[0] for r in conn.execute(
        "SELECT data FROM blob_chunks WHERE kind = 'announcement_pool' AND owner_id = ?"
        " AND seq >= 1 ORDER BY seq", (aid,))]
    SKETCH.write_bytes(zlib.compress(zlib.decompress(head + b"".join(rest)), 6))


def floor(db: Path) -> None:
    conn = sqlite3.connect(db)
    (tid,), = conn.execute("SELECT id FROM tenants").fetchall()
    rows = conn.execute("SELECT credit_code, name FROM targets WHERE tenant_id = ?"
                        " ORDER BY credit_code", (tid,)).fetchall()
    hashlib.sha256("".join(f"{c}\t{n}\n" for c, n in rows).encode()).hexdigest()


def verify(path: Path, names: bool = True) -> bool:
    """The sketch's checks; ``names``: also the names' Unicode form (UTF-8, NFC, printable),
    else only that no byte is a C0 control but TAB and LF (the codes decide identity,
    uniqueness and order; a name's form bears on no draw)."""
    text = zlib.decompress(path.read_bytes())
    hashlib.sha256(text).hexdigest()
    lines = text.split(b"\n")
    ok = lines.pop() == b""
    sha, join = hashlib.sha256, b"\n".join
    [sha(b"\x00" + join(lines[i:i + BLOCK]) + b"\n").digest()
     for i in range(0, len(lines), BLOCK)]  # the leaves; the tree above them is ~4,000 more
    if names:
        decoded = text.decode()
        ok &= unicodedata.is_normalized("NFC", decoded)
        ok &= decoded.replace("\t", "").replace("\n", "").isprintable()
        del decoded
    else:
        ok &= re.search(rb"[\x00-\x08\x0b-\x1f\x7f]", text) is None
    heads = [i for i, line in enumerate(lines) if line.startswith(b"stratum\t")]
    seen: set[bytes] = set()
    count = 0
    end = 2
    for start in heads:
        n = int(lines[start].split(b"\t")[4])
        seg = lines[start + 1:start + 1 + n]
        end = start + 1 + n
        ok &= set(map(bytes.count, seg, repeat(b"\t"))) <= {3}
        ok &= set(map(bytes.startswith, seg, repeat(b"member\t"))) <= {True}
        codes = join(seg).replace(b"\n", b"\t").split(b"\t")[1::4]
        ok &= all(map(bytes.__lt__, codes, codes[1:]))
        seen.update(codes)
        count += len(codes)
    excluded = lines[end:]
    ok &= set(map(bytes.count, excluded, repeat(b"\t"))) <= {5}
    codes = join(excluded).replace(b"\n", b"\t").split(b"\t")[1::6]
    ok &= all(map(bytes.__lt__, codes, codes[1:]))
    seen.update(codes)
    return ok and len(seen) == count + len(codes)


def timed(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-S", __file__, *args], check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path = args.child
        if kind in ("verify", "lean") and not verify(Path(path), names=kind == "verify"):
            raise SystemExit("the sketch's checks failed")
        if kind == "floor":
            floor(Path(path))
        os._exit(0)  # as ssj's offline commands end
    if not KEPT.exists():
        raise SystemExit(f"{KEPT} is missing; run bench/draw.py --targets 1000000 --keep first")
    make(KEPT)
    runs: dict[str, list[float]] = {"floor": [], "verify": [], "lean": []}
    loads = []
    for _ in range(args.runs):
        loads.append(os.getloadavg()[0])
        runs["floor"].append(timed("--child", "floor", str(KEPT)))
        for kind in ("verify", "lean"):
            runs[kind].append(timed("--child", kind, str(SKETCH)))
    floor_median = statistics.median(runs["floor"])
    for kind, label in (("floor", "floor"), ("verify", "v3 sketch"),
                        ("lean", "v3 sketch, names unchecked")):
        times = runs[kind]
        print(f"  {label:28s} min {min(times):5.2f}  median {statistics.median(times):5.2f}"
              f"  max {max(times):5.2f} s  = {statistics.median(times) / floor_median:.2f}×")
    print(f"  load {', '.join(f'{x:.2f}' for x in loads)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
