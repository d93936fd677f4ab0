"""Check that requirements.lock covers pyproject.toml: every dependency and every `test`
extra is pinned there, at a version its specifier admits.

Run by scripts/setup before installing, so a dependency added to pyproject.toml without
re-running scripts/lock stops the setup with a message saying so, instead of installing a
lock that lacks it. Standard library only (plus pip's own `packaging`, present in any venv).
Exit status 0: covered; 1: not, with one line per problem.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

try:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
except ImportError:  # a venv with pip only
    from pip._vendor.packaging.requirements import Requirement  # type: ignore[no-redef]
    from pip._vendor.packaging.utils import canonicalize_name  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def pins(lock_text: str) -> dict[str, str]:
    """Package name (canonical) → pinned version, from a pip-compile output."""
    found = {}
    for line in lock_text.splitlines():
        m = PIN.match(line)
        if m:
            found[canonicalize_name(m.group(1))] = m.group(2)
    return found


def problems(pyproject: Path, lock: Path) -> list[str]:
    if not lock.exists():
        return [f"{lock.name} is missing: run scripts/lock"]
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    wanted = [*project.get("dependencies", []),
              *project.get("optional-dependencies", {}).get("test", [])]
    pinned = pins(lock.read_text(encoding="utf-8"))
    out = []
    for spec in wanted:
        req = Requirement(spec)
        if req.marker is not None and not req.marker.evaluate():
            continue
        name = canonicalize_name(req.name)
        if name not in pinned:
            out.append(f"{req.name}: in pyproject.toml but not in {lock.name}")
        elif not req.specifier.contains(pinned[name], prereleases=True):
            out.append(f"{req.name}: pyproject.toml asks {req.specifier}, {lock.name} pins "
                       f"{pinned[name]}")
    return out


def main() -> int:
    found = problems(ROOT / "pyproject.toml", ROOT / "requirements.lock")
    for line in found:
        print(f"lock: {line}", file=sys.stderr)
    if found:
        print("lock: requirements.lock does not cover pyproject.toml — run scripts/lock and "
              "commit requirements.lock (see docs/testing.md, 'Locked installs')",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
