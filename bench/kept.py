"""The 1,000,000-target database that ``bench/draw.py --keep`` leaves, copied for a run.

The benchmarks that read it (``bench/pages.py``, ``bench/cli_e2e.py``) change their copy,
never the kept file, so one build serves every later run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
KEPT = DATA / "draw-1000000.sqlite"


def copy_kept(source: Path, name: str) -> Path:
    """``source`` copied to ``bench/data/<name>``; its path.

    Stops with what to run when ``source`` is missing. An earlier run's ``-wal``/``-shm``
    beside the copy go first: SQLite would replay that log onto the fresh copy.
    """
    if not source.exists():
        raise SystemExit(f"{source} is missing; run bench/draw.py --targets 1000000 --keep first")
    copy = DATA / name
    for stale in (copy.with_name(copy.name + "-wal"), copy.with_name(copy.name + "-shm")):
        stale.unlink(missing_ok=True)
    shutil.copyfile(source, copy)
    return copy
