"""The first difference between a recomputed bundle and the one found, in document order,
the pool compared as its members' digest lines."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from shuangsuiji.kernel.bundlerows import FoundExcluded
from shuangsuiji.kernel.excludedrows import same_exclusions
from shuangsuiji.kernel.model import (
    FrozenPool,
    line_target,
)
from shuangsuiji.messages import msg


def _found_lines(rows: list[list[Any]]) -> list[bytes]:
    """Digest lines of well-typed member rows, in the order found, flags as found."""
    flags = [",".join(f) if f else "" for f in map(itemgetter(2), rows)]
    text = "".join(
        map(
            "member\t{}\t{}\t{}\n".format, map(itemgetter(0), rows), map(itemgetter(1), rows), flags
        )
    )
    lines = text.encode("utf-8").split(b"\n")
    lines.pop()
    return lines


def _merge_found(cached: tuple[list[bytes], list[int]], rows: list[Any]) -> list[bytes]:
    plain, others = cached
    if not others:
        return plain
    out: list[bytes] = []
    taken = prev = 0
    for i in others:
        out.extend(plain[taken : taken + i - prev])
        taken += i - prev
        code, name, flags = rows[i]
        out.append(f"member\t{code}\t{name}\t{','.join(flags)}".encode())
        prev = i + 1
    out.extend(plain[taken:])
    return out


def _row_of(line: bytes) -> list[Any]:
    code, name, flags = line_target(line)
    return [code, name, sorted(flags)]


def _members_difference(
    lines: list[bytes] | Any,
    rows: list[Any],
    path: str,
    cached: tuple[list[bytes], list[int]] | None = None,
) -> tuple[Any, ...] | None:
    """First difference between the recomputed lines and the member rows found. ``cached``:
    the lines stratify made of the rows without flags, in their order, and the positions of
    the other rows (whose lines are made here, flags as found)."""
    found = _merge_found(cached, rows) if cached is not None else None
    if found is None or len(found) != len(rows):
        found = _found_lines(rows)
    if found == lines and len(found) == len(rows):
        return None
    n = min(len(lines), len(rows))
    i = next((i for i in range(n) if _row_of(lines[i]) != rows[i]), n)
    if i < n:
        sub = _first_difference(_row_of(lines[i]), rows[i], f"{path}[{i}]")
        return sub or (f"{path}[{i}]", _row_of(lines[i]), rows[i])
    return (
        f"{path}[{n}]",
        _row_of(lines[n]) if n < len(lines) else None,
        rows[n] if n < len(rows) else None,
        msg("list has %(found)s entries, expected %(expected)s", found=len(rows),
            expected=len(lines)),
    )


def _pool_difference(
    pool: FrozenPool,
    found: Any,
    found_lines: list[tuple[list[bytes], list[int]] | None] | None = None,
) -> tuple[Any, ...] | None:
    """First difference between the recomputed pool and the bundle's ``pool`` object."""
    if not isinstance(found, dict):
        return ("pool", None, found, msg("expected an object"))
    for key in ("strata", "excluded"):
        if key not in found:
            return (f"pool.{key}", None, None, msg("missing field"))
    strata = found["strata"]
    for k, s in enumerate(pool.strata):
        p = f"pool.strata[{k}]"
        if k >= len(strata):
            return (p, s.name, None, msg("list has %(found)s entries, expected %(expected)s",
                                         found=len(strata), expected=len(pool.strata)))
        f = strata[k]
        head = {"name": s.name, "ratio_permille": s.ratio_permille, "size": s.size}
        for key, value in head.items():
            if key not in f:
                return (f"{p}.{key}", value, None, msg("missing field"))
            sub = _first_difference(value, f[key], f"{p}.{key}")
            if sub is not None:
                return sub
        if "members" not in f:
            return (f"{p}.members", None, None, msg("missing field"))
        cached = found_lines[k] if found_lines and k < len(found_lines) else None
        sub = _members_difference(s.lines, f["members"], f"{p}.members", cached)
        if sub is not None:
            return sub
        for key in f:
            if key not in (*head, "members"):
                return (f"{p}.{key}", None, f[key], msg("field not part of the format"))
    if len(strata) > len(pool.strata):
        n = len(pool.strata)
        return (
            f"pool.strata[{n}]",
            None,
            strata[n],
            msg("list has %(found)s entries, expected %(expected)s", found=len(strata),
                expected=n),
        )
    rows = found["excluded"]
    if not (isinstance(rows, FoundExcluded) and same_exclusions(pool.excluded, rows.excluded)):
        excluded = [[e.credit_code, e.name, e.rule_code, e.trigger_task_id]
                    for e in pool.excluded]
        sub = _first_difference(
            excluded, rows.rows() if isinstance(rows, FoundExcluded) else list(rows),
            "pool.excluded")
        if sub is not None:
            return sub
    for key in found:
        if key not in ("strata", "excluded"):
            return (f"pool.{key}", None, found[key], msg("field not part of the format"))
    return None



def _first_difference(expected: Any, found: Any, path: str) -> tuple[Any, ...] | None:
    """First (path, expected, found) where the two JSON trees differ, in document order."""
    if type(expected) is type(found) and expected == found:
        return None
    if isinstance(expected, dict) and isinstance(found, dict):
        for key, value in expected.items():
            if key not in found:
                return (f"{path}.{key}", value, None, msg("missing field"))
            sub = _first_difference(value, found[key], f"{path}.{key}")
            if sub is not None:
                return sub
        for key in found:
            if key not in expected:
                return (f"{path}.{key}", None, found[key], msg("field not part of the format"))
        return None
    if isinstance(expected, list) and isinstance(found, list):
        for i, (a, b) in enumerate(zip(expected, found, strict=False)):
            sub = _first_difference(a, b, f"{path}[{i}]")
            if sub is not None:
                return sub
        if len(expected) != len(found):
            n = min(len(expected), len(found))
            return (
                f"{path}[{n}]",
                expected[n] if n < len(expected) else None,
                found[n] if n < len(found) else None,
                msg("list has %(found)s entries, expected %(expected)s", found=len(found),
                    expected=len(expected)),
            )
        return None
    return (path, expected, found)


